"""Assessment records for the city benchmarks, set-based (shared by
benchmarks/assessment_compute.py and benchmarks/city_records.py).

- `ensure_schemes(admin, centres)`: the demo scheme (21 + 35 indicators) in
  every centre that has none, through the service;
- `open_months(centres, months)`: the months as Period rows in one bulk insert
  (no audit row: a fixture), skipping those already open;
- `insert_scores(period_ids, scorer_id)`: a score for every party member x
  indicator of each month in one INSERT ... SELECT inside PostgreSQL, with the
  score table's secondary indexes and foreign-key triggers off while loading
  and rebuilt after (a bulk load), then VACUUM ANALYZE;
- `publish_months(periods, ...)`: publication without the office's steps:
  status, publicity dates and the results' INSERT ... SELECT (`compute.insert_results`,
  the same SQL as `services.publish_period`);
- `copy_results(source, periods)`: older months' results as copies of a
  published month's (no scores behind them), set-based.
"""

import datetime

SCORES_SQL = """
INSERT INTO {score} (period_id, person_id, indicator_id, points, note, scored_by_id, scored_at)
SELECT pe.id, p.id, i.id,
       CASE WHEN i.method = 'yesno' THEN CASE WHEN random() < 0.95 THEN i.maximum ELSE 0 END
            WHEN i.method = 'add' THEN round((i.maximum * random())::numeric, 1)
            ELSE round((i.maximum * (0.75 + random() * 0.25))::numeric, 1) END,
       '', %s, now()
FROM {period} pe
JOIN {person} p ON p.centre_id = pe.centre_id AND p.is_active AND p.branch_id IS NOT NULL
     AND p.political_status IN ('full', 'probationary')
JOIN {indicator} i ON i.scheme_id = pe.scheme_id AND i.auto_formula = ''
WHERE pe.id = ANY(%s)"""


def last_months(count, today=None):
    """The first days of the `count` months up to and including this one, oldest first."""
    today = today or datetime.date.today()
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def ensure_schemes(admin, centres, valid_from=datetime.date(2025, 1, 1), rules=False):
    """The demo scheme in every centre without one; with `rules`, its automatic indicators carry
    their rules (computed from the records, so `insert_scores` leaves them out)."""
    from vanguard.assessment import services
    from vanguard.assessment.models import Scheme
    from vanguard.assessment.scheme_data import indicator_rows

    made = 0
    have = set(Scheme.objects.filter(centre__in=centres).values_list("centre_id", flat=True))
    for centre in centres:
        if centre.pk not in have:
            services.create_scheme(admin, centre, name="双百分考核", indicators=indicator_rows(rules=rules),
                                   valid_from=valid_from, threshold=180,
                                   quota_kind=Scheme.QuotaKind.PERCENT, quota_value=20)
            made += 1
    return made


def open_months(centres, months):
    """Period rows for every centre x month not yet open (scheme: the centre's latest). Returns them all."""
    from vanguard.assessment.models import Period, Scheme
    from vanguard.core.workdays import WorkingCalendar

    schemes = {}
    for scheme in Scheme.objects.filter(centre__in=centres).order_by("valid_from"):
        schemes[scheme.centre_id] = scheme.pk
    have = set(Period.objects.filter(centre__in=centres, month__in=months).values_list("centre_id", "month"))
    calendar = WorkingCalendar()
    due = {m: calendar.add_working_days((m + datetime.timedelta(days=32)).replace(day=1), 4) for m in months}
    Period.objects.bulk_create([
        Period(centre_id=c.pk, month=m, scheme_id=schemes[c.pk], scoring_due=due[m])
        for c in centres for m in months if (c.pk, m) not in have], batch_size=2000)
    return list(Period.objects.filter(centre__in=centres, month__in=months).order_by("month", "centre_id"))


def insert_scores(period_ids, scorer_id):
    """Scores for every member x indicator entered by hand (not the computed ones) of these months
    (PostgreSQL). Returns the rows inserted."""
    from django.db import connection, transaction

    from vanguard.assessment.models import Indicator, Period, Score
    from vanguard.org.models import Person

    table = Score._meta.db_table
    sql = SCORES_SQL.format(score=table, period=Period._meta.db_table, person=Person._meta.db_table,
                            indicator=Indicator._meta.db_table)
    with transaction.atomic(), connection.cursor() as cur:
        # Secondary indexes and foreign-key triggers off while loading, rebuilt after: a bulk load.
        cur.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
                       AND indexname NOT IN (SELECT conname FROM pg_constraint)""", [table])
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute(sql, [scorer_id, list(period_ids)])
        inserted = cur.rowcount
        cur.execute("SET LOCAL session_replication_role = origin")
        for _name, definition in indexes:
            cur.execute(definition)
    with connection.cursor() as cur:
        # What autovacuum does after a bulk insert: hint bits and the visibility map set, statistics fresh.
        cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute(f"ANALYZE {Person._meta.db_table}")
    return inserted


def publish_months(periods, published_at=None):
    """Results of each month through compute.insert_results; the month in publicity (or final when its
    publicity is long over), as `services.publish_period` leaves it, without the audit rows."""
    from django.db import transaction
    from django.utils import timezone

    from vanguard.assessment import compute
    from vanguard.assessment.models import Period, Result

    done = set(Result.objects.filter(period__in=periods).values_list("period_id", flat=True).distinct())
    today = timezone.localdate()
    count = 0
    for period in periods:
        if period.pk in done:
            continue
        now = published_at or timezone_at(period.month + datetime.timedelta(days=40))
        ends = now.date() + datetime.timedelta(days=7)
        with transaction.atomic():
            count += compute.insert_results(period, now)
            Period.objects.filter(pk=period.pk).update(
                status=Period.Status.FINAL if ends < today else Period.Status.PUBLICITY, published_at=now,
                publicity_ends=ends, finalised_at=now + datetime.timedelta(days=8) if ends < today else None)
    return count


def copy_results(source, periods):
    """Results of `periods` (same centre, no scores) as copies of `source`'s current results, in one
    INSERT ... SELECT each: older months of the city fixture, for pages that read results (the
    lists, the member's months) without 10 million scores a month behind them. The months are
    marked published (final) like publish_months does."""
    from django.db import connection, transaction

    from vanguard.assessment import compute
    from vanguard.assessment.models import Period, Result

    columns = ", ".join(compute.FIELDS)
    table = Result._meta.db_table
    count = 0
    for period in periods:
        now = timezone_at(period.month + datetime.timedelta(days=40))
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"INSERT INTO {table} (period_id, version, is_current, change_reason, created_at, {columns}) "
                        f"SELECT %s, 1, true, '', %s, {columns} FROM {table} "
                        f"WHERE period_id = %s AND is_current ORDER BY person_id", [period.pk, now, source.pk])
            count += cur.rowcount
            Period.objects.filter(pk=period.pk).update(
                status=Period.Status.FINAL, published_at=now, publicity_ends=now.date() + datetime.timedelta(days=7),
                finalised_at=now + datetime.timedelta(days=8))
    return count


def timezone_at(day):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
