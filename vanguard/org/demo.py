"""The demo centre: 4 floors with a branch each under a leading group, about
30 windows, 12 home units, 8 business departments, about 160 staff of whom
about 100 are party members, and one account per role. Built through the
services, so the audit trail shows how it came to be."""

import datetime

from django.contrib.auth import get_user_model

from vanguard.core.models import Grant
from vanguard.core.roles import Role
from vanguard.core.scoping import forget_scope
from vanguard.core.system import SYSTEM

from . import services
from .avatars import avatar
from .models import CommitteeMember, Organization, Person, ServiceCentre, Unit
from .names import DEPARTMENTS, DOTTED, HOME_UNITS, JOBS, SERVICE_ITEMS, mobile, person_name

DEMO_CODE = "demo"
FLOOR_NAMES = ["一层综合服务大厅", "二层市场准入大厅", "三层社会事务大厅", "四层投资建设大厅"]
WINDOWS_PER_FLOOR = [8, 8, 7, 7]
STAFF_PER_WINDOW = (4, 7)


def demo_exists():
    return ServiceCentre.objects.filter(code=DEMO_CODE).exists()


def reset_passwords(password):
    User = get_user_model()
    for user in User.objects.filter(username__in=["admin", "sysadmin", "secadmin", "auditor", "office", "secretary",
                                                   "scorer", "liaison", "handler", "member"]):
        user.set_password(password)
        user.save(update_fields=["password"])


def _user(ctx, username, **extra):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=ctx.password, **extra)
    ctx.users[username] = user
    return user


def build_centre(ctx):
    rng = ctx.rng
    admin = _user(ctx, "admin", is_superuser=True, is_staff=True)
    Grant.objects.create(user=admin, role=Role.ADMIN)
    forget_scope(admin)
    ctx.admin = admin
    centre = services.create_centre(
        SYSTEM, name="云岭区政务服务中心", code=DEMO_CODE, address="云岭区政务大道1号",
        phone="0871-12345000", complaint_phone="0871-12345678", office_name="云岭区政务服务局党建科")
    ctx.centre = centre
    ctx.root = services.create_organization(admin, centre, name="云岭区政务服务局党组",
                                            kind=Organization.Kind.LEADING_GROUP)
    ctx.home_units = [services.create_unit(admin, centre, name=n, kind=Unit.Kind.HOME) for n in HOME_UNITS]
    ctx.departments = [services.create_unit(admin, centre, name=n, kind=Unit.Kind.DEPARTMENT) for n in DEPARTMENTS]
    for number, name in enumerate(FLOOR_NAMES, start=1):
        floor = services.create_floor(admin, centre, number=number, name=name)
        ctx.floors.append(floor)
        ctx.branches.append(services.create_organization(
            admin, centre, parent=ctx.root, name=f"第{'一二三四'[number - 1]}党支部（{number}层）",
            kind=Organization.Kind.BRANCH, floor=floor))

    used_mobiles = set()
    unit_cycle = 0
    for floor, branch, count in zip(ctx.floors, ctx.branches, WINDOWS_PER_FLOOR, strict=True):
        for i in range(1, count + 1):
            unit = ctx.home_units[unit_cycle % len(ctx.home_units)]
            unit_cycle += 1
            items = SERVICE_ITEMS[unit.name]
            window = services.create_window(
                admin, centre, floor=floor, number=f"{'ABCD'[floor.number - 1]}{i:02d}",
                name=items[i % len(items)], unit=unit, department=ctx.departments[(floor.number + i) % 8],
                service_items="\n".join(items))
            ctx.windows.append(window)
            for _ in range(rng.randint(*STAFF_PER_WINDOW)):
                status = rng.choices([Person.Status.FULL, Person.Status.PROBATIONARY, Person.Status.PUBLIC],
                                     weights=[58, 5, 37])[0]
                ctx.people.append(_person(ctx, admin, centre, rng, window, branch, status, used_mobiles))
    for branch in ctx.branches:
        members = [p for p in ctx.people if p.branch_id == branch.pk]
        services.set_committee_member(admin, branch, members[0], role=CommitteeMember.Role.SECRETARY, sort_order=1)
        services.set_committee_member(admin, branch, members[1], role=CommitteeMember.Role.DEPUTY, sort_order=2)
        for order, duty in enumerate(["组织委员", "宣传委员", "纪检委员"], start=3):
            services.set_committee_member(admin, branch, members[order - 1], role=CommitteeMember.Role.MEMBER,
                                          duty=duty, sort_order=order)
        guide = members[-1]
        services.update_organization(admin, branch, guide=guide)

    _accounts(ctx, admin)
    ctx.say(f"{len(ctx.floors)} floors, {len(ctx.windows)} windows, {len(ctx.people)} people, "
            f"{len(ctx.members)} party members")


def _person(ctx, admin, centre, rng, window, branch, status, used_mobiles):
    is_member = status != Person.Status.PUBLIC
    name = person_name(rng)
    index = len(ctx.people)
    if index % 31 == 3 and index // 31 < len(DOTTED):
        name = DOTTED[index // 31]  # a few names with a middle dot, named before their avatar is drawn
    person = services.create_person(
        admin, centre, name=name, gender=rng.choice([Person.Gender.MALE, Person.Gender.FEMALE]),
        mobile=mobile(rng, used_mobiles) if rng.random() > 0.02 else "",
        political_status=status,
        joined_party_on=(datetime.date(rng.randint(1995, 2023), rng.randint(1, 12), rng.randint(1, 28))
                         if is_member else None),
        unit=window.unit, branch=branch if is_member else None, transferred_in=is_member and rng.random() < 0.9,
        window=window, job=rng.choice(JOBS),
    )
    if is_member:
        person.photo.save(f"p{person.pk}.jpg", avatar(name, person.pk), save=True)
    return person


def _accounts(ctx, admin):
    # Separation of duties: one account for each of the three administrators.
    for username, role in (("sysadmin", Role.SYSTEM_ADMIN), ("secadmin", Role.SECURITY_ADMIN),
                           ("auditor", Role.AUDIT_ADMIN)):
        Grant.objects.create(user=_user(ctx, username), role=role)
    first_branch = ctx.branches[0]
    first_members = [p for p in ctx.people if p.branch_id == first_branch.pk]
    office = _user(ctx, "office")
    Grant.objects.create(user=office, role=Role.OFFICE, organization=ctx.root)
    secretary = _user(ctx, "secretary")
    Grant.objects.create(user=secretary, role=Role.SECRETARY, organization=first_branch)
    services.update_person(admin, first_members[0], user=secretary)
    scorer = _user(ctx, "scorer")
    Grant.objects.create(user=scorer, role=Role.SCORER, unit=ctx.windows[0].department)
    liaison = _user(ctx, "liaison")
    Grant.objects.create(user=liaison, role=Role.LIAISON, unit=ctx.windows[0].unit)
    handler = _user(ctx, "handler")
    Grant.objects.create(user=handler, role=Role.HANDLER, unit=ctx.windows[0].unit)
    member = _user(ctx, "member")
    # The member is a rank-and-file member of the first floor (not on the committee).
    services.update_person(admin, first_members[5], user=member)
    for user in ctx.users.values():
        forget_scope(user)
