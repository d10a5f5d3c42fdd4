"""A small centre built through the services, with one user per role and an
outsider in a second centre. Every access test uses these people:
the owner (office or admin), members of the scope by role, and the outsider."""

import datetime
from dataclasses import dataclass

from vanguard.core.models import Grant, User
from vanguard.core.roles import Role
from vanguard.core.scoping import forget_scope
from vanguard.core.system import SYSTEM
from vanguard.org import services
from vanguard.org.models import CommitteeMember, Organization, Person, Unit

PASSWORD = "Test-pass-2026!"


def make_user(username, *, superuser=False):
    user = User.objects.create_user(username=username, password=PASSWORD, is_superuser=superuser)
    return user


def grant(user, role, *, organization=None, unit=None):
    Grant.objects.create(user=user, role=role, organization=organization, unit=unit)
    forget_scope(user)
    return user


@dataclass
class World:
    admin: User
    office: User
    secretary: User
    scorer: User
    liaison: User
    handler: User
    member: User
    outsider: User
    centre: object
    root: Organization
    floor1: object
    floor2: object
    branch1: Organization
    branch2: Organization
    home_unit: Unit
    home_unit2: Unit
    department: Unit
    window1: object
    window2: object
    member_person: Person
    secretary_person: Person
    branch1_members: list
    branch2_members: list
    public_person: Person
    other_centre: object
    other_person: Person


def build_world():
    admin = make_user("admin", superuser=True)
    centre = services.create_centre(SYSTEM, name="测试区政务服务中心", code="test", complaint_phone="010-12345")
    root = services.create_organization(admin, centre, name="测试局党组", kind=Organization.Kind.LEADING_GROUP)
    floor1 = services.create_floor(admin, centre, number=1, name="一层大厅")
    floor2 = services.create_floor(admin, centre, number=2, name="二层大厅")
    branch1 = services.create_organization(admin, centre, parent=root, name="一层党支部",
                                           kind=Organization.Kind.BRANCH, floor=floor1)
    branch2 = services.create_organization(admin, centre, parent=root, name="二层党支部",
                                           kind=Organization.Kind.BRANCH, floor=floor2)
    home_unit = services.create_unit(admin, centre, name="区市场监管局", kind=Unit.Kind.HOME)
    home_unit2 = services.create_unit(admin, centre, name="区人力社保局", kind=Unit.Kind.HOME)
    department = services.create_unit(admin, centre, name="综合窗口科", kind=Unit.Kind.DEPARTMENT)
    window1 = services.create_window(admin, centre, floor=floor1, number="A01", name="企业开办",
                                     unit=home_unit, department=department, service_items="企业设立登记\n变更登记")
    window2 = services.create_window(admin, centre, floor=floor2, number="B01", name="社保业务",
                                     unit=home_unit2, service_items="社保参保登记")

    def person(name, mobile, branch, window, unit, status=Person.Status.FULL, **extra):
        return services.create_person(
            admin, centre, name=name, mobile=mobile, political_status=status,
            joined_party_on=datetime.date(2010, 7, 1) if status != Person.Status.PUBLIC else None,
            branch=branch if status != Person.Status.PUBLIC else None, window=window, unit=unit, **extra)

    secretary_person = person("王书记", "13800000001", branch1, window1, home_unit, job="科长")
    member_person = person("李党员", "13800000002", branch1, window1, home_unit, job="窗口受理员")
    b1_other = person("阿依古丽·买买提", "13800000003", branch1, window1, home_unit,
                      status=Person.Status.PROBATIONARY)
    b2_a = person("张二层", "13800000004", branch2, window2, home_unit2)
    b2_b = person("赵二层", "13800000005", branch2, window2, home_unit2)
    public_person = person("陈群众", "13800000006", None, window1, home_unit, status=Person.Status.PUBLIC)
    services.set_committee_member(admin, branch1, secretary_person, role=CommitteeMember.Role.SECRETARY)
    services.set_committee_member(admin, branch1, member_person, role=CommitteeMember.Role.MEMBER, duty="宣传委员")

    office = grant(make_user("office"), Role.OFFICE, organization=root)
    secretary = grant(make_user("secretary"), Role.SECRETARY, organization=branch1)
    services.update_person(admin, secretary_person, user=secretary)
    scorer = grant(make_user("scorer"), Role.SCORER, unit=department)
    liaison = grant(make_user("liaison"), Role.LIAISON, unit=home_unit)
    handler = grant(make_user("handler"), Role.HANDLER, unit=home_unit)
    member = make_user("member")
    services.update_person(admin, member_person, user=member)

    other_centre = services.create_centre(SYSTEM, name="别区政务服务中心", code="other")
    other_root = services.create_organization(admin, other_centre, name="别区局党组",
                                              kind=Organization.Kind.LEADING_GROUP)
    other_branch = services.create_organization(admin, other_centre, parent=other_root, name="别区党支部",
                                                kind=Organization.Kind.BRANCH)
    other_unit = services.create_unit(admin, other_centre, name="别区税务局")
    other_person = services.create_person(admin, other_centre, name="外人", mobile="13900000009",
                                          political_status=Person.Status.FULL, branch=other_branch,
                                          unit=other_unit, joined_party_on=datetime.date(2001, 1, 1))
    outsider = grant(make_user("outsider"), Role.OFFICE, organization=other_root)

    for user in (admin, member, secretary):
        forget_scope(user)
    return World(
        admin=admin, office=office, secretary=secretary, scorer=scorer, liaison=liaison, handler=handler,
        member=member, outsider=outsider, centre=centre, root=root, floor1=floor1, floor2=floor2,
        branch1=branch1, branch2=branch2, home_unit=home_unit, home_unit2=home_unit2, department=department,
        window1=window1, window2=window2, member_person=member_person, secretary_person=secretary_person,
        branch1_members=[secretary_person, member_person, b1_other], branch2_members=[b2_a, b2_b],
        public_person=public_person, other_centre=other_centre, other_person=other_person,
    )
