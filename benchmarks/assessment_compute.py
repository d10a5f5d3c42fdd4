"""Benchmark: publish one month of the dual-hundred assessment for a whole city.

    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_assess python benchmarks/assessment_compute.py

Needs the city-scale demo (`vanguard.org.demo_city.build_city()`, 300,000
people in 50 centres; built here if missing). Gives every centre the demo
scheme (21 + 35 indicators), opens one month per centre and generates a score
for every party member x indicator inside PostgreSQL (INSERT ... SELECT over
a cross join of people and indicators: all 300,000 people are made
members for the measurement, ~17 million rows; `--members-only` keeps the
city's 180,000 members, ~10 million), then times:

- publishing the month in every centre through `services.publish_period`
  (totals, ranks within branch and centre, stars, stored result rows);
- a plain SQL aggregate of the same sums (GROUP BY person, nothing stored);
- an Excel upload of 2,000 people x 35 work indicators through the same
  service as the page;
- computing the automatic indicators of the city month from the records
  (`auto.compute_month` per centre, before publication): the demo scheme's
  rules (12 party indicators from meetings and activities of life, 2 work
  indicators from ratings), over a month of records generated here in SQL:
  five held meetings per branch with every member's attendance (~1.5 million
  rows), six group activities per branch with a third of its members
  (~0.6 million participants), and every person's ratings of the month in the
  ratings' figures. The scorers' generated scores leave the computed
  indicators out. Goal <= 30 s; a second pass with nothing moved (the
  fingerprint check the grid makes) is printed too.

Prints the times, their ratio, peak memory of this process and the machine's
load average at each step. Goals: publication <= 30 s and <= 2x the plain
aggregate; upload <= 10 s; automatic indicators <= 30 s. Exit status 1 when a goal is missed. `--keep`
leaves the month's data in place (it is removed otherwise, the city stays).
"""

import argparse
import datetime
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

