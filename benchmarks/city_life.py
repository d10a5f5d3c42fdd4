"""Organisational life at city volume, for benchmarks/city_records.py (and so page_latency.py --records).

A year (BENCH_LIFE_MONTHS, default 12) of every branch's meetings at the regulation's cadence
(committee, group meeting and theme day monthly; members' meeting and lesson quarterly; the
life meeting and the appraisal once), every expected member's attendance (most present, some on
leave with half of them made up, some absent; this month's meetings still to come are planned
with attendance pending), and the service activities: each branch's group clean-up and bin duty
every month, community turns and volunteer service every quarter (a third of the branch each
time), and one member in ten's own 1+10 contact a month (the last week's waiting for approval).
One branch in fifty skipped last month's theme day (the overdue list has rows). The kinds of
activity are each centre's defaults.

Bulk SQL (INSERT ... SELECT), no audit rows, skipped when the city's centres already have
meetings. At the demo's city scale (180,000 party members in 50 centres) it writes about
6 million attendance rows and 2 million activity participants.
"""

import os
import time

MONTHS = int(os.environ.get("BENCH_LIFE_MONTHS", "12"))

# (kind, months between meetings, month of the period it falls in (0 = first), day of the month)
SCHEDULE = [
    ("committee", 1, 0, 3),
    ("group", 1, 0, 10),
    ("theme_day", 1, 0, 15),
    ("members", 3, 0, 20),
    ("lesson", 3, 1, 20),
    ("life", 12, 11, 25),
    ("appraisal", 12, 11, 26),
]
# (activity kind code, months between, hours)
GROUP_ACTIVITIES = [("cleanup", 1, 2), ("bin_duty", 1, 2), ("community", 3, 3), ("volunteer", 3, 4)]


