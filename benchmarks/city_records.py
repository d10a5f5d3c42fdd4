"""The other apps' records for the city dataset (benchmarks/page_latency.py --records).

Bulk SQL (INSERT ... SELECT, generate_series), no audit rows: a fixture for
measuring pages, not anybody's work. Each step is skipped when its rows are
already there, so a rerun reuses them. Volumes, chosen so that the whole
build fits in well under an hour on the shared 2-core machine:

- posts: one per window (2,000; disclosed, named, a few revoked), each with
  two holders from the window's staff;
- transactions and ratings: BENCH_RATINGS_PER_CENTRE per centre (default
  40,000: 2 million in the city) over the last year, through rating_ingest's
  builders (insert_transactions, RATE_UNRATED_SQL), then each centre's figures
  rebuilt;
- audit trail: the row each citizen's rating writes (2 million, one per
  rating, at its time; without hashes: `vanguard audit verify` is not meant
  for this fixture);
- assessment: the demo scheme in every centre and BENCH_ASSESSMENT_MONTHS
  months (default 12: a year) in each, through benchmarks/assessment_data.py
  (set-based): this month scoring, the others published. The newest
  BENCH_SCORED_MONTHS (default 2: this month and the last) have a score for
  every party member x indicator (one INSERT ... SELECT, indexes rebuilt
  after: 180,000 members x 56 indicators, 10 million scores a month), the last
  one published by the product's own INSERT ... SELECT (compute.insert_results);
  the older months' results are copies of it (180,000 a month, 2 million in
  all) without scores behind them: 120 million scores would take an hour to
  build here, and the pages read one month's scores at a time;
- lessons: one a week for a year per centre (2,600); broadcasts: one per lesson
  sent, without per-person messages.

Hook for the other apps' records: every module `benchmarks/city_<app>.py`
(e.g. city_cases.py, city_life.py) that defines

    def build_city(ctx): ...

is called after the steps above, in the order of the file names. `ctx` is a
`CityContext`: `ctx.admin` (the administrator User), `ctx.centres` (the
city's ServiceCentre rows, in pk order), `ctx.connection` (Django's
connection, PostgreSQL), `ctx.say(text)` (prints a line) and `ctx.load()`
(the load average as text). The hook must be idempotent (skip its work when
its rows are already there: page_latency reruns reuse the dataset), bulk
(INSERT ... SELECT or bulk_create, no audit row per object) and return a short
text of what it made ("12,000 cases" or "kept"), which is printed with its time.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

RATINGS_PER_CENTRE = int(os.environ.get("BENCH_RATINGS_PER_CENTRE", "40000"))
ASSESSMENT_MONTHS = int(os.environ.get("BENCH_ASSESSMENT_MONTHS", "12"))
SCORED_MONTHS = int(os.environ.get("BENCH_SCORED_MONTHS", "2"))
HERE = Path(__file__).resolve().parent


def _load():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


class CityContext:
    """What a `benchmarks/city_<app>.py` hook gets (see the module docstring)."""

    def __init__(self, admin, centres, stdout):
        from django.db import connection

        self.admin, self.centres, self.connection, self._stdout = admin, centres, connection, stdout

    def say(self, text):
        self._stdout.write(f"{text}\n")

    @staticmethod
    def load():
        return _load()


def hooks():
    """(name, build_city) of every benchmarks/city_<app>.py that defines one, by file name."""
    import importlib

    found = []
    for path in sorted(HERE.glob("city_*.py")):
        if path.stem == "city_records":
            continue
        module = importlib.import_module(path.stem)
        if callable(getattr(module, "build_city", None)):
            found.append((path.stem, module.build_city))
    return found


def build_records(stdout=sys.stdout):
    from django.db import connection

    from vanguard.core.models import User
    from vanguard.org.models import ServiceCentre

    admin = User.objects.get(username="admin")
    centres = list(ServiceCentre.objects.filter(code__startswith="city-").order_by("pk"))
    steps = [(step.__name__, lambda step=step: step(admin, centres)) for step in (posts, ratings, audit, assessment, lessons)]
    ctx = CityContext(admin, centres, stdout)
    steps += [(name, lambda hook=hook: hook(ctx)) for name, hook in hooks()]
    for name, run in steps:
        started = time.monotonic()
        made = run()
        stdout.write(f"records: {name}: {made} in {time.monotonic() - started:.0f}s ({_load()})\n")
    # VACUUM, not only ANALYZE: a bulk-loaded table has no visibility map, so an index-only scan
    # (a capped count such as the audit trail's) still reads the heap until autovacuum comes by.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def posts(admin, centres):
    from django.db import connection

    from vanguard.posts.models import VanguardPost

    if VanguardPost.objects.filter(centre__in=centres).exists():
        return "kept"
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO posts_vanguardpost (code, name, kind, status, service_scope, complaint_phone, pledge_work,
                pledge_time, pledge_quality, pledge_attitude, photo, disclosed_on, named_on, certificate_number,
                naming_evaluation, revoked_on, revoked_reason, revoking_evaluation, created_at, updated_at,
                centre_id, window_id, unit_id, floor_id, naming_override_reason)
            SELECT 'c' || w.id, w.number || '党员先锋岗', 'window',
                   CASE WHEN w.id % 20 = 0 THEN 'revoked' WHEN w.id % 3 = 0 THEN 'disclosed' ELSE 'named' END,
                   '企业设立登记、变更登记', '12345', '材料一次告知', '即办件当场办结', '首问负责', '微笑服务', '',
                   current_date - 300, CASE WHEN w.id % 3 <> 0 THEN current_date - 200 END,
                   CASE WHEN w.id % 3 <> 0 THEN 'XF' || w.id ELSE '' END, '',
                   CASE WHEN w.id % 20 = 0 THEN current_date - 30 END, '', '', now(), now(),
                   w.centre_id, w.id, w.unit_id, w.floor_id, ''
            FROM org_window w JOIN org_servicecentre c ON c.id = w.centre_id WHERE c.code LIKE 'city-%'""")
        made = cursor.rowcount
        cursor.execute("""
            INSERT INTO posts_postholder (position, sort_order, person_id, post_id)
            SELECT '', h.n, h.person_id, h.post_id FROM (
                SELECT p.id AS person_id, v.id AS post_id,
                       row_number() OVER (PARTITION BY v.id ORDER BY p.id) AS n
                FROM posts_vanguardpost v JOIN org_person p ON p.window_id = v.window_id
                WHERE v.code LIKE 'c%') h WHERE h.n <= 2""")
    return f"{made:,} posts"