MONTH = datetime.date(2026, 9, 1)
UPLOAD_MONTH = datetime.date(2026, 10, 1)
UPLOAD_PEOPLE = 2000


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load():
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def setup():
    url = os.environ.get("VANGUARD_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set VANGUARD_DATABASE_URL to a PostgreSQL database (e.g. .../vg_assess).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def prepare(everyone, reuse=False):
    from assessment_data import ensure_schemes, insert_scores
    from django.db import connection

    from vanguard.assessment import services
    from vanguard.assessment.models import ComputedRow, Period, Result, Score
    from vanguard.core.models import User
    from vanguard.org.demo_city import build_city
    from vanguard.org.models import Person, ServiceCentre

    build_city(stdout=sys.stdout)
    admin = User.objects.get(username="admin")
    centres = list(ServiceCentre.objects.filter(code__startswith="city-").order_by("pk"))
    existing = list(Period.objects.filter(centre__in=centres, month=MONTH).order_by("pk"))
    if reuse and len(existing) == len(centres):
        # Same scores, published again: results removed, the months back to scoring.
        Period.objects.filter(centre__in=centres).exclude(month=MONTH).delete()
        Result.objects.filter(period__in=existing).delete()
        Period.objects.filter(pk__in=[p.pk for p in existing]).update(status="scoring", published_at=None,
                                                                       publicity_ends=None, auto_computed_at=None,
                                                                       auto_inputs=None)
        # The automatic cells are computed afresh (timed from nothing, as the first time).
        Score.objects.filter(period__in=existing).exclude(indicator__auto_formula="").delete()
        ComputedRow.objects.filter(period__in=existing).delete()
        with connection.cursor() as cur:
            # A fresh month has no dead result rows in the indexes; neither should a rerun.
            cur.execute("VACUUM ANALYZE assessment_result")
            cur.execute("VACUUM ANALYZE assessment_score")
        count = Score.objects.filter(period__in=existing).count()
        print(f"reusing {count:,} scores ({load()})")
        return admin, centres, list(Period.objects.filter(pk__in=[p.pk for p in existing]).order_by("pk")), count
    if everyone:
        # Everyone assessed: make all staff party members (benchmark data only).
        Person.objects.filter(centre__in=centres, branch__isnull=True).update(political_status="full")
        with connection.cursor() as cur:
            cur.execute("""UPDATE org_person p SET branch_id = (
                SELECT o.id FROM org_organization o WHERE o.centre_id = p.centre_id AND o.kind = 'branch'
                ORDER BY o.id OFFSET (p.id % 200) LIMIT 1) WHERE p.branch_id IS NULL
                AND p.centre_id IN (SELECT id FROM org_servicecentre WHERE code LIKE 'city-%%')""")
    Result.objects.filter(period__centre__in=centres).delete()
    Score.objects.filter(period__centre__in=centres).delete()
    Period.objects.filter(centre__in=centres).delete()
    ensure_schemes(admin, centres, valid_from=datetime.date(2026, 1, 1), rules=True)
    periods = [services.open_period(admin, c, MONTH) for c in centres]
    started = time.monotonic()
    inserted = insert_scores([p.pk for p in periods], admin.pk)
    print(f"scores generated in PostgreSQL: {inserted:,} in {time.monotonic() - started:.1f}s ({load()})")
    return admin, centres, periods, inserted


LIFE_KINDS = ["members", "committee", "group", "lesson", "theme_day"]


def generate_records(centres):
    """A month of records for every city centre, in SQL (no audit rows: a fixture)."""
    from django.db import connection, transaction

    from vanguard.life.models import (
        DEFAULT_ACTIVITY_KINDS,
        Activity,
        ActivityKind,
        ActivityParticipant,
        Attendance,
        Meeting,
    )
    from vanguard.ratings.models import SatisfactionStat

    ids = [c.pk for c in centres]
    started = time.monotonic()
    first = MONTH
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Attendance._meta.db_table} WHERE meeting_id IN (SELECT id FROM "
                    f"{Meeting._meta.db_table} WHERE centre_id = ANY(%s))", [ids])
        cur.execute(f"DELETE FROM {Meeting._meta.db_table} WHERE centre_id = ANY(%s)", [ids])
        cur.execute(f"DELETE FROM {ActivityParticipant._meta.db_table} WHERE activity_id IN (SELECT id FROM "
                    f"{Activity._meta.db_table} WHERE centre_id = ANY(%s))", [ids])
        cur.execute(f"DELETE FROM {Activity._meta.db_table} WHERE centre_id = ANY(%s)", [ids])
        cur.execute(f"DELETE FROM {SatisfactionStat._meta.db_table} WHERE centre_id = ANY(%s) AND period = 'month' "
                    "AND start = %s", [ids, first])
        for n, (code, name, hours) in enumerate(DEFAULT_ACTIVITY_KINDS):
            cur.execute(f"""INSERT INTO {ActivityKind._meta.db_table} (centre_id, code, name, counts_hours, is_active,
                sort_order) SELECT c, %s, %s, %s, TRUE, %s FROM unnest(%s::int[]) c
                ON CONFLICT (centre_id, code) DO NOTHING""", [code, name, hours, n, ids])
        cur.execute(f"""INSERT INTO {Meeting._meta.db_table} (centre_id, organization_id, kind, topic, starts_at, ends_at,
            date, place, minutes, resolutions, status, created_at, updated_at)
            SELECT o.centre_id, o.id, k.kind, '学习', s.at, s.at + interval '2 hours', s.at::date, '', '', '', 'held',
                   now(), now()
            FROM org_organization o CROSS JOIN unnest(%s::text[]) WITH ORDINALITY k(kind, n)
            CROSS JOIN LATERAL (SELECT (%s::date + (k.n * 4)::int + time '09:00')::timestamptz AS at) s
            WHERE o.centre_id = ANY(%s) AND o.kind = 'branch'""", [LIFE_KINDS, first, ids])
        meetings = cur.rowcount
        cur.execute(f"""INSERT INTO {Attendance._meta.db_table} (meeting_id, person_id, status, method, leave_reason,
            makeup_note, makeup_on)
            SELECT m.id, p.id, CASE WHEN r < 0.9 THEN 'present' WHEN r < 0.95 THEN 'leave' ELSE 'absent' END,
                   '', CASE WHEN r >= 0.9 AND r < 0.95 THEN '出差' ELSE '' END, '',
                   CASE WHEN r >= 0.9 AND r < 0.925 THEN m.date + 3 END
            FROM {Meeting._meta.db_table} m JOIN org_person p ON p.branch_id = m.organization_id AND p.is_active
            CROSS JOIN LATERAL (SELECT random() + 0 * p.id AS r) x
            WHERE m.centre_id = ANY(%s)""", [ids])
        attendance = cur.rowcount
        cur.execute(f"""INSERT INTO {Activity._meta.db_table} (centre_id, organization_id, kind_id, date, hours, place,
            description, evidence, is_group, status, refusal_reason, created_at)
            SELECT o.centre_id, o.id, ak.id, %s::date + ak.sort_order * 3, 1 + ak.sort_order %% 3, '', '集体活动', '',
                   TRUE, 'approved', '', now()
            FROM org_organization o JOIN {ActivityKind._meta.db_table} ak ON ak.centre_id = o.centre_id
            WHERE o.centre_id = ANY(%s) AND o.kind = 'branch'""", [first, ids])
        activities = cur.rowcount
        cur.execute(f"""INSERT INTO {ActivityParticipant._meta.db_table} (activity_id, person_id)
            SELECT a.id, p.id FROM {Activity._meta.db_table} a
            JOIN org_person p ON p.branch_id = a.organization_id AND p.is_active AND (p.id + a.id) %% 3 = 0
            WHERE a.centre_id = ANY(%s)""", [ids])
        participants = cur.rowcount
        # Each person's ratings of the month, as the ratings' figures hold them (and each centre's total).
        cur.execute(f"""INSERT INTO {SatisfactionStat._meta.db_table} (centre_id, dimension, key, period, start,
            n5, n4, n3, n2, n1, n_default, n_flagged, n_set_aside)
            SELECT p.centre_id, 'person', p.id, 'month', %s, 20 + p.id %% 7, 3, 1, (p.id %% 11 = 0)::int,
                   (p.id %% 17 = 0)::int, 1, 0, 0
            FROM org_person p WHERE p.centre_id = ANY(%s)""", [first, ids])
        stats = cur.rowcount
        cur.execute(f"""INSERT INTO {SatisfactionStat._meta.db_table} (centre_id, dimension, key, period, start,
            n5, n4, n3, n2, n1, n_default, n_flagged, n_set_aside)
            SELECT centre_id, 'centre', centre_id, 'month', %s, SUM(n5), SUM(n4), SUM(n3), SUM(n2), SUM(n1),
                   SUM(n_default), 0, 0
            FROM {SatisfactionStat._meta.db_table} WHERE dimension = 'person' AND period = 'month' AND start = %s
              AND centre_id = ANY(%s) GROUP BY centre_id""", [first, first, ids])
    with connection.cursor() as cur:
        for model in (Meeting, Attendance, Activity, ActivityParticipant, SatisfactionStat):
            cur.execute(f"ANALYZE {model._meta.db_table}")
    print(f"records generated: {meetings:,} meetings, {attendance:,} attendances, {activities:,} activities, "
          f"{participants:,} participants, {stats:,} people's rating figures in "
          f"{time.monotonic() - started:.1f}s ({load()})")
    return attendance + participants + stats


