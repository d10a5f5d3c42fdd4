"""Honours (荣誉) at city volume, for benchmarks/city_records.py (and so page_latency.py --records).

Every centre (as the demo, honours/demo.py, at the city's size) has, for last year and this year, six
selections: red-flag branches (20 nominated with the four standards judged, 5 places), outstanding
party members (60 nominated, 30 places), outstanding party workers (15, 5), model windows (15, 10),
service brands (its 5 brands, 3) and service models (20 people, 10). Last year's are all awarded,
with honours and certificate numbers on the floor boards; this year the vanguard roll (the first three)
was awarded after a public notice that ended a month ago, the model windows are in public notice now
(300 vote codes, 200 used, eight choices a ballot, one objection awaiting an answer), the service
models under review and the brands taking nominations. Rotating medals: ten 优质服务流动奖牌 moving
monthly between windows over the last year and a 流动红旗 moving quarterly between the floor branches,
with the full history of holdings. Four teams a centre (four members each).

In the 50-centre city: 600 selections, 13,500 nominations, 5,000 honours, 80,000 ballots,
15,000 vote codes, 6,200 medal holdings. Bulk SQL (INSERT ... SELECT), no audit rows, skipped when the
city's centres already have selections. 16 s on the city with the 2-core machine at load 29.
"""

import datetime
import time


def _months_back(today, count):
    first = today.replace(day=1)
    out = []
    for _i in range(count):
        out.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


# (honour, candidate kind, title, nominations, places, this year's state)
SELECTIONS = [
    ("red_flag", "branch", "红旗党支部评选", 20, 5, "awarded"),
    ("member", "person", "优秀共产党员评选", 60, 30, "awarded"),
    ("party_worker", "person", "优秀党务工作者评选", 15, 5, "awarded"),
    ("model_window", "window", "百佳窗口评选", 15, 10, "notice"),
    ("service_brand", "brand", "优质服务品牌评选", 5, 3, "nominating"),
    ("service_model", "person", "优秀服务标兵评选", 20, 10, "review"),
]
BRANDS = [("一窗通办", "企业开办一次告知、一表申请、一窗受理、一日办结。"),
          ("暖心帮办", "为老年人和残障人士提供全程帮办代办、上门服务。"),
          ("不见面审批", "网上申报、电子证照、邮寄送达，群众办事“零跑腿”。"),
          ("延时错时服务", "午间和周末不打烊，预约即办。"),
          ("首问负责", "首位接待人员负责到底，不让群众多跑一趟。")]
CODE = "translate(upper(substr(md5({}), 1, {})), '01', 'XY')"  # the surveys' code alphabet (no 0/1/I/L/O/U)


