"""The other apps' records for the city dataset (benchmarks/page_latency.py --records).

Bulk SQL (INSERT ... SELECT, generate_series), no audit rows: a fixture for
measuring pages, not anybody's work. Each step is skipped when its rows are
already there, so a rerun reuses them. Volumes, chosen so that the whole
build fits in about ten minutes on the shared 2-core machine:

- posts: one per window (2,000; disclosed, named, a few revoked), each with
  two holders from the window's staff;
- transactions and ratings: --ratings per centre (default 40,000: 2 million in
  the city) over the last year, through rating_ingest's builders
  (insert_transactions, RATE_UNRATED_SQL), then each centre's figures rebuilt;
- assessment: the demo scheme in every centre; twelve months opened, scored
  (assessment_compute's INSERT ... SELECT, members only) and published in the
  first centre (3,600 members x 56 indicators x 12 months, 2.4 million
  scores); other centres have the scheme and no months;
- lessons: one a week for a year per centre (2,600); broadcasts: one per lesson
  sent, without per-person messages.
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

RATINGS_PER_CENTRE = int(os.environ.get("BENCH_RATINGS_PER_CENTRE", "40000"))


def _load():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def build_records(stdout=sys.stdout):
    from django.db import connection

    from vanguard.core.models import User
    from vanguard.org.models import ServiceCentre

    admin = User.objects.get(username="admin")
    centres = list(ServiceCentre.objects.filter(code__startswith="city-").order_by("pk"))
    for step in (posts, ratings, assessment, lessons):
        started = time.monotonic()
        made = step(admin, centres)
        stdout.write(f"records: {step.__name__}: {made} in {time.monotonic() - started:.0f}s ({_load()})\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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


def assessment(admin, centres):
    from django.db import connection

    from vanguard.assessment import services
    from vanguard.assessment.models import Period, Scheme
    from vanguard.assessment.scheme_data import indicator_rows

    for centre in centres:
        if not Scheme.objects.filter(centre=centre).exists():
            services.create_scheme(admin, centre, name="双百分考核", indicators=indicator_rows(),
                                   valid_from=datetime.date(2025, 1, 1), threshold=180,
                                   quota_kind=Scheme.QuotaKind.PERCENT, quota_value=20)
    first = centres[0]
    if Period.objects.filter(centre=first).exists():
        return "kept"
    today = datetime.date.today()
    months = [datetime.date(today.year - (today.month - k <= 0), (today.month - k - 1) % 12 + 1, 1)
              for k in range(12, 0, -1)]
    for month in months:
        period = services.open_period(admin, first, month)
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO assessment_score (period_id, person_id, indicator_id, points, note, scored_by_id,
                                              scored_at)
                SELECT pe.id, p.id, i.id,
                       CASE WHEN i.method = 'yesno' THEN CASE WHEN random() < 0.95 THEN i.maximum ELSE 0 END
                            WHEN i.method = 'add' THEN round((i.maximum * random())::numeric, 1)
                            ELSE round((i.maximum * (0.75 + random() * 0.25))::numeric, 1) END,
                       '', %s, now()
                FROM assessment_period pe
                JOIN org_person p ON p.centre_id = pe.centre_id AND p.is_active AND p.branch_id IS NOT NULL
                     AND p.political_status IN ('full', 'probationary')
                JOIN assessment_indicator i ON i.scheme_id = pe.scheme_id
                WHERE pe.id = %s""", [admin.pk, period.pk])
        services.publish_period(admin, period, today=month + datetime.timedelta(days=40))
    return f"12 months in {first.code}"


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
