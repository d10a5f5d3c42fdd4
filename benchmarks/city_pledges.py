"""Pledges (承诺—践诺—评诺) and target responsibility letters at city volume, for benchmarks/city_records.py.

As the demo (pledges/demo.py), at the city's scale (180,000 party members in 50 centres):

- last year: every party member pledged, 11 in 20 twice (1.55 a member, as Harbin's 479,000 for 310,000:
  about 280,000 pledges), all approved, one confirmed progress each, judged at mid-year and at year-end
  (about seven in ten kept, two partly, one not);
- this year: every member pledged again (about 280,000): one in twenty awaiting review, three in a
  hundred returned, the others approved, with progress in June (confirmed) and November (a third not yet
  confirmed) and judged at mid-year; one approved pledge in twenty has a comment of the public (half
  published, half awaiting moderation);
- the posts' pledges: a broken pledge recorded for every upheld complaint about a post (from
  city_cases.py, which runs first);
- letters: every home unit's and its leader's letter of last year (sent, signed, quarterly progress of
  the targets entered by hand, scored and ranked, published) and this year's (half drafted, half sent
  and tracked for three quarters);
- PledgeStat, the pre-aggregated figures, for both years (as services.refresh_stats counts them).

About 560,000 pledges, 800,000 progress records, 15,000 comments, 2,500 units' letters a year.
Bulk SQL (INSERT ... SELECT), no audit rows, skipped when the city's centres already have pledges.
287 s on the city with the shared 2-core machine at load 29, most of it the COMMIT's foreign-key checks
that the hooks now skip (session_replication_role).
"""

import time

from vanguard.pledges.demo import PROGRESS, WHAT  # the demo's wording, at city volume


