"""Feedback cases (诉求件) at city volume, for benchmarks/city_records.py (and so page_latency.py --records).

A year of complaints, suggestions, requests for help and praise in every centre: BENCH_CASES_PER_CENTRE
(default 2,000: about eight a working day; 100,000 in the 50-centre city), about the centre's posts
(six in ten), its window staff (two in ten) or a home unit, routed to the unit that owns them, with the
centre's default rules' working-day deadlines (the official calendar, core.workdays). States as the
demo's (cases/demo.py) by age: praise closed with thanks; recent ones to dispatch, awaiting acceptance,
returned or being handled (some with an extension asked, some under supervision, the late ones recorded
overdue at acceptance or answer as the sweep records them); older ones answered (one in ten late),
called back when the citizen left a mobile, one dissatisfied call-back in ten redone in a second round
(the recent redos being handled again, a few referred to the office), the others closed. Every case
has its steps (received, dispatched, accepted or returned, supervised, extension asked, overdue,
answered, called back, redone, closed): about 5 a case, 500,000 in the city.

Bulk SQL (INSERT ... SELECT from a temporary table), no audit rows, skipped when the city's centres
already have cases. 82 s on the city with the shared 2-core machine at load 29.
"""

import datetime
import os
import time

PER_CENTRE = int(os.environ.get("BENCH_CASES_PER_CENTRE", "2000"))
DAYS = 365
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _calendar_table(cur, today):
    """_city_wd(day, n, due): `due` is n working days after `day` (the calendar the services use),
    for every day the cases can start a deadline from."""
    from vanguard.core.workdays import WorkingCalendar

    cal = WorkingCalendar()
    rows = []
    for offset in range(-DAYS - 60, 40):
        day = today + datetime.timedelta(days=offset)
        rows += [(day, n, cal.add_working_days(day, n)) for n in (1, 2, 3, 5, 10)]
    cur.execute("CREATE TEMP TABLE _city_wd (day date, n int, due date, PRIMARY KEY (day, n)) ON COMMIT DROP")
    cur.execute("INSERT INTO _city_wd SELECT * FROM unnest(%s::date[], %s::int[], %s::date[])",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]])