def kept_records(centres):
    """With --reuse: the month's records kept by an earlier run with --keep (None: none kept)."""
    from vanguard.life.models import ActivityParticipant, Attendance
    from vanguard.ratings.models import SatisfactionStat

    attendance = Attendance.objects.filter(meeting__centre__in=centres, meeting__date__gte=MONTH).count()
    if not attendance:
        return None
    participants = ActivityParticipant.objects.filter(activity__centre__in=centres, activity__date__gte=MONTH).count()
    stats = SatisfactionStat.objects.filter(centre__in=centres, dimension="person", period="month", start=MONTH).count()
    print(f"reusing the kept records: {attendance:,} attendances, {participants:,} participants, "
          f"{stats:,} people's rating figures ({load()})")
    return attendance + participants + stats


def backend_cpu(cursor):
    """CPU seconds (user + system) the database server process of this connection has used, from
    /proc (the server runs on this machine): on a loaded machine a steadier figure than the clock."""
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_automatic(periods):
    from django.db import connection

    from vanguard.assessment import auto
    from vanguard.assessment.models import ComputedRow, Score

    rules = auto.rules_of(periods[0])
    print(f"automatic indicators: {len(rules)} rules x {len(periods)} centres ({load()})")
    with connection.cursor() as cur:
        server_before = backend_cpu(cur)
    client_before = time.process_time()
    started = time.monotonic()
    written, each = 0, []
    for period in periods:
        at = time.monotonic()
        n = auto.compute_month(period)
        written += n
        each.append((time.monotonic() - at, n))
    elapsed = time.monotonic() - started
    client = time.process_time() - client_before
    with connection.cursor() as cur:
        server_after = backend_cpu(cur)
    server = None if server_before is None or server_after is None else server_after - server_before
    with connection.cursor() as cur:
        cur.execute(f"SELECT SUM(party_cells + work_cells) FROM {ComputedRow._meta.db_table} WHERE period_id = ANY(%s)",
                    [[p.pk for p in periods]])
        cells = cur.fetchone()[0] or 0
    print(f"automatic indicators: {written:,} people's rows ({cells:,} cells) computed in {elapsed:.2f}s; "
          f"CPU: this process {client:.2f}s, database server "
          f"{'n/a' if server is None else f'{server:.2f}s'} ({load()})")
    seconds = sorted(t for t, _n in each)
    print(f"per centre: median {seconds[len(seconds) // 2]:.2f}s, fastest {seconds[0]:.2f}s, slowest "
          f"{seconds[-1]:.2f}s, {written // len(periods):,} rows each")
    started = time.monotonic()
    again = sum(auto.ensure_computed(period) for period in periods)
    check = time.monotonic() - started
    print(f"fingerprint check with nothing moved: {again} cells rewritten, {check:.2f}s for the city "
          f"({check / len(periods) * 1000:.0f} ms a centre) ({load()})")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE " + Score._meta.db_table)
        cur.execute("VACUUM ANALYZE " + ComputedRow._meta.db_table)
    return elapsed, written, check


