"""Pledge wall and city figures at Harbin's scale, on PostgreSQL.

    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_pledges \\
        python benchmarks/pledge_wall.py [--rounds 60]

Builds (once; a rerun reuses it; --rebuild starts again) one city-sized centre with 65 units, 10,000 branches
(each branch in one unit, as a unit's branches are),
310,000 party members and 479,000 pledges of this year (342,000 judged kept, as Harbin
reports), by bulk SQL without audit rows: a fixture for measuring, not anybody's work. The
figures table (PledgeStat) is then recounted by the service's own refresh_stats.

Measures, each with the load average beside it (the machine is shared):
- a branch's public pledge wall, /w/<branch>/ through the Django test client (view, two
  queries, template), over --rounds random branches: goal <= 100 ms median;
- the city's pledge figures: selectors.figures over PledgeStat, in total and per centre and
  per unit, and the office's figures page: goal <= 300 ms; and, for comparison, the same
  totals counted straight from the 479,000 pledges (what the pre-aggregation saves)."""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MEMBERS = 310_000
PLEDGES = 479_000
KEPT = 342_000
PARTLY = 80_000
NOT_KEPT = 37_000
BRANCHES = 10_000
UNITS = 65
CODE = "bench-pledges"


def load():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
    if not os.environ.get("VANGUARD_DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set VANGUARD_DATABASE_URL to a PostgreSQL database (the benchmark measures PostgreSQL).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(year, rebuild=False):
    from django.db import connection, transaction

    from vanguard.org.models import Organization, ServiceCentre, Unit
    from vanguard.pledges import services
    from vanguard.pledges.models import Pledge

    centre = ServiceCentre.objects.filter(code=CODE).first()
    if centre and rebuild:
        from vanguard.pledges.models import PledgeStat

        PledgeStat.objects.filter(centre=centre).delete()
        with connection.cursor() as c:  # raw: the ORM's cascade would list 479,000 ids as parameters
            c.execute("DELETE FROM pledges_pledge WHERE centre_id=%s", [centre.pk])
            c.execute("DELETE FROM org_person WHERE centre_id=%s", [centre.pk])
    if centre and Pledge.objects.filter(centre=centre, year=year).count() == PLEDGES:
        return centre, "kept"
    started = time.monotonic()
    with transaction.atomic():
        if centre is None:
            centre = ServiceCentre.objects.create(name="哈尔滨市（基准）", code=CODE)
        with connection.cursor() as c:
            c.execute("DELETE FROM pledges_pledge WHERE centre_id=%s", [centre.pk])
        root = Organization.objects.filter(centre=centre, parent=None).first() or Organization.objects.create(
            centre=centre, name="市委", kind=Organization.Kind.COMMITTEE)
        Organization.objects.filter(pk=root.pk).update(path=f"/{root.pk}/")
        Unit.objects.bulk_create([Unit(centre=centre, name=f"基准单位{i:02d}") for i in range(
            Unit.objects.filter(centre=centre).count(), UNITS)])
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM org_organization WHERE centre_id=%s AND kind='branch'", [centre.pk])
            have = c.fetchone()[0]
            if have < BRANCHES:
                c.execute("""
                    INSERT INTO org_organization (centre_id, parent_id, name, kind, path, depth, sort_order)
                    SELECT %s, %s, '第' || g || '党支部', 'branch', '', 1, g FROM generate_series(%s::int, %s::int) g""",
                          [centre.pk, root.pk, have + 1, BRANCHES])
                c.execute("UPDATE org_organization SET path = %s || id || '/' WHERE centre_id=%s AND kind='branch'",
                          [f"/{root.pk}/", centre.pk])
            c.execute("SELECT count(*) FROM org_person WHERE centre_id=%s", [centre.pk])
            if c.fetchone()[0] < MEMBERS:
                c.execute("DELETE FROM org_person WHERE centre_id=%s", [centre.pk])
                c.execute("""
                    WITH b AS (SELECT array_agg(id ORDER BY id) a FROM org_organization
                               WHERE centre_id=%(c)s AND kind='branch'),
                         u AS (SELECT array_agg(id ORDER BY id) a FROM org_unit WHERE centre_id=%(c)s)
                    INSERT INTO org_person (centre_id, name, gender, mobile, political_status, joined_party_on,
                        unit_id, branch_id, transferred_in, window_id, job, photo, is_active, user_id,
                        created_at, updated_at)
                    SELECT %(c)s, '党员' || g, '', '', 'full', DATE '2010-07-01',
                           u.a[1 + (g %% %(branches)s) %% %(units)s],
                           b.a[1 + g %% %(branches)s], false, NULL, '窗口工作人员', '', true, NULL, now(), now()
                    FROM generate_series(1, %(members)s) g, b, u""",
                          {"c": centre.pk, "units": UNITS, "branches": BRANCHES, "members": MEMBERS})
            # Every member one pledge, the first 169,000 a second one: 479,000; the first 342,000
            # kept, then 80,000 partly and 37,000 not kept; the other 20,000 approved, not yet judged.
            c.execute("""
                INSERT INTO pledges_pledge (centre_id, person_id, branch_id, unit_id, year, what, deadline, measure,
                    source, status, return_reason, midyear_result, midyear_reason, result, result_reason,
                    reviewed_at, created_at, updated_at)
                SELECT p.centre_id, p.id, p.branch_id, p.unit_id, %(y)s, '为群众办实事第' || n || '项',
                       make_date(%(y)s, 1 + (rn %% 12)::int, 28), '全年不少于' || (10 + rn %% 20) || '件', 'member',
                       'approved', '', '', '',
                       CASE WHEN rn <= %(kept)s THEN 'kept' WHEN rn <= %(partly)s THEN 'partly'
                            WHEN rn <= %(not)s THEN 'not_kept' ELSE '' END,
                       CASE WHEN rn <= %(not)s THEN '年终支部评议' ELSE '' END, now(), now(), now()
                FROM (SELECT p.*, n, row_number() OVER (ORDER BY n, p.id) rn
                      FROM org_person p CROSS JOIN generate_series(1, 2) n
                      WHERE p.centre_id = %(c)s AND (n = 1 OR p.id < (SELECT min(id) FROM org_person
                                                                   WHERE centre_id = %(c)s) + %(second)s)) p""",
                      {"y": year, "c": centre.pk, "kept": KEPT, "partly": KEPT + PARTLY,
                       "not": KEPT + PARTLY + NOT_KEPT, "second": PLEDGES - MEMBERS})
        branch_ids = list(Organization.objects.filter(centre=centre, kind="branch").values_list("pk", flat=True))
        services.refresh_stats(year, branch_ids)
    with connection.cursor() as c:
        for table in ("org_person", "org_organization", "pledges_pledge", "pledges_pledgestat"):
            c.execute(f"ANALYZE {table}")
    return centre, f"built in {time.monotonic() - started:.0f}s"


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def show(label, times, goal=None):
    median = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    verdict = "" if goal is None else f" (goal <= {goal} ms: {'met' if median <= goal else 'MISSED'})"
    print(f"{label}: median {median:.1f} ms, p95 {p95:.1f} ms over {len(times)}{verdict} [{load()}]", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true", help="build the pledges and members again")
    args = parser.parse_args()
    setup_django()
    import random

    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import setup_test_environment

    from vanguard.core.models import User
    from vanguard.org.models import Organization
    from vanguard.pledges import selectors
    from vanguard.pledges.models import Pledge, PledgeStat

    setup_test_environment()
    from django.conf import settings

    # Plain static names (no collectstatic manifest on a development checkout), as the tests do.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    year = datetime.date.today().year
    centre, how = build(year, args.rebuild)
    total, _rows = selectors.figures(PledgeStat.objects.all(), year)
    print(f"data: {how}; this year: {total['members']} members made {total['made']} pledges, "
          f"{total['kept']} kept (partly {total['partly']}, not {total['not_kept']}), kept rate {total['rate']}% "
          f"[{load()}]", flush=True)

    client = Client()
    branches = list(Organization.objects.filter(centre=centre, kind="branch").values_list("pk", flat=True))
    rng = random.Random(15)
    picks = [rng.choice(branches) for _ in range(args.rounds)]
    client.get(f"/w/{picks[0]}/")  # warm the connection and the template cache
    it = iter(picks * 3)

    def wall():
        response = client.get(f"/w/{next(it)}/?year={year}")
        assert response.status_code == 200 and "党员" in response.content.decode()

    from django.core.cache import cache

    cache.clear()
    show("branch pledge wall /w/<branch>/ (page, first view: rendered)", timed(wall, args.rounds))
    show("branch pledge wall /w/<branch>/ (page, again: cached until a pledge changes)", timed(wall, args.rounds),
         goal=100)
    show("branch pledge wall (query only)", timed(lambda: selectors.wall_pledges(rng.choice(branches), year),
                                                  args.rounds))

    stats = PledgeStat.objects.all()
    show("city figures: total (PledgeStat)", timed(lambda: selectors.figures(stats, year), 20), goal=300)
    show("city figures: per centre (PledgeStat)", timed(lambda: selectors.figures(stats, year, "centre"), 20),
         goal=300)
    show("city figures: per unit (PledgeStat)", timed(lambda: selectors.figures(stats, year, "unit"), 20), goal=300)
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin")
    client.force_login(admin)
    show("city figures page /pledges/figures/?by=centre (office)",
         timed(lambda: client.get(f"/pledges/figures/?year={year}&by=centre"), 10), goal=300)

    def straight():
        Pledge.objects.filter(year=year).aggregate(
            made=Count("pk"), members=Count("person_id", distinct=True),
            kept=Count("pk", filter=Q(result="kept")))

    show("for comparison: the same totals counted from the pledges", timed(straight, 3))


if __name__ == "__main__":
    main()
