"""Benchmark: a city's few years of cases (诉求件) - the periodic sweep and a unit's pages.

    createdb -h 127.0.0.1 -U postgres vg_cases
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_cases \\
        python benchmarks/case_sweep.py [--cases 1000000] [--units 200] [--days 1095] [--repeat 5]

Builds a centre of its own with --units units and --cases cases spread over --days days (one
INSERT ... SELECT from generate_series): the older ones closed, answered on time or not and
called back; those of the last three weeks open (awaiting acceptance or being handled) with
deadlines around today, so the first sweep has thousands of cases becoming overdue and due
for a reminder. Then measures:

- the sweep (`vanguard.cases.sweep.sweep`): a first run catching up (every newly overdue case
  recorded once, reminders, their steps, one notice per unit, one audit row per centre), and a
  second run right after (nothing new: the steady state of a run every 10 minutes);
- a unit's handler's pages: the case list (its to-do queue, and all its cases) and the figures
  page, as the handler (median of --repeat requests through Django's test client).

Prints every figure with the load average beside it. Goals on a 2-core machine: the sweep
<= 10 s, the list and figures <= 300 ms."""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

from rating_ingest import setup_django  # noqa: E402

GOAL_SWEEP_S = 10
GOAL_PAGE_MS = 300


def load():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def say(label, value, goal=None):
    verdict = "" if goal is None else ("  (goal met)" if value <= goal else "  (GOAL MISSED)")
    print(f"{label:<48} {value:>10.3f}{verdict}   [{load()}]", flush=True)


def build(cases, units, days):
    from django.db import connection, transaction
    from django.utils import timezone

    from vanguard.core.models import Grant, User
    from vanguard.core.roles import Role
    from vanguard.org.models import Organization, ServiceCentre, Unit

    code = f"cs{uuid.uuid4().hex[:6]}"
    with transaction.atomic():
        centre = ServiceCentre.objects.create(name=f"诉求基准中心{code}", code=code)
        root = Organization.objects.create(centre=centre, name="基准局党组", kind=Organization.Kind.LEADING_GROUP)
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        made = Unit.objects.bulk_create([Unit(centre=centre, name=f"基准单位{n:04d}") for n in range(units)])
        handler = User.objects.create_user(username=f"{code}-handler")
        Grant.objects.create(user=handler, role=Role.HANDLER, unit=made[0])
        office = User.objects.create_user(username=f"{code}-office")
        Grant.objects.create(user=office, role=Role.OFFICE, organization=root)
    unit_ids = [u.pk for u in made]
    today = timezone.localdate()
    started = time.perf_counter()
    prefix = code[2:6].upper()
    sql = """
    INSERT INTO cases_case (number, centre_id, kind, source, source_ref, content, public_content, anonymous,
        contact_name, contact_mobile, mobile_verified, status, round, received_at, received_on, dispatched_at,
        accept_due, accepted_at, due, return_reason, overdue_at, overdue_stage, supervision_note, extension,
        extension_reason, answer, action_taken, upheld, answered_at, answered_on_time, callback, called_back_at,
        closed_at, decision_note, unit_id)
    SELECT %(prefix)s || lpad(g::text, 9, '0'), %(centre)s,
        (ARRAY['complaint','complaint','complaint','complaint','suggestion','suggestion','suggestion','help',
               'help','praise'])[1 + g %% 10],
        (ARRAY['signboard','phone','letter','api'])[1 + g %% 4], '', '窗口等候时间太长', '窗口等候时间太长',
        g %% 3 = 0, '', CASE WHEN g %% 3 = 0 THEN '' ELSE '139' || lpad((g %% 100000000)::text, 8, '0') END,
        g %% 3 <> 0,
        CASE WHEN d > 21 THEN 'closed' WHEN g %% 2 = 0 THEN 'dispatched' ELSE 'accepted' END, 1,
        r, r::date, r, r::date + 1, CASE WHEN d > 21 OR g %% 2 = 1 THEN r + interval '3 hours' END,
        r::date + 7 + (g %% 4), '', NULL, '', '', '', '', '', '',
        CASE WHEN d > 21 AND g %% 10 < 4 THEN g %% 5 = 0 END,
        CASE WHEN d > 21 THEN r + interval '4 days' END, CASE WHEN d > 21 THEN g %% 13 <> 0 END,
        CASE WHEN d > 21 AND g %% 3 <> 0 THEN (ARRAY['satisfied','satisfied','basic','dissatisfied'])[1 + g %% 4]
             ELSE '' END,
        CASE WHEN d > 21 AND g %% 3 <> 0 THEN r + interval '5 days' END,
        CASE WHEN d > 21 THEN r + interval '5 days' END, '', (%(units)s::bigint[])[1 + g %% %(n_units)s]
    FROM (SELECT g, (g %% %(days)s) AS d,
                 (%(today)s::date - (g %% %(days)s)) + time '09:00' + (g %% 480) * interval '1 minute' AS r
          FROM generate_series(1, %(cases)s) AS g) AS s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"prefix": prefix, "centre": centre.pk, "units": unit_ids, "n_units": len(unit_ids),
                             "days": days, "today": today, "cases": cases})
        cursor.execute("ANALYZE cases_case")
    print(f"built {cases:,} cases over {days} days for {units} units in {time.perf_counter() - started:.1f} s "
          f"[{load()}]", flush=True)
    return centre, handler, office


def timed_get(client, url, repeat):
    client.get(url)  # warm: templates compiled, the session and scope read once
    times = []
    for _i in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from vanguard.cases.models import Case
    from vanguard.cases.sweep import sweep

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages render with the plain static names (no collectstatic manifest needed here).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    centre, handler, office = build(args.cases, args.units, args.days)
    print(f"open cases of the centre: {Case.objects.filter(centre=centre).open().count():,}; "
          f"all cases in the database: {Case.objects.count():,}", flush=True)

    started = time.perf_counter()
    first = sweep()
    say(f"sweep, first run (overdue {first['overdue']}, reminded {first['reminded']}) s",
        time.perf_counter() - started, GOAL_SWEEP_S)
    started = time.perf_counter()
    second = sweep()
    say(f"sweep, next run (overdue {second['overdue']}, reminded {second['reminded']}) s",
        time.perf_counter() - started, GOAL_SWEEP_S)

    client = Client()
    client.force_login(handler)
    year = timezone.localdate().year
    for label, url in (("unit's case list (its to-do queue) ms", "/cases/"),
                       ("unit's case list (all its cases) ms", "/cases/?status="),
                       ("unit's case list (open cases) ms", "/cases/?status=open"),
                       ("unit's figures page (by post, this year) ms", f"/cases/figures/?year={year}&by=post"),
                       ("unit's figures page (by unit, this year) ms", f"/cases/figures/?year={year}")):
        say(label, timed_get(client, url, args.repeat), GOAL_PAGE_MS)
    client.force_login(office)
    say("office's figures page (the whole centre, this year) ms",
        timed_get(client, f"/cases/figures/?year={year}", max(1, args.repeat // 2)))
    say("office's case list (the whole centre) ms", timed_get(client, "/cases/", args.repeat))


if __name__ == "__main__":
    main()
