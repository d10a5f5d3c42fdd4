"""A whole city for benchmarks: about 300,000 people in about 3,000 units and
10,000 branches, spread over 50 service centres. Bulk writes only (no audit
row per object, one summary row per run): it is a fixture for measuring, not
a record of anybody's work. PostgreSQL."""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.db import transaction

from vanguard.core import audit
from vanguard.core.models import Grant
from vanguard.core.roles import Role

from .models import Floor, Organization, Person, ServiceCentre, Unit, Window
from .names import GIVEN, SURNAMES

CENTRES = 50
UNITS_PER_CENTRE = 60  # 3,000
BRANCHES_PER_CENTRE = 200  # 10,000
FLOORS_PER_CENTRE = 4
WINDOWS_PER_CENTRE = 40
PEOPLE_PER_CENTRE = 6000  # 300,000
BATCH = 5000


def build_city(stdout=None, centres=CENTRES, people_per_centre=PEOPLE_PER_CENTRE, seed=2026):
    def say(text):
        if stdout:
            stdout.write(text)

    if ServiceCentre.objects.filter(code="city-001").exists():
        say("city already built")
        return
    started = time.monotonic()
    rng = random.Random(seed)
    User = get_user_model()
    admin, _ = User.objects.get_or_create(username="admin", defaults={"is_superuser": True, "is_staff": True})
    Grant.objects.get_or_create(user=admin, role=Role.ADMIN, organization=None, unit=None)
    with transaction.atomic():
        centre_objs = ServiceCentre.objects.bulk_create(
            [ServiceCentre(name=f"第{i:03d}政务服务中心", code=f"city-{i:03d}") for i in range(1, centres + 1)])
        units = Unit.objects.bulk_create([
            Unit(centre=c, name=f"{c.code}单位{j:03d}",
                 kind=Unit.Kind.DEPARTMENT if j % 6 == 0 else Unit.Kind.HOME)
            for c in centre_objs for j in range(UNITS_PER_CENTRE)])
        floors = Floor.objects.bulk_create([
            Floor(centre=c, number=n, name=f"{n}层大厅") for c in centre_objs for n in range(1, FLOORS_PER_CENTRE + 1)])
        roots = Organization.objects.bulk_create([
            Organization(centre=c, name=f"{c.name}党组", kind=Organization.Kind.LEADING_GROUP) for c in centre_objs])
        for root in roots:
            root.path = f"/{root.pk}/"
        Organization.objects.bulk_update(roots, ["path"])
        floors_by_centre = {}
        for f in floors:
            floors_by_centre.setdefault(f.centre_id, []).append(f)
        branches = []
        for root in roots:
            for j in range(BRANCHES_PER_CENTRE):
                floor = floors_by_centre[root.centre_id][j] if j < FLOORS_PER_CENTRE else None
                branches.append(Organization(centre_id=root.centre_id, parent=root, name=f"党支部{j:03d}",
                                             kind=Organization.Kind.BRANCH, depth=1, floor=floor))
        branches = Organization.objects.bulk_create(branches, batch_size=BATCH)
        root_path = {r.pk: r.path for r in roots}
        for b in branches:
            b.path = f"{root_path[b.parent_id]}{b.pk}/"
        Organization.objects.bulk_update(branches, ["path"], batch_size=BATCH)
        units_by_centre, branches_by_centre = {}, {}
        for u in units:
            units_by_centre.setdefault(u.centre_id, []).append(u)
        for b in branches:
            branches_by_centre.setdefault(b.centre_id, []).append(b)
        windows = Window.objects.bulk_create([
            Window(centre=c, floor=floors_by_centre[c.pk][k % FLOORS_PER_CENTRE], number=f"W{k:03d}",
                   unit=units_by_centre[c.pk][k % UNITS_PER_CENTRE])
            for c in centre_objs for k in range(WINDOWS_PER_CENTRE)], batch_size=BATCH)
    say(f"centres, units, branches, windows: {time.monotonic() - started:.1f}s")

    windows_by_centre = {}
    for w in windows:
        windows_by_centre.setdefault(w.centre_id, []).append(w)
    serial = 0
    for c in centre_objs:
        batch = []
        for _ in range(people_per_centre):
            serial += 1
            member = rng.random() < 0.6
            batch.append(Person(
                centre=c, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                mobile=f"1{3 + serial // 100_000_000}{serial:09d}",
                political_status=Person.Status.FULL if member else Person.Status.PUBLIC,
                joined_party_on=datetime.date(2000 + serial % 24, 1 + serial % 12, 1) if member else None,
                branch=rng.choice(branches_by_centre[c.pk]) if member else None,
                unit=rng.choice(units_by_centre[c.pk]), window=rng.choice(windows_by_centre[c.pk]),
                transferred_in=member,
            ))
        Person.objects.bulk_create(batch, batch_size=BATCH)
    audit.record(admin, audit.Action.IMPORT, centre_objs[0], {"people": [None, serial]}, verb="city demo")
    say(f"city built: {len(centre_objs)} centres, {len(units)} units, {len(branches)} branches, "
        f"{serial} people in {time.monotonic() - started:.1f}s")