def build_city(ctx):
    from django.db import transaction

    from vanguard.life.models import (
        DEFAULT_ACTIVITY_KINDS,
        Activity,
        ActivityKind,
        ActivityParticipant,
        Attendance,
        Meeting,
    )

    ids = [c.pk for c in ctx.centres]
    if not ids or Meeting.objects.filter(centre_id__in=ids).exists():
        return "kept"
    meeting_t, attendance_t = Meeting._meta.db_table, Attendance._meta.db_table
    activity_t, kind_t, participant_t = Activity._meta.db_table, ActivityKind._meta.db_table, \
        ActivityParticipant._meta.db_table
    made = {}
    started = time.monotonic()
    with transaction.atomic(), ctx.connection.cursor() as cur:  # all or nothing: a rerun finds none or all
        cur.execute("SET LOCAL synchronous_commit = off")  # a fixture: nothing acknowledged to anyone
        # The months: the oldest first, this month last.
        months = f"""(SELECT (date_trunc('month', current_date) - (interval '1 month' * g))::date AS first, g
                      FROM generate_series(0, {MONTHS - 1}) g)"""
        schedule = " UNION ALL ".join(
            f"SELECT '{kind}'::text AS kind, {every} AS every, {offset} AS offset_, {day} AS day"
            for kind, every, offset, day in SCHEDULE)
        cur.execute(f"""
            INSERT INTO {meeting_t} (centre_id, organization_id, kind, topic, starts_at, ends_at, date, place,
                minutes, resolutions, status, created_at, updated_at)
            SELECT o.centre_id, o.id, s.kind, '学习贯彻党的创新理论', d.at, d.at + interval '2 hours', d.at::date,
                   '党员活动室', CASE WHEN d.at < now() THEN '会议学习了有关文件，讨论了支部工作。' ELSE '' END, '',
                   CASE WHEN d.at < now() THEN 'held' ELSE 'planned' END, d.at, d.at
            FROM org_organization o
            CROSS JOIN {months} m
            CROSS JOIN ({schedule}) s
            CROSS JOIN LATERAL (SELECT (m.first + (s.day - 1) + time '15:00')::timestamptz AS at) d
            WHERE o.centre_id = ANY(%s) AND o.kind IN ('branch', 'general_branch')
              AND (extract(month FROM m.first)::int - 1) %% s.every = s.offset_
              AND NOT (s.kind = 'theme_day' AND m.g = 1 AND o.id %% 50 = 0)""", [ids])
        made["meetings"] = cur.rowcount
        # Committee meetings expect the committee (about one member in eight here); the others, every member.
        cur.execute(f"""
            INSERT INTO {attendance_t} (meeting_id, person_id, status, method, signed_in_at, leave_reason,
                leave_requested_at, leave_approved_at, makeup_on, makeup_note)
            SELECT m.id, p.id,
                   CASE WHEN m.status = 'planned' THEN 'pending' WHEN x.r < 90 THEN 'present'
                        WHEN x.r < 95 THEN 'leave' ELSE 'absent' END,
                   CASE WHEN m.status = 'held' AND x.r < 90 THEN (CASE WHEN x.r < 60 THEN 'qr' ELSE 'secretary' END)
                        ELSE '' END,
                   CASE WHEN m.status = 'held' AND x.r < 90 THEN m.starts_at + interval '3 minutes' END,
                   CASE WHEN m.status = 'held' AND x.r >= 90 AND x.r < 95 THEN '出差' ELSE '' END,
                   CASE WHEN m.status = 'held' AND x.r >= 90 AND x.r < 95 THEN m.starts_at - interval '1 day' END,
                   CASE WHEN m.status = 'held' AND x.r >= 90 AND x.r < 95 THEN m.starts_at - interval '20 hours' END,
                   CASE WHEN m.status = 'held' AND x.r >= 90 AND x.r < 93 AND m.date + 7 <= current_date
                        THEN m.date + 7 END,
                   CASE WHEN m.status = 'held' AND x.r >= 90 AND x.r < 93 AND m.date + 7 <= current_date
                        THEN '自学会议精神' ELSE '' END
            FROM {meeting_t} m
            JOIN org_person p ON p.branch_id = m.organization_id AND p.is_active
                 AND p.political_status IN ('full', 'probationary')
            CROSS JOIN LATERAL (SELECT ((p.id * 7919 + m.id * 104729) %% 100) AS r) x
            WHERE m.centre_id = ANY(%s) AND (m.kind <> 'committee' OR p.id %% 8 = 0)""", [ids])
        made["attendance rows"] = cur.rowcount
        for n, (code, name, hours) in enumerate(DEFAULT_ACTIVITY_KINDS):
            cur.execute(f"""INSERT INTO {kind_t} (centre_id, code, name, counts_hours, is_active, sort_order)
                SELECT c, %s, %s, %s, TRUE, %s FROM unnest(%s::int[]) c ON CONFLICT (centre_id, code) DO NOTHING""",
                        [code, name, hours, n, ids])
        group = " UNION ALL ".join(f"SELECT '{code}'::text AS code, {every} AS every, {hours} AS hours"
                                   for code, every, hours in GROUP_ACTIVITIES)
        cur.execute(f"""
            INSERT INTO {activity_t} (centre_id, organization_id, kind_id, date, hours, place, description, evidence,
                is_group, status, refusal_reason, decided_at, created_at)
            SELECT o.centre_id, o.id, ak.id, d.day, g.hours, '服务中心周边社区', '支部集体活动', '', TRUE, 'approved', '',
                   d.day + time '18:00', d.day + time '18:00'
            FROM org_organization o
            CROSS JOIN {months} m
            CROSS JOIN ({group}) g
            JOIN {kind_t} ak ON ak.centre_id = o.centre_id AND ak.code = g.code
            CROSS JOIN LATERAL (SELECT (m.first + 5 + 7 * (ak.sort_order %% 3))::date AS day) d
            WHERE o.centre_id = ANY(%s) AND o.kind IN ('branch', 'general_branch')
              AND (extract(month FROM m.first)::int - 1) %% g.every = 0 AND d.day <= current_date""", [ids])
        made["group activities"] = cur.rowcount
        cur.execute(f"""
            INSERT INTO {participant_t} (activity_id, person_id)
            SELECT a.id, p.id FROM {activity_t} a
            JOIN org_person p ON p.branch_id = a.organization_id AND p.is_active
                 AND p.political_status IN ('full', 'probationary') AND (p.id + a.id) %% 3 = 0
            WHERE a.centre_id = ANY(%s) AND a.is_group""", [ids])
        made["participants"] = cur.rowcount
        # One member in ten records a 1+10 contact a month (their own record: one participant, themselves);
        # the ids drawn first, so that the record and its participant are written from the same rows.
        cur.execute(f"""
            WITH src AS MATERIALIZED (
                SELECT nextval(pg_get_serial_sequence('{activity_t}', 'id')) AS id, p.id AS person, p.centre_id,
                       p.branch_id, ak.id AS kind_id, d.day
                FROM org_person p
                JOIN {kind_t} ak ON ak.centre_id = p.centre_id AND ak.code = 'contact'
                CROSS JOIN {months} m
                CROSS JOIN LATERAL (SELECT (m.first + (p.id %% 27)::int)::date AS day) d
                WHERE p.centre_id = ANY(%s) AND p.is_active AND p.branch_id IS NOT NULL
                  AND p.political_status IN ('full', 'probationary') AND p.id %% 10 = m.g %% 10
                  AND d.day <= current_date),
            own AS (
                INSERT INTO {activity_t} (id, centre_id, organization_id, kind_id, date, hours, place, description,
                    evidence, is_group, status, refusal_reason, decided_at, created_at)
                SELECT id, centre_id, branch_id, kind_id, day, 0, '', '走访联系群众', '', FALSE,
                       CASE WHEN day > current_date - 7 THEN 'pending' ELSE 'approved' END, '',
                       CASE WHEN day > current_date - 7 THEN NULL ELSE day + time '20:00' END, day + time '19:00'
                FROM src)
            INSERT INTO {participant_t} (activity_id, person_id) SELECT id, person FROM src""", [ids])
        made["own contacts"] = cur.rowcount
    with ctx.connection.cursor() as cur:
        for table in (meeting_t, attendance_t, kind_t, activity_t, participant_t):
            cur.execute(f"ANALYZE {table}")
    ctx.say(f"  life: {time.monotonic() - started:.0f}s ({ctx.load()})")
    return ", ".join(f"{n:,} {what}" for what, n in made.items())