def time_publication(admin, periods):
    from vanguard.assessment import services
    from vanguard.assessment.models import Result

    print(f"publishing {len(periods)} centres' month ({load()})")
    started = time.monotonic()
    for period in periods:
        services.publish_period(admin, period)
    elapsed = time.monotonic() - started
    count = Result.objects.filter(period__in=periods).count()
    stars = Result.objects.filter(period__in=periods, is_star=True).count()
    print(f"publication: {elapsed:.2f}s for {count:,} results, {stars:,} stars")
    return elapsed


def phases(period):
    """Where one centre's publication goes, in a transaction rolled back: computing the month
    (compute.compute_month), inserting the result rows, and checking their four foreign keys
    (period, person, branch, unit: deferred to the commit, forced here), beside the plain
    aggregate of the same centre. Printed with the load."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vanguard.assessment import compute
    from vanguard.assessment.models import Result

    times = {}
    with transaction.atomic(), connection.cursor() as cur:
        Result.objects.filter(period=period).delete()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, step in (("compute", lambda: compute.compute_month(period)),
                           ("insert", lambda: compute.insert_results(period, timezone.now(), computed=True)),
                           ("foreign keys", lambda: cur.execute("SET CONSTRAINTS ALL IMMEDIATE")),
                           ("plain aggregate", lambda: cur.execute(*plain_aggregate_sql(period)))):
            started = time.monotonic()
            step()
            times[name] = time.monotonic() - started
        transaction.set_rollback(True)
    print("one centre: " + ", ".join(f"{name} {seconds:.3f}s" for name, seconds in times.items()) + f" ({load()})")
    return times


def plain_aggregate_sql(period):
    """The yardstick: the same sums as a bare GROUP BY, nothing stored: the scores entered and
    each person's computed row (its parts' sums). (sql, params)"""
    from vanguard.assessment.models import ComputedRow, Indicator, Part, Score

    score_t, ind_t, row_t = Score._meta.db_table, Indicator._meta.db_table, ComputedRow._meta.db_table
    return f"""