def build_city(ctx):
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from vanguard.cases.models import Case, CaseRules, CaseStep

    ids = [c.pk for c in ctx.centres]
    if not ids or Case.objects.filter(centre_id__in=ids).exists():
        return "kept"
    case_t, step_t = Case._meta.db_table, CaseStep._meta.db_table
    today = timezone.localdate()
    started = time.monotonic()
    params = {"ids": ids, "n": PER_CENTRE, "days": DAYS, "today": today, "tz": settings.TIME_ZONE,
              "alphabet": ALPHABET}
    made = {}
    with transaction.atomic(), ctx.connection.cursor() as cur:  # all or nothing: a rerun finds none or all
        cur.execute("SET LOCAL synchronous_commit = off")  # a fixture: nothing acknowledged to anyone
        # Every reference is read from existing rows: no deferred foreign-key check of each row at COMMIT
        # (millions of them took minutes on the city), as city_records' ratings step.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(f"""INSERT INTO {CaseRules._meta.db_table} (centre_id, help_days, complaint_days, suggestion_days,
                            accept_days, remind_days, redo_limit, warn_upheld)
                        SELECT c, 3, 5, 10, 1, 1, 2, 3 FROM unnest(%s::int[]) c
                        ON CONFLICT (centre_id) DO NOTHING""", [ids])
        _calendar_table(cur, today)
        # What a case can be about, numbered per centre: posts, window staff, home units.
        cur.execute("""
            CREATE TEMP TABLE _city_post ON COMMIT DROP AS
            SELECT v.centre_id, row_number() OVER (PARTITION BY v.centre_id ORDER BY v.id) AS k, v.id, v.window_id,
                   COALESCE(v.unit_id, w.unit_id) AS unit_id
            FROM posts_vanguardpost v LEFT JOIN org_window w ON w.id = v.window_id
            WHERE v.centre_id = ANY(%(ids)s) AND COALESCE(v.unit_id, w.unit_id) IS NOT NULL""", params)
        cur.execute("""
            CREATE TEMP TABLE _city_staff ON COMMIT DROP AS
            SELECT centre_id, k, id, window_id, unit_id FROM (
                SELECT p.centre_id, row_number() OVER (PARTITION BY p.centre_id ORDER BY p.id) AS k, p.id,
                       p.window_id, p.unit_id
                FROM org_person p WHERE p.centre_id = ANY(%(ids)s) AND p.is_active AND p.window_id IS NOT NULL
                     AND p.unit_id IS NOT NULL) s WHERE k <= 1000""", params)
        cur.execute("""
            CREATE TEMP TABLE _city_unit ON COMMIT DROP AS
            SELECT centre_id, row_number() OVER (PARTITION BY centre_id ORDER BY id) AS k, id
            FROM org_unit WHERE centre_id = ANY(%(ids)s) AND kind = 'home'""", params)
        for table in ("_city_post", "_city_staff", "_city_unit"):
            cur.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (centre_id, k)")
            cur.execute(f"ANALYZE {table}")
        cur.execute("ANALYZE _city_wd")
        # Each case's story, decided once (pseudo-random from its number in the centre, so reruns agree).
        cur.execute(f"""
            CREATE TEMP TABLE _cc ON COMMIT DROP AS
            WITH sizes AS MATERIALIZED (
                SELECT c, GREATEST((SELECT count(*) FROM _city_post WHERE centre_id = c), 1) AS posts,
                       GREATEST((SELECT count(*) FROM _city_staff WHERE centre_id = c), 1) AS staff,
                       GREATEST((SELECT count(*) FROM _city_unit WHERE centre_id = c), 1) AS units
                FROM unnest(%(ids)s::int[]) c),
            base AS (
                SELECT c, g, nextval(pg_get_serial_sequence('{case_t}', 'id')) AS id,
                       1 + (g * 37 + c) %% %(days)s AS age,
                       (ARRAY['complaint','complaint','complaint','complaint','complaint','suggestion','suggestion',
                              'suggestion','help','help','praise','praise'])[1 + (g * 7 + c) %% 12] AS kind,
                       (g * 13 + c * 7) %% 100 AS r_mobile, (g * 17 + c * 3) %% 100 AS r_about,
                       (g * 29 + c) %% 100 AS roll, (g * 41 + c * 11) %% 100 AS r_new,
                       (g * 53 + c * 5) %% 100 AS r_sup, (g * 61 + c * 13) %% 100 AS r_late,
                       (g * 67 + c * 17) %% 100 AS r_upheld, (g * 71 + c * 19) %% 100 AS r_cb,
                       (g * 79 + c * 23) %% 100 AS r_final
                FROM unnest(%(ids)s::int[]) c CROSS JOIN generate_series(1, %(n)s) g),
            placed AS (
                SELECT b.*, (%(today)s::date - b.age) AS received_on,
                       CASE b.kind WHEN 'help' THEN 3 WHEN 'complaint' THEN 5 ELSE 10 END AS days,
                       CASE WHEN b.r_about < 60 THEN cp.id END AS post_id,
                       CASE WHEN b.r_about >= 60 AND b.r_about < 80 THEN cs.id END AS person_id,
                       CASE WHEN b.r_about < 60 THEN cp.window_id WHEN b.r_about < 80 THEN cs.window_id END
                           AS window_id,
                       CASE WHEN b.r_about < 60 THEN cp.unit_id WHEN b.r_about < 80 THEN cs.unit_id ELSE cu.id END
                           AS unit_id
                FROM base b
                JOIN sizes z ON z.c = b.c
                LEFT JOIN _city_post cp ON cp.centre_id = b.c AND cp.k = 1 + (b.g * 101) %% z.posts
                LEFT JOIN _city_staff cs ON cs.centre_id = b.c AND cs.k = 1 + (b.g * 103) %% z.staff
                LEFT JOIN _city_unit cu ON cu.centre_id = b.c AND cu.k = 1 + (b.g * 107) %% z.units),
            timed AS (
                SELECT p.*,
                       ((p.received_on + time '09:00' + (p.g * 7 %% 480) * interval '1 minute')::timestamp
                           AT TIME ZONE %(tz)s) AS received_at,
                       -- The path: praise / to dispatch / awaiting acceptance / returned / handled further.
                       CASE WHEN p.kind = 'praise' THEN 'praise'
                            WHEN p.age < 21 AND p.r_new < 6 OR p.unit_id IS NULL THEN 'new'
                            WHEN p.age < 14 AND p.roll < 25 THEN 'dispatched'
                            WHEN p.age < 30 AND p.roll < 32 THEN 'returned'
                            WHEN p.age < 20 AND p.roll < 50 THEN 'accepted'
                            ELSE 'answered' END AS path,
                       a.due AS accept_due, d.due AS due1
                FROM placed p
                LEFT JOIN _city_wd a ON a.day = p.received_on AND a.n = 1
                LEFT JOIN _city_wd d ON d.day = p.received_on AND d.n = p.days),
            answered AS (
                SELECT t.*,
                       t.received_at + (1 + t.g %% 20) * interval '1 hour' AS accepted_raw,
                       t.path = 'answered' AND t.r_late < 10 AS late,
                       CASE WHEN t.path = 'answered' THEN
                           CASE WHEN t.r_late < 10 THEN (SELECT due FROM _city_wd WHERE day = t.due1 AND n = 2)
                                -- within its time: 1, 2, 3, 5 or 10 working days, up to the kind's limit
                                ELSE (SELECT due FROM _city_wd WHERE day = t.received_on AND n = (ARRAY[1, 2, 3, 5, 10])[
                                      1 + t.g %% (CASE t.days WHEN 3 THEN 3 WHEN 5 THEN 4 ELSE 5 END)]) END END
                           AS answered_on
                FROM timed t),
            story AS (
                SELECT x.*,
                       LEAST(x.accepted_raw, now() - interval '2 hours') AS accepted_at,
                       LEAST((COALESCE(x.answered_on, x.due1 - 1) + time '15:00')::timestamp AT TIME ZONE %(tz)s,
                             now() - interval '1 hour') AS answered_at,
                       x.path = 'answered' AND x.r_mobile < 60 AND NOT (x.age < 10 AND x.roll < 70) AS called,
                       x.path = 'answered' AND x.r_mobile < 60 AND NOT (x.age < 10 AND x.roll < 70)
                           AND x.r_cb >= 90 AS redo
                FROM answered x)
            SELECT s.*,
                   CASE WHEN s.called THEN LEAST(s.answered_at + interval '1 day', now() - interval '30 minutes')
                        END AS back,
                   CASE WHEN s.redo THEN (SELECT due FROM _city_wd
                                          WHERE day = LEAST((s.answered_at + interval '1 day')::date, %(today)s::date)
                                                AND n = s.days) END AS due2
            FROM story s""", params)
        cur.execute("ANALYZE _cc")
        # Column by column, from the story (the demo's rules; cases/demo.py).
        cur.execute(f"""
            INSERT INTO {case_t} (id, number, centre_id, kind, source, source_ref, content, public_content, post_id,
                window_id, person_id, unit_id, anonymous, contact_name, contact_mobile, mobile_verified, status,
                round, received_at, received_on, dispatched_at, accept_due, accepted_at, due, return_reason,
                reminded_for, overdue_at, overdue_stage, supervised_at, supervision_due, supervision_note,
                extension, extension_days, extension_reason, answer, action_taken, upheld, answered_at,
                answered_on_time, callback, called_back_at, closed_at, decision_note, repeat_of_id, created_by_id)
            SELECT x.id, substr(nr.raw, 1, 4) || '-' || substr(nr.raw, 5, 4) || '-' || substr(nr.raw, 9, 4),
                   x.c, x.kind,
                   (ARRAY['signboard','signboard','signboard','signboard','signboard','phone','phone','phone',
                          'letter','rating_comment','api'])[1 + x.g %% 11],
                   CASE WHEN x.g %% 5 = 0 THEN '12345-' || to_char(x.received_on, 'YYYYMMDD') || '-' || x.g ELSE '' END,
                   t.text, t.text,
                   CASE WHEN x.path <> 'new' THEN x.post_id END, CASE WHEN x.path <> 'new' THEN x.window_id END,
                   CASE WHEN x.path <> 'new' THEN x.person_id END, CASE WHEN x.path <> 'new' THEN x.unit_id END,
                   x.r_mobile >= 60,
                   CASE WHEN x.r_mobile < 60 THEN (CASE WHEN x.g %% 2 = 0 THEN '张先生' ELSE '李女士' END) ELSE '' END,
                   CASE WHEN x.r_mobile < 60 THEN '139' || lpad((x.id %% 100000000)::text, 8, '0') ELSE '' END,
                   x.r_mobile < 60,
                   CASE x.path WHEN 'praise' THEN 'closed' WHEN 'new' THEN 'new' WHEN 'dispatched' THEN 'dispatched'
                        WHEN 'returned' THEN 'returned' WHEN 'accepted' THEN 'accepted'
                        ELSE CASE WHEN x.redo AND x.age < 40 THEN 'accepted'
                                  WHEN x.redo AND x.r_final >= 90 THEN 'deciding'
                                  WHEN x.r_mobile < 60 AND NOT x.called THEN 'answered'
                                  ELSE 'closed' END END,
                   CASE WHEN x.redo THEN 2 ELSE 1 END,
                   x.received_at, x.received_on,
                   CASE WHEN x.path NOT IN ('praise', 'new') THEN x.received_at END,
                   CASE WHEN x.path NOT IN ('praise', 'new') THEN x.accept_due END,
                   CASE WHEN x.path IN ('accepted', 'answered') THEN x.accepted_at END,
                   CASE WHEN x.path IN ('praise', 'new') THEN NULL WHEN x.redo THEN x.due2 ELSE x.due1 END,
                   CASE WHEN x.path = 'returned' THEN '该事项不属于本单位职责' ELSE '' END,
                   NULL,
                   CASE WHEN x.path = 'dispatched' AND x.accept_due < %(today)s::date
                            THEN ((x.accept_due + 1) + time '00:10')::timestamp AT TIME ZONE %(tz)s
                        WHEN (x.path = 'accepted' AND x.due1 < %(today)s::date) OR x.late
                            THEN ((x.due1 + 1) + time '00:10')::timestamp AT TIME ZONE %(tz)s END,
                   CASE WHEN x.path = 'dispatched' AND x.accept_due < %(today)s::date THEN 'accept'
                        WHEN (x.path = 'accepted' AND x.due1 < %(today)s::date) OR x.late THEN 'answer'
                        ELSE '' END,
                   CASE WHEN x.path IN ('accepted', 'answered') AND x.r_sup < 8
                            THEN LEAST(x.accepted_at + interval '1 day', now() - interval '1 hour') END,
                   CASE WHEN x.path IN ('accepted', 'answered') AND x.r_sup < 8 THEN x.due1 END,
                   CASE WHEN x.path IN ('accepted', 'answered') AND x.r_sup < 8 THEN '请单位负责人亲自过问，按期答复'
                        ELSE '' END,
                   CASE WHEN x.path = 'accepted' AND x.roll < 40 THEN 'requested' ELSE '' END,
                   CASE WHEN x.path = 'accepted' AND x.roll < 40 THEN 3 END,
                   CASE WHEN x.path = 'accepted' AND x.roll < 40 THEN '需要调取材料核实' ELSE '' END,
                   CASE WHEN x.path = 'answered' AND NOT (x.redo AND x.age < 40)
                        THEN (ARRAY['经核实情况属实，已对当事人批评教育并整改', '已安排专人负责，问题已解决',
                                    '已采纳建议，将于下月实施', '已电话联系群众说明办理流程'])[1 + x.g %% 4]
                        ELSE '' END,
                   CASE WHEN x.path = 'answered' THEN '约谈当事人，完善服务流程' ELSE '' END,
                   CASE WHEN x.path = 'answered' AND x.kind = 'complaint' THEN x.r_upheld < 40 END,
                   CASE WHEN x.path = 'answered' THEN x.answered_at END,
                   CASE WHEN x.path = 'answered' THEN NOT x.late END,
                   CASE WHEN NOT x.called OR (x.redo AND x.age < 40) THEN ''
                        WHEN x.redo THEN CASE WHEN x.r_final < 50 THEN 'satisfied' ELSE 'dissatisfied' END
                        WHEN x.r_cb < 70 THEN 'satisfied' ELSE 'basic' END,
                   x.back,
                   CASE WHEN x.path = 'praise' THEN x.received_at
                        WHEN x.path <> 'answered' OR (x.redo AND (x.age < 40 OR x.r_final >= 90)) THEN NULL
                        WHEN x.redo THEN LEAST(x.back + interval '4 days', now() - interval '30 minutes')
                        WHEN x.called THEN x.back
                        WHEN x.r_mobile >= 60 THEN x.answered_at END,
                   '', NULL, NULL
            FROM _cc x
            CROSS JOIN LATERAL (SELECT CASE x.kind
                WHEN 'complaint' THEN (ARRAY['窗口人员态度生硬，问了两遍才回答', '材料要求没有一次告知，跑了三趟',
                    '午休时间窗口提前关闭', '叫号后等了四十分钟没人办理', '自助机坏了一周没人修'])[1 + x.g %% 5]
                WHEN 'suggestion' THEN (ARRAY['建议增加周末延时服务', '希望大厅多放几把老花镜',
                    '建议公布各窗口的排队人数', '停车场指示牌不清楚，建议加装'])[1 + x.g %% 4]
                WHEN 'help' THEN (ARRAY['老人不会用自助机，请安排人帮办', '营业执照遗失，不知道怎么补办',
                    '外地社保转入需要什么材料'])[1 + x.g %% 3]
                ELSE (ARRAY['工作人员耐心细致，一次就办好了', '帮我们企业加班加点办完手续，谢谢',
                    '主动上门服务，非常感谢'])[1 + x.g %% 3] END AS text) t
            -- A tracking number in the public alphabet (12 symbols, base 31), distinct per case id.
            CROSS JOIN LATERAL (SELECT string_agg(substr(%(alphabet)s, 1 + (floor((x.id * 7919 + 2458884860942403)
                                       / (31::numeric ^ k)) %% 31)::int, 1), '' ORDER BY k DESC) AS raw
                                FROM generate_series(0, 11) k) nr""", params)
        made["cases"] = cur.rowcount
        cur.execute(f"""
            INSERT INTO {step_t} (case_id, round, action, at, actor_id, actor_name, unit_id, note, public_note, public,
                deadline)
            SELECT x.id, v.round, v.action, v.at, NULL, v.actor, c.unit_id, v.note, v.public_note, v.public,
                   v.deadline
            FROM _cc x JOIN {case_t} c ON c.id = x.id
            LEFT JOIN org_unit u ON u.id = x.unit_id
            CROSS JOIN LATERAL (VALUES
                ('receive', 1, x.received_at, 'system', '', '已受理', TRUE, NULL::date),
                ('thanks', 1, CASE WHEN x.path = 'praise' THEN x.received_at END, 'system', '', '谢谢！您的表扬已转达。',
                 TRUE, NULL),
                ('dispatch', 1, c.dispatched_at, 'system', '', '已转' || u.name || '办理，' || x.due1 || '前答复。', TRUE,
                 x.due1),
                ('return', 1, CASE WHEN x.path = 'returned' THEN x.received_at + interval '3 hours' END, 'handler',
                 c.return_reason, '', FALSE, NULL),
                ('accept', 1, c.accepted_at, 'handler', '', '承办单位已签收。', TRUE, NULL),
                ('supervise', 1, c.supervised_at, 'office', c.supervision_note,
                 '党建科督办，' || x.due1 || '前答复。', TRUE, x.due1),
                ('ask_ext', 1, CASE WHEN c.extension = 'requested' THEN c.accepted_at + interval '5 hours' END,
                 'handler', '3个工作日：需要调取材料核实', '', FALSE, NULL),
                ('overdue', 1, c.overdue_at, 'system',
                 CASE c.overdue_stage WHEN 'accept' THEN '未按时签收' ELSE '未按时答复' END, '', FALSE, NULL),
                ('answer', 1, c.answered_at, 'handler', c.action_taken,
                 CASE WHEN c.answer = '' THEN '已答复' ELSE c.answer END, TRUE, NULL),
                ('call_back', 1, x.back, 'office', '',
                 CASE WHEN x.redo THEN '不满意' WHEN x.r_cb < 70 THEN '满意' ELSE '基本满意' END, TRUE, NULL),
                ('redo', 2, CASE WHEN x.redo THEN x.back END, 'system', '', '第2轮：' || x.due2 || '前重新答复。', TRUE,
                 x.due2),
                ('answer', 2, CASE WHEN x.redo AND x.age >= 40 THEN x.back + interval '3 days' END, 'handler', '',
                 '领导上门道歉，问题已解决', TRUE, NULL),
                ('call_back', 2, CASE WHEN x.redo AND x.age >= 40 THEN x.back + interval '4 days' END, 'office', '',
                 CASE WHEN c.callback = 'satisfied' THEN '满意' ELSE '不满意' END, TRUE, NULL),
                ('close', c.round, CASE WHEN x.path <> 'praise' THEN c.closed_at END, 'system', '',
                 CASE WHEN c.callback = '' THEN '无联系方式无法回访，答复后办结。' ELSE '回访后办结。' END, TRUE, NULL)
            ) AS v(action, round, at, actor, note, public_note, public, deadline)
            WHERE v.at IS NOT NULL""", params)
        made["steps"] = cur.rowcount
        cur.execute(f"SELECT status, count(*) FROM {case_t} WHERE centre_id = ANY(%(ids)s) GROUP BY 1 ORDER BY 1",
                    params)
        states = ", ".join(f"{s} {n:,}" for s, n in cur.fetchall())
    with ctx.connection.cursor() as cur:
        for table in (case_t, step_t):
            cur.execute(f"ANALYZE {table}")
    ctx.say(f"  cases: {time.monotonic() - started:.0f}s ({ctx.load()}); {states}")
    return ", ".join(f"{n:,} {what}" for what, n in made.items())