def ratings(admin, centres):
    from django.conf import settings
    from django.db import connection
    from rating_ingest import RATE_UNRATED_SQL, insert_transactions

    from vanguard.ratings import figures
    from vanguard.ratings.models import Transaction

    start_day = datetime.date.today() - datetime.timedelta(days=364)
    made = 0
    for centre in centres:
        if Transaction.objects.filter(centre=centre).exists():
            continue
        after = Transaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        insert_transactions(centre, RATINGS_PER_CENTRE, f"{centre.code}-", start_day, rated=True)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(RATE_UNRATED_SQL, {"centre": centre.pk, "tz": settings.TIME_ZONE, "after": after,
                                              "rated": True})
            cursor.execute("SET session_replication_role = DEFAULT")
        figures.rebuild(centre.pk)
        made += RATINGS_PER_CENTRE
    return f"{made:,} transactions and ratings" if made else "kept"


def audit(admin, centres):
    from django.db import connection

    from vanguard.core.models import AuditEntry
    from vanguard.ratings.models import Rating, Transaction

    if AuditEntry.objects.filter(verb="record-rating").exists():
        return "kept"
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {AuditEntry._meta.db_table} (at, actor_name, ip_address, action, verb, model, object_id,
                object_repr, changes, actor_id, centre_id, hash, prev_hash, chain)
            SELECT r.rated_at, 'system', NULL, 'create', 'record-rating', 'ratings.rating', r.id::text,
                   left(t.number, 200), jsonb_build_object('level', jsonb_build_array(NULL, r.level)), NULL,
                   r.centre_id, '', '', 2
            FROM {Rating._meta.db_table} r JOIN {Transaction._meta.db_table} t ON t.id = r.transaction_id
            ORDER BY r.rated_at""")
        return f"{cursor.rowcount:,} audit rows"


def assessment(admin, centres):
    """A year of months in every centre: this month scoring, the others published; scores (every member x
    indicator) in the newest SCORED_MONTHS months, results in every published one."""
    from assessment_data import (
        copy_results,
        ensure_schemes,
        insert_scores,
        last_months,
        open_months,
        publish_months,
    )

    from vanguard.assessment.models import Period, Result, Score

    ensure_schemes(admin, centres)
    months = last_months(ASSESSMENT_MONTHS)
    periods = open_months(centres, months)
    scored = [p for p in periods if p.month in months[-SCORED_MONTHS:]]
    unscored = [p.pk for p in scored if not Score.objects.filter(period=p).exists()]
    scores = insert_scores(unscored, admin.pk) if unscored else 0
    published = [p for p in scored if p.month < months[-1]]
    results = publish_months(published)
    done = set(Result.objects.filter(period__in=periods).values_list("period_id", flat=True).distinct())
    by_centre = {p.centre_id: p for p in published}
    older = [p for p in periods if p.month < months[-SCORED_MONTHS] and p.pk not in done]
    for centre_id, source in by_centre.items():
        results += copy_results(source, [p for p in older if p.centre_id == centre_id])
    Period.objects.filter(pk__in=[p.pk for p in periods if p.month == months[-1]],
                          status=Period.Status.OPEN).update(status=Period.Status.SCORING)
    if not scores and not results:
        return "kept"
    return f"{len(periods):,} months, {scores:,} scores, {results:,} results"


def lessons(admin, centres):
    from django.db import connection

    from vanguard.messaging.models import Lesson

    if Lesson.objects.filter(centre__in=centres).exists():
        return "kept"
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO messaging_lesson (category, title, sms_text, web_body, code, audience, send_at,
                repeat_weekly, series_weeks, urgent, status, created_at, centre_id, created_by_id)
            SELECT 'theory', '第' || w || '周学习', '坚持用党的创新理论武装头脑、指导实践。', '',
                   'L' || c.id || 'w' || w, 'all', now() - (52 - w) * interval '7 days', false, 1, false,
                   CASE WHEN w < 52 THEN 'sent' ELSE 'scheduled' END, now(), c.id, %s
            FROM org_servicecentre c CROSS JOIN generate_series(1, 52) w WHERE c.code LIKE 'city-%%'""",
                       [admin.pk])
        made = cursor.rowcount
        cursor.execute("""
            INSERT INTO messaging_broadcast (title, text, audience, person_ids, send_at, urgent, state, channel,
                total, resolved_at, finished_at, created_at, centre_id, created_by_id, lesson_id)
            SELECT l.title, l.sms_text, 'all', '[]', l.send_at, false, 'done', 'file', 3600, l.send_at,
                   l.send_at + interval '10 minutes', l.created_at, l.centre_id, %s, l.id
            FROM messaging_lesson l WHERE l.status = 'sent' AND l.code LIKE 'L%%w%%'""", [admin.pk])
    return f"{made:,} lessons"