def build_city(ctx):
    from django.db import transaction
    from django.utils import timezone

    from vanguard.core.workdays import WorkingCalendar
    from vanguard.honours.models import (
        Ballot,
        Holding,
        Honour,
        Medal,
        MedalScheme,
        Nomination,
        Objection,
        Selection,
        ServiceBrand,
        Team,
        VoteCode,
    )

    ids = [c.pk for c in ctx.centres]
    if not ids or Selection.objects.filter(centre_id__in=ids).exists():
        return "kept"
    today = timezone.localdate()
    cal = WorkingCalendar()
    this, last = today.year, today.year - 1
    # This year's roll: a public notice that ended before today (as the demo's); last year's in December.
    notice_start = cal.add_working_days(today - datetime.timedelta(days=40), 0)
    notice_end, award_on = cal.add_working_days(notice_start, 4), cal.add_working_days(notice_start, 8)
    last_start = datetime.date(last, 12, 1)
    last_end, last_award = cal.add_working_days(last_start, 4), cal.add_working_days(last_start, 8)
    params = {"ids": ids, "this": this, "last": last, "admin": ctx.admin.pk, "today": today,
              "notice_start": notice_start, "notice_end": notice_end, "award_on": award_on,
              "last_start": last_start, "last_end": last_end, "last_award": last_award,
              "now_end": cal.add_working_days(today, 4)}
    t = {m.__name__: m._meta.db_table for m in (Ballot, Holding, Honour, Medal, MedalScheme, Nomination,
                                                  Objection, Selection, ServiceBrand, Team, VoteCode)}
    made = {}
    started = time.monotonic()
    with transaction.atomic(), ctx.connection.cursor() as cur:  # all or nothing: a rerun finds none or all
        cur.execute("SET LOCAL synchronous_commit = off")  # a fixture: nothing acknowledged to anyone
        # Every reference is read from existing rows: no deferred foreign-key check of each row at COMMIT
        # (millions of them took minutes on the city), as city_records' ratings step.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(f"""
            INSERT INTO {t['ServiceBrand']} (centre_id, unit_id, name, description, created_at)
            SELECT u.centre_id, u.id, b.name, b.description, now()
            FROM (SELECT centre_id, id, row_number() OVER (PARTITION BY centre_id ORDER BY id) AS k FROM org_unit
                  WHERE centre_id = ANY(%(ids)s) AND kind = 'home') u
            JOIN unnest(%(names)s::text[], %(texts)s::text[]) WITH ORDINALITY AS b(name, description, k) ON b.k = u.k""",
                    {**params, "names": [n for n, _d in BRANDS], "texts": [d for _n, d in BRANDS]})
        made["service brands"] = cur.rowcount
        # Teams: four a centre, each a window's first four people.
        cur.execute(f"""
            WITH w AS (SELECT w.centre_id, w.id, w.unit_id, w.floor_id,
                              row_number() OVER (PARTITION BY w.centre_id ORDER BY w.id) AS k
                       FROM org_window w WHERE w.centre_id = ANY(%(ids)s)
                            AND EXISTS (SELECT 1 FROM org_person p WHERE p.window_id = w.id AND p.is_active)),
            teams AS (
                INSERT INTO {t['Team']} (centre_id, name, unit_id, floor_id, description)
                SELECT w.centre_id, (ARRAY['综合窗口党员突击队', '社保窗口“云帮办”小组', '不动产登记窗口服务队',
                                           '医保窗口“无接触”服务组'])[w.k], w.unit_id, w.floor_id, '抗疫先锋栏目中的先进团队'
                FROM w WHERE w.k <= 4 RETURNING id, unit_id, floor_id, centre_id, name)
            INSERT INTO {t['Team']}_members (team_id, person_id)
            SELECT teams.id, p.id FROM teams JOIN w ON w.centre_id = teams.centre_id AND w.unit_id = teams.unit_id
                 AND w.k <= 4 AND (ARRAY['综合窗口党员突击队', '社保窗口“云帮办”小组', '不动产登记窗口服务队',
                                           '医保窗口“无接触”服务组'])[w.k] = teams.name
            CROSS JOIN LATERAL (SELECT p.id FROM org_person p WHERE p.window_id = w.id AND p.is_active
                                ORDER BY p.id LIMIT 4) p""", params)
        made["team members"] = cur.rowcount
        # The selections: both years' six.
        rows = [(h, k, title, n, q, state) for h, k, title, n, q, state in SELECTIONS]
        cur.execute(f"""
            INSERT INTO {t['Selection']} (centre_id, title, year, half, honour, candidate_kind, quota, max_nominations,
                criteria, nominate_until, notice_days, panel_scoring, public_vote, status, notice_starts, notice_ends,
                awarded_on, public_code, created_by_id, created_at)
            SELECT c, y.year || '年度' || s.title, y.year, 0, s.honour, s.kind, s.quota, s.n,
                   CASE s.honour WHEN 'red_flag' THEN '机制强、配置优、队伍稳、发挥好' ELSE '' END,
                   CASE WHEN y.year = %(last)s THEN %(last_start)s::date - 10
                        WHEN s.state = 'awarded' THEN %(notice_start)s::date - 10
                        WHEN s.state = 'nominating' THEN %(today)s::date + 20 ELSE %(today)s::date - 3 END,
                   5, FALSE, s.honour = 'model_window',
                   CASE WHEN y.year = %(last)s THEN 'awarded' ELSE s.state END,
                   CASE WHEN y.year = %(last)s THEN %(last_start)s WHEN s.state = 'awarded' THEN %(notice_start)s
                        WHEN s.state = 'notice' THEN %(today)s END,
                   CASE WHEN y.year = %(last)s THEN %(last_end)s WHEN s.state = 'awarded' THEN %(notice_end)s
                        WHEN s.state = 'notice' THEN %(now_end)s END,
                   CASE WHEN y.year = %(last)s THEN %(last_award)s WHEN s.state = 'awarded' THEN %(award_on)s END,
                   {CODE.format("'sel' || c || '-' || y.year || s.honour", 10)}, %(admin)s,
                   make_date(y.year, 3, 1)::timestamptz
            FROM unnest(%(ids)s::int[]) c
            CROSS JOIN (VALUES (%(last)s), (%(this)s)) y(year)
            CROSS JOIN unnest(%(honour)s::text[], %(kind)s::text[], %(title)s::text[], %(n)s::int[], %(quota)s::int[],
                              %(state)s::text[]) AS s(honour, kind, title, n, quota, state)""",
                    {**params, **{name: [r[i] for r in rows] for i, name in
                                  enumerate(("honour", "kind", "title", "n", "quota", "state"))}})
        made["selections"] = cur.rowcount
        # Candidates per centre and kind, in a fixed pseudo-random order (the same for both years, as a
        # centre's best tend to stay best): branches, party members, windows, brands.
        cur.execute(f"""
            CREATE TEMP TABLE _hc ON COMMIT DROP AS
            SELECT 'branch' AS kind, o.centre_id, o.id, o.name, o.floor_id,
                   row_number() OVER (PARTITION BY o.centre_id ORDER BY o.floor_id IS NULL, (o.id * 7919) %% 1009, o.id)
                       AS k
            FROM org_organization o WHERE o.centre_id = ANY(%(ids)s) AND o.kind = 'branch'
            UNION ALL
            SELECT 'person', p.centre_id, p.id, p.name, COALESCE(w.floor_id, b.floor_id),
                   row_number() OVER (PARTITION BY p.centre_id ORDER BY (p.id * 7919) %% 100003, p.id)
            FROM org_person p LEFT JOIN org_window w ON w.id = p.window_id
            LEFT JOIN org_organization b ON b.id = p.branch_id
            WHERE p.centre_id = ANY(%(ids)s) AND p.is_active AND p.political_status IN ('full', 'probationary')
            UNION ALL
            SELECT 'window', w.centre_id, w.id, trim(w.number || ' ' || w.name), w.floor_id,
                   row_number() OVER (PARTITION BY w.centre_id ORDER BY (w.id * 7919) %% 1009, w.id)
            FROM org_window w WHERE w.centre_id = ANY(%(ids)s)
            UNION ALL
            SELECT 'brand', sb.centre_id, sb.id, sb.name || '（' || u.name || '）', NULL,
                   row_number() OVER (PARTITION BY sb.centre_id ORDER BY sb.id)
            FROM {t['ServiceBrand']} sb JOIN org_unit u ON u.id = sb.unit_id WHERE sb.centre_id = ANY(%(ids)s)""",
                    params)
        cur.execute("ALTER TABLE _hc ADD PRIMARY KEY (kind, centre_id, k)")
        cur.execute("ANALYZE _hc")
        # Nominations: a selection takes its kind's candidates from an offset per honour (so one person is not
        # every honour's nominee); the first `quota` pass (awarded where the selection is), the others do not.
        cur.execute(f"""
            INSERT INTO {t['Nomination']} (selection_id, person_id, branch_id, window_id, post_id, unit_id, team_id,
                brand_id, name, floor_id, nominated_by, reasons, evidence, standards, state, review_note, panel_score,
                votes, created_by_id, created_at)
            SELECT s.id, CASE WHEN s.candidate_kind = 'person' THEN h.id END,
                   CASE WHEN s.candidate_kind = 'branch' THEN h.id END,
                   CASE WHEN s.candidate_kind = 'window' THEN h.id END, NULL, NULL, NULL,
                   CASE WHEN s.candidate_kind = 'brand' THEN h.id END,
                   h.name, h.floor_id, '党建科',
                   CASE s.honour WHEN 'red_flag' THEN '三会一课按时召开，支委会配备齐全，满意率位居前列'
                        WHEN 'model_window' THEN '全年满意率高、差评少、零投诉'
                        WHEN 'service_brand' THEN '做法成熟，群众认可度高'
                        ELSE '本年度多次获评星级党员，服务群众成效突出' END,
                   jsonb_build_object('ratings', 400 + (h.id %% 300), 'rate', 95 + (h.id %% 50) / 10.0,
                                      'stars', h.id %% 6),
                   CASE WHEN s.honour = 'red_flag' THEN jsonb_build_object(
                       'mechanism', jsonb_build_object('met', true, 'note', '达标'),
                       'committee', jsonb_build_object('met', true, 'note', '达标'),
                       'team', jsonb_build_object('met', true, 'note', '达标'),
                       'role', jsonb_build_object('met', h.k - o.off <= s.quota, 'note',
                                                  CASE WHEN h.k - o.off <= s.quota THEN '达标' ELSE '满意率低于全中心平均' END))
                        ELSE '{{}}'::jsonb END,
                   CASE WHEN s.status IN ('nominating', 'review') THEN 'nominated'
                        WHEN h.k - o.off > s.quota THEN 'rejected' WHEN s.status = 'awarded' THEN 'awarded'
                        ELSE 'approved' END,
                   CASE WHEN s.status NOT IN ('nominating', 'review') AND h.k - o.off > s.quota THEN '综合排名未进入名额'
                        ELSE '' END,
                   NULL, 0, %(admin)s, make_date(s.year, 3, 15)::timestamptz
            FROM {t['Selection']} s
            CROSS JOIN LATERAL (SELECT CASE s.honour WHEN 'service_model' THEN 100 WHEN 'party_worker' THEN 200
                                       ELSE 0 END AS off) o
            JOIN _hc h ON h.kind = s.candidate_kind AND h.centre_id = s.centre_id
                 AND h.k > o.off AND h.k <= o.off + s.max_nominations
            WHERE s.centre_id = ANY(%(ids)s)""", params)
        made["nominations"] = cur.rowcount
        cur.execute(f"""
            INSERT INTO {t['Honour']} (centre_id, selection_id, nomination_id, kind, title, year, candidate_kind, name,
                detail, person_id, branch_id, window_id, post_id, unit_id, team_id, brand_id, floor_id,
                certificate_number, awarded_on)
            SELECT s.centre_id, s.id, n.id, s.honour, s.title, s.year, s.candidate_kind, n.name, n.nominated_by,
                   n.person_id, n.branch_id, n.window_id, NULL, NULL, NULL, n.brand_id, n.floor_id,
                   'HR-' || s.year || '-' || lpad(s.id::text, 4, '0') || '-'
                       || lpad((row_number() OVER (PARTITION BY s.id ORDER BY n.id))::text, 3, '0'),
                   s.awarded_on
            FROM {t['Nomination']} n JOIN {t['Selection']} s ON s.id = n.selection_id
            WHERE s.centre_id = ANY(%(ids)s) AND n.state = 'awarded'""", params)
        made["honours"] = cur.rowcount
        # This year's model windows: vote codes (two in three used) and anonymous ballots of eight choices.
        cur.execute(f"""
            INSERT INTO {t['VoteCode']} (selection_id, code, valid_until, used)
            SELECT s.id, {CODE.format("'vote' || s.id || '-' || g", 10)}, (%(now_end)s::date + 1)::timestamptz,
                   g %% 3 <> 0
            FROM {t['Selection']} s CROSS JOIN generate_series(1, 300) g
            WHERE s.centre_id = ANY(%(ids)s) AND s.status = 'notice' AND s.public_vote""", params)
        made["vote codes"] = cur.rowcount
        cur.execute(f"""
            WITH noms AS (SELECT n.id, n.selection_id, row_number() OVER (PARTITION BY n.selection_id ORDER BY n.id) - 1
                                 AS k, count(*) OVER (PARTITION BY n.selection_id) AS total
                          FROM {t['Nomination']} n JOIN {t['Selection']} s ON s.id = n.selection_id
                          WHERE s.centre_id = ANY(%(ids)s) AND s.status = 'notice' AND s.public_vote)
            INSERT INTO {t['Ballot']} (id, selection_id, nomination_id, voted_on)
            SELECT md5('ballot' || v.selection_id || '-' || v.g || '-' || noms.id)::uuid, v.selection_id, noms.id,
                   %(today)s::date - (v.g %% 3)
            FROM (SELECT DISTINCT n.selection_id, g FROM noms n CROSS JOIN generate_series(1, 200) g) v
            JOIN noms ON noms.selection_id = v.selection_id
                 AND (noms.k - v.g %% 3 + noms.total) %% noms.total < 8""", params)
        made["ballots"] = cur.rowcount
        cur.execute(f"""
            UPDATE {t['Nomination']} n SET votes = b.votes
            FROM (SELECT nomination_id, count(*) AS votes FROM {t['Ballot']} GROUP BY 1) b
            WHERE b.nomination_id = n.id""")
        cur.execute(f"""
            INSERT INTO {t['Objection']} (selection_id, nomination_id, content, contact_name, contact_mobile, state,
                answer, case_id, created_at)
            SELECT s.id, (SELECT min(id) FROM {t['Nomination']} WHERE selection_id = s.id),
                   '该窗口上月曾让我跑了两趟，请核实。', '', '', 'open', '', NULL, now() - interval '2 hours'
            FROM {t['Selection']} s WHERE s.centre_id = ANY(%(ids)s) AND s.status = 'notice'""", params)
        # Rotating medals: ten window medals monthly and a branch flag quarterly, a year of holdings.
        cur.execute(f"""
            INSERT INTO {t['MedalScheme']} (centre_id, name, count, holder_kind, cadence, rule, min_ratings, active,
                last_period, created_at)
            SELECT c, m.name, m.count, m.holder, m.cadence, 'satisfaction', m.min_ratings, TRUE, NULL,
                   %(first)s::timestamptz
            FROM unnest(%(ids)s::int[]) c
            CROSS JOIN (VALUES ('优质服务流动奖牌', 10, 'window', 'month', 20),
                               ('流动红旗（党支部）', 1, 'branch', 'quarter', 50)) m(name, count, holder, cadence,
                                                                                min_ratings)""",
                    {**params, "first": _months_back(today, 12)[0]})
        cur.execute(f"""
            INSERT INTO {t['Medal']} (scheme_id, number)
            SELECT s.id, g FROM {t['MedalScheme']} s CROSS JOIN LATERAL generate_series(1, s.count) g
            WHERE s.centre_id = ANY(%(ids)s)""", params)
        months = _months_back(today, 12)
        quarters = sorted({m.replace(month=1 + (m.month - 1) // 3 * 3) for m in months})
        cur.execute(f"""
            WITH periods AS (
                SELECT 'month' AS cadence, p, row_number() OVER (ORDER BY p) AS i,
                       lead(p) OVER (ORDER BY p) AS next FROM unnest(%(months)s::date[]) p
                UNION ALL
                SELECT 'quarter', p, row_number() OVER (ORDER BY p), lead(p) OVER (ORDER BY p)
                FROM unnest(%(quarters)s::date[]) p)
            INSERT INTO {t['Holding']} (scheme_id, medal_id, window_id, branch_id, floor_id, period, started_on, ended_on,
                how, reason, rate, ratings, decided_by_id, created_at)
            SELECT s.id, m.id, CASE WHEN s.holder_kind = 'window' THEN h.id END,
                   CASE WHEN s.holder_kind = 'branch' THEN h.id END, h.floor_id, pr.p, pr.p, pr.next, 'rule',
                   '上期满意率' || (99 - (m.number %% 5) / 10.0) || '%%，列第' || m.number || '位',
                   99 - (m.number %% 5) / 10.0, 200 + h.id %% 300, NULL, pr.p::timestamptz
            FROM {t['MedalScheme']} s
            JOIN {t['Medal']} m ON m.scheme_id = s.id
            JOIN periods pr ON pr.cadence = s.cadence
            CROSS JOIN LATERAL (SELECT count(*) AS n FROM _hc
                                WHERE _hc.kind = s.holder_kind AND _hc.centre_id = s.centre_id
                                      AND (s.holder_kind = 'window' OR _hc.floor_id IS NOT NULL)) z
            JOIN _hc h ON h.kind = s.holder_kind AND h.centre_id = s.centre_id
                 AND h.k = 1 + (pr.i * 13 + m.number) %% z.n
            WHERE s.centre_id = ANY(%(ids)s) AND z.n >= s.count""", {**params, "months": months, "quarters": quarters})
        made["medal holdings"] = cur.rowcount
        cur.execute(f"""UPDATE {t['MedalScheme']} SET last_period = CASE cadence WHEN 'month' THEN %(m)s ELSE %(q)s END
                        WHERE centre_id = ANY(%(ids)s)""", {**params, "m": months[-1], "q": quarters[-1]})
    with ctx.connection.cursor() as cur:
        for table in t.values():
            cur.execute(f"ANALYZE {table}")
    ctx.say(f"  honours: {time.monotonic() - started:.0f}s ({ctx.load()})")
    return ", ".join(f"{n:,} {what}" for what, n in made.items())