def _array(values):
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def build_city(ctx):
    from django.db import transaction
    from django.utils import timezone

    from vanguard.pledges.demo import LEADER_TARGETS, TARGETS
    from vanguard.pledges.models import (
        Comment,
        Letter,
        Pledge,
        PledgeStat,
        PostPledgeBreach,
        Progress,
        Target,
        TargetProgress,
    )

    ids = [c.pk for c in ctx.centres]
    if not ids or Pledge.objects.filter(centre_id__in=ids).exists():
        return "kept"
    pledge_t, progress_t, comment_t = Pledge._meta.db_table, Progress._meta.db_table, Comment._meta.db_table
    letter_t, target_t, tprogress_t = Letter._meta.db_table, Target._meta.db_table, TargetProgress._meta.db_table
    today = timezone.localdate()
    this, last = today.year, today.year - 1
    params = {"ids": ids, "this": this, "last": last, "admin": ctx.admin.pk}
    what, measure = _array([w for w, _m in WHAT]), _array([m for _w, m in WHAT])
    made = {}
    started = time.monotonic()
    with transaction.atomic(), ctx.connection.cursor() as cur:  # all or nothing: a rerun finds none or all
        cur.execute("SET LOCAL synchronous_commit = off")  # a fixture: nothing acknowledged to anyone
        # Every reference is read from existing rows: no deferred foreign-key check of each row at COMMIT
        # (millions of them took minutes on the city), as city_records' ratings step.
        cur.execute("SET LOCAL session_replication_role = replica")
        # Both years' pledges: every member of a branch, 11 in 20 twice; the states by year (see the docstring).
        cur.execute(f"""
            INSERT INTO {pledge_t} (centre_id, person_id, branch_id, unit_id, year, what, deadline, measure, source,
                status, return_reason, reviewed_by_id, reviewed_at, midyear_result, midyear_reason, result,
                result_reason, judged_at, created_by_id, created_at, updated_at)
            SELECT p.centre_id, p.id, p.branch_id, p.unit_id, y.year, ({what})[1 + (p.id + k) %% 8],
                   make_date(y.year, 3 + ((p.id + k) * 5 %% 9)::int, 28), ({measure})[1 + (p.id + k) %% 8],
                   CASE WHEN p.id %% 7 = 0 THEN 'paper' ELSE 'member' END,
                   s.status, CASE WHEN s.status = 'returned' THEN '可衡量结果不够具体，请写明数量' ELSE '' END,
                   CASE WHEN s.status <> 'submitted' THEN %(admin)s END,
                   CASE WHEN s.status <> 'submitted' THEN y.made + interval '7 days' END,
                   CASE WHEN s.status = 'approved' THEN s.mid ELSE '' END,
                   CASE WHEN s.status = 'approved' THEN '上半年按计划推进' ELSE '' END,
                   CASE WHEN s.status = 'approved' AND y.year = %(last)s THEN s.final ELSE '' END,
                   CASE WHEN s.status = 'approved' AND y.year = %(last)s THEN
                       CASE s.final WHEN 'kept' THEN '承诺事项已全部兑现，有记录和群众评价佐证'
                            WHEN 'partly' THEN '大部分兑现，个别指标未达到，已说明原因'
                            ELSE '因岗位调整未能兑现，支部已谈话提醒' END ELSE '' END,
                   CASE WHEN s.status = 'approved' THEN make_date(y.year, 7, 10)::timestamptz END,
                   %(admin)s, y.made, y.made
            FROM org_person p
            CROSS JOIN (VALUES (%(last)s, make_date(%(last)s, 2, 20)::timestamptz),
                               (%(this)s, make_date(%(this)s, 2, 20)::timestamptz)) AS y(year, made)
            CROSS JOIN generate_series(0, 1) k
            CROSS JOIN LATERAL (SELECT (p.id * 7919 + k * 104729 + y.year) %% 1000 AS r) x
            CROSS JOIN LATERAL (SELECT
                CASE WHEN y.year = %(last)s OR x.r >= 80 THEN 'approved' WHEN x.r < 50 THEN 'submitted'
                     ELSE 'returned' END AS status,
                CASE WHEN x.r %% 10 < 6 THEN 'kept' ELSE 'partly' END AS mid,
                CASE WHEN x.r < 714 THEN 'kept' WHEN x.r < 930 THEN 'partly' ELSE 'not_kept' END AS final) s
            WHERE p.centre_id = ANY(%(ids)s) AND p.is_active AND p.branch_id IS NOT NULL
              AND p.political_status IN ('full', 'probationary') AND (k = 0 OR p.id %% 20 < 11)""", params)
        made["pledges"] = cur.rowcount
        progress = _array(PROGRESS)
        cur.execute(f"""
            INSERT INTO {progress_t} (pledge_id, text, photo, link, day, recorded_by_id, recorded_at,
                confirmed_by_id, confirmed_at, meeting_id, activity_id)
            SELECT pl.id, ({progress})[1 + (pl.id + n) %% 6], '', '', d.day, %(admin)s, d.day + time '17:00',
                   CASE WHEN n = 0 OR pl.id %% 3 <> 0 THEN %(admin)s END,
                   CASE WHEN n = 0 OR pl.id %% 3 <> 0 THEN d.day + interval '2 days' END, NULL, NULL
            FROM {pledge_t} pl
            CROSS JOIN generate_series(0, 1) n
            CROSS JOIN LATERAL (SELECT CASE WHEN n = 0 THEN make_date(pl.year, 6, 15)
                                            ELSE make_date(pl.year, 11, 10) END AS day) d
            WHERE pl.centre_id = ANY(%(ids)s) AND pl.status = 'approved' AND (n = 0 OR pl.year = %(this)s)
              AND d.day < %(today)s""", {**params, "today": today})
        made["progress records"] = cur.rowcount
        cur.execute(f"""
            INSERT INTO {comment_t} (pledge_id, author_name, author_id, body, status, created_at, moderated_by_id,
                moderated_at)
            SELECT pl.id, '办事群众', NULL, '为你点赞！有事找你很放心，电话138****5678',
                   CASE WHEN pl.person_id %% 40 < 20 THEN 'published' ELSE 'pending' END,
                   make_date(pl.year, 9, 1) + time '10:00',
                   CASE WHEN pl.person_id %% 40 < 20 THEN %(admin)s END,
                   CASE WHEN pl.person_id %% 40 < 20 THEN make_date(pl.year, 9, 2) + time '10:00' END
            FROM {pledge_t} pl
            WHERE pl.centre_id = ANY(%(ids)s) AND pl.year = %(this)s AND pl.status = 'approved'
              AND pl.person_id %% 20 = 3""", params)
        made["comments"] = cur.rowcount
        cur.execute(f"""
            INSERT INTO {PostPledgeBreach._meta.db_table} (post_id, pledge, source, reason, ref, recorded_by_id, at)
            SELECT c.post_id, (ARRAY['work', 'time', 'quality', 'attitude'])[1 + c.id %% 4], 'case',
                   '投诉属实：' || left(c.content, 100), c.number, NULL, c.answered_at
            FROM cases_case c
            WHERE c.centre_id = ANY(%(ids)s) AND c.kind = 'complaint' AND c.upheld AND c.post_id IS NOT NULL
            ON CONFLICT DO NOTHING""", params)
        made["broken post pledges"] = cur.rowcount
        # Letters: each home unit's and its leader's (the unit's first active person), both years.
        cur.execute(f"""
            INSERT INTO {letter_t} (centre_id, year, kind, unit_id, leader_id, title, status, sent_at, signatory,
                signed_on, signed_scan, score, scored_at, published_at, rank, created_by_id, created_at)
            SELECT u.centre_id, y.year, k.kind, u.id, CASE WHEN k.kind = 'leader' THEN ld.id END,
                   y.year || '年' || CASE WHEN k.kind = 'leader' THEN ld.name ELSE u.name END || '目标责任书',
                   CASE WHEN y.year = %(last)s THEN 'signed' WHEN u.id %% 2 = 0 THEN 'sent' ELSE 'draft' END,
                   CASE WHEN y.year = %(last)s OR u.id %% 2 = 0 THEN make_date(y.year, 1, 15)::timestamptz END,
                   CASE WHEN y.year = %(last)s THEN CASE WHEN k.kind = 'leader' THEN ld.name
                                                         ELSE u.name || '负责人' END ELSE '' END,
                   CASE WHEN y.year = %(last)s THEN make_date(y.year, 1, 20) END, '', NULL, NULL, NULL, NULL,
                   %(admin)s, make_date(y.year, 1, 10)::timestamptz
            FROM org_unit u
            CROSS JOIN (VALUES (%(last)s), (%(this)s)) y(year)
            CROSS JOIN (VALUES ('unit'), ('leader')) k(kind)
            LEFT JOIN LATERAL (SELECT p.id, p.name FROM org_person p WHERE p.unit_id = u.id AND p.is_active
                               ORDER BY p.id LIMIT 1) ld ON TRUE
            WHERE u.centre_id = ANY(%(ids)s) AND u.kind = 'home'
              AND (k.kind = 'unit' OR (y.year = %(last)s AND ld.id IS NOT NULL))""", params)
        made["letters"] = cur.rowcount
        for kind, rows in (("unit", TARGETS), ("leader", LEADER_TARGETS)):
            columns = {"n": list(range(len(rows))), **{name: [row[i] for row in rows] for i, name in
                                                        enumerate(("section", "text", "measure", "weight", "metric"))}}
            cur.execute(f"""
                INSERT INTO {target_t} (letter_id, section, text, measure, weight, metric, "order", achieved, score,
                    evidence_note)
                SELECT l.id, t.section, t.text, t.measure, t.weight, t.metric, t.n,
                       CASE WHEN l.year = %(last)s THEN 80 + (l.id + t.n) %% 21 END,
                       CASE WHEN l.year = %(last)s THEN round(t.weight * (80 + (l.id + t.n) %% 21) / 100.0, 2) END,
                       CASE WHEN l.year = %(last)s THEN '按年度完成情况核定' ELSE '' END
                FROM {letter_t} l
                CROSS JOIN unnest(%(n)s::int[], %(section)s::text[], %(text)s::text[], %(measure)s::text[],
                                  %(weight)s::int[], %(metric)s::text[]) AS t(n, section, text, measure, weight, metric)
                WHERE l.centre_id = ANY(%(ids)s) AND l.kind = %(kind)s""", {**params, **columns, "kind": kind})
            made[f"{kind} targets"] = cur.rowcount
        cur.execute(f"""
            INSERT INTO {tprogress_t} (target_id, quarter, percent, note, evidence, recorded_by_id, recorded_at)
            SELECT t.id, q, LEAST(100, 20 * q + (t.id * 7) %% 25), '第' || q || '季度按计划推进', '', %(admin)s,
                   make_date(l.year, 3 * q, 25)::timestamptz
            FROM {target_t} t JOIN {letter_t} l ON l.id = t.letter_id
            CROSS JOIN generate_series(1, 4) q
            WHERE l.centre_id = ANY(%(ids)s) AND t.metric = 'manual' AND l.status IN ('signed', 'sent')
              AND make_date(l.year, 3 * q, 25) < %(today)s""", {**params, "today": today})
        made["quarterly progress"] = cur.rowcount
        # Last year's letters scored (the targets' sum) and the units' ranked and published per centre.
        cur.execute(f"""
            UPDATE {letter_t} l SET score = s.total, scored_at = make_date(l.year + 1, 1, 15)::timestamptz
            FROM (SELECT letter_id, sum(score) AS total FROM {target_t} GROUP BY letter_id) s
            WHERE s.letter_id = l.id AND l.centre_id = ANY(%(ids)s) AND l.year = %(last)s""", params)
        cur.execute(f"""
            UPDATE {letter_t} l SET rank = r.rank, published_at = make_date(l.year + 1, 1, 20)::timestamptz
            FROM (SELECT id, rank() OVER (PARTITION BY centre_id ORDER BY score DESC) AS rank FROM {letter_t}
                  WHERE centre_id = ANY(%(ids)s) AND year = %(last)s AND kind = 'unit') r
            WHERE r.id = l.id""", params)
        # The pre-aggregated figures, as services.refresh_stats counts them.
        cur.execute(f"""
            INSERT INTO {PledgeStat._meta.db_table} (year, centre_id, branch_id, unit_id, members, made, approved,
                kept, partly, not_kept)
            SELECT year, centre_id, branch_id, unit_id, count(DISTINCT person_id), count(*),
                   count(*) FILTER (WHERE status = 'approved'), count(*) FILTER (WHERE result = 'kept'),
                   count(*) FILTER (WHERE result = 'partly'), count(*) FILTER (WHERE result = 'not_kept')
            FROM {pledge_t} WHERE centre_id = ANY(%(ids)s) GROUP BY year, centre_id, branch_id, unit_id""", params)
        made["figures rows"] = cur.rowcount
    with ctx.connection.cursor() as cur:
        for model in (Pledge, Progress, Comment, PostPledgeBreach, Letter, Target, TargetProgress, PledgeStat):
            cur.execute(f"ANALYZE {model._meta.db_table}")
    ctx.say(f"  pledges: {time.monotonic() - started:.0f}s ({ctx.load()})")
    return ", ".join(f"{n:,} {what}" for what, n in made.items())