SELECT COUNT(*), SUM(party), SUM(work) FROM (
  SELECT person_id, SUM(party) AS party, SUM(work) AS work FROM (
    SELECT s.person_id,
      CASE WHEN i.part = %s THEN s.points ELSE 0 END AS party,
      CASE WHEN i.part = %s THEN s.points ELSE 0 END AS work
    FROM {score_t} s JOIN {ind_t} i ON i.id = s.indicator_id
    WHERE s.period_id = %s
    UNION ALL
    SELECT person_id, party_sum, work_sum FROM {row_t} WHERE period_id = %s) u
  GROUP BY person_id) t""", [Part.PARTY, Part.WORK, period.pk, period.pk]


def time_plain_aggregate(periods):
    from django.db import connection, transaction

    from vanguard.assessment.compute import tune

    print(f"plain aggregate ({load()})")
    started = time.monotonic()
    people = 0
    with transaction.atomic(), connection.cursor() as cur:
        # The same session settings as publication (compute.tune), so only the work differs.
        tune(cur)
        for period in periods:
            cur.execute(*plain_aggregate_sql(period))
            people += cur.fetchone()[0]
    elapsed = time.monotonic() - started
    print(f"plain SQL aggregate of the same sums: {elapsed:.2f}s for {people:,} people")
    return elapsed


def time_upload(admin, centre):
    from openpyxl import load_workbook

    from vanguard.assessment import services, workbook
    from vanguard.assessment.models import Part

    period = services.open_period(admin, centre, UPLOAD_MONTH)
    data = workbook.template(admin, period, Part.WORK)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[workbook.SHEET]
    if ws.max_row > UPLOAD_PEOPLE + 1:
        ws.delete_rows(UPLOAD_PEOPLE + 2, ws.max_row - UPLOAD_PEOPLE - 1)
    people = ws.max_row - 1
    columns = ws.max_column - workbook.FIRST_INDICATOR_COLUMN + 1
    # As an office fills it: points in the hand-scored columns; the computed cells (the template
    # gives them filled in with the rule's points) and the note columns are left as they came, so
    # nothing is overridden (an override needs a reason and is audited one by one).
    notes_from = workbook.FIRST_INDICATOR_COLUMN + len(period.scheme.indicators.filter(part=Part.WORK))
    for row in ws.iter_rows(min_row=2, min_col=workbook.FIRST_INDICATOR_COLUMN, max_col=notes_from - 1):
        for cell in row:
            if cell.value is None:
                cell.value = 2
    out = io.BytesIO()
    wb.save(out)
    print(f"Excel upload: {people} people x {columns} indicators ({load()})")
    started = time.monotonic()
    saved = workbook.upload(admin, period, io.BytesIO(out.getvalue()))
    elapsed = time.monotonic() - started
    print(f"Excel upload: {saved:,} cells saved in {elapsed:.2f}s")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members-only", action="store_true",
                        help="assess only the city's party members (~10M scores) instead of all 300,000 people")
    parser.add_argument("--keep", action="store_true", help="leave the month's data in place")
    parser.add_argument("--auto-only", action="store_true",
                        help="time the automatic indicators only (no publication, no upload)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep before: publish the kept month's scores again instead of generating them")
    args = parser.parse_args()
    setup()
    print(f"machine: {os.cpu_count()} cores, {load()}")
    admin, centres, periods, scores = prepare(not args.members_only, reuse=args.reuse)
    records = kept_records(centres) if args.reuse else None
    if records is None:
        records = generate_records(centres)
    automatic, computed, check = time_automatic(periods)
    if args.auto_only:
        print(f"automatic indicators: {automatic:.2f}s for {computed:,} cells (goal <= 30 s)")
        print(f"fingerprint check:   {check:.2f}s for the city, nothing moved")
        print(f"load average now:    {load()}")
        return 0 if automatic <= 30 else 1
    published = time_publication(admin, periods)
    peak = rss_mb()
    for period in periods[:3]:
        phases(period)
    plain = time_plain_aggregate(periods)
    upload = time_upload(admin, centres[0])
    ratio = published / plain if plain else float("inf")
    print()
    print(f"scores:              {scores:,}")
    print(f"publication:         {published:.2f}s (goal <= 30 s)")
    print(f"plain aggregate:     {plain:.2f}s")
    print(f"ratio:               {ratio:.2f}x (goal <= 2x)")
    print(f"Excel upload:        {upload:.2f}s (goal <= 10 s)")
    print(f"records:             {records:,} rows (attendance, participants, rating figures)")
    print(f"automatic indicators: {automatic:.2f}s for {computed:,} cells (goal <= 30 s)")
    print(f"fingerprint check:   {check:.2f}s for the city, nothing moved")
    print(f"peak memory (python): {peak:.0f} MB")
    print(f"load average now:    {load()}")
    if not args.keep:
        from vanguard.assessment.models import Period

        Period.objects.filter(centre__in=centres).delete()
    ok = published <= 30 and ratio <= 2 and upload <= 10 and automatic <= 30
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
