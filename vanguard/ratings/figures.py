"""Satisfaction figures kept in SatisfactionStat.

A citizen's single rating (the API's one-rating request, the public page) is written
uncounted (counted=False) and folded into the figures by `fold_pending()`, which the
worker runs every minute ("ratings-fold") and `vanguard ratings fold` runs on demand:
counting it in its own transaction upserted 28 stat rows per rating, the largest part
of the request's database time. The fold takes a batch of uncounted ratings (FOR UPDATE
SKIP LOCKED on PostgreSQL, so concurrent folders never wait on, nor count, each other's
ratings; a rating counted meanwhile no longer matches counted=False when its lock is
taken), sums them set-based and marks them counted in the same transaction: exactly once.
Pages and the API say what is not counted yet (`freshness()`); readers that need exact
figures (the assessment, honours) fold first (`fold_all(centre_id)`).

A batch of ratings (services_batch) is still counted in its own transaction: `count_ratings()`
applies the sums of the batch with ONE INSERT ... SELECT ... ON CONFLICT DO UPDATE summed
server-side (on SQLite the sums are made in Python and upserted with the same syntax).
Stat rows are always touched in sorted key order, so two writers cannot deadlock on them."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Rating, SatisfactionStat

DIMENSIONS = ("centre", "branch", "floor", "unit", "window", "post", "person")
PERIODS = ("day", "month", "quarter", "year")
COUNTS = ("n5", "n4", "n3", "n2", "n1", "n_default", "n_flagged", "n_set_aside")

DEFINITION = _(
    "Satisfaction rate = (very satisfied + satisfied + basically satisfied) ÷ valid ratings. "
    "Valid ratings exclude those set aside after review; default ratings (basically satisfied, "
    "given when a transaction is not rated in time) and flagged ratings are counted and shown separately."
)


def period_start(day, period):
    if period == "day":
        return day
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def period_end(start, period):
    """The first day after the period beginning at `start`."""
    if period == "day":
        return start + datetime.timedelta(days=1)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def _deltas(rows, sign=1):
    """rows: (centre, branch, floor, unit, window, post, person, day, level, is_default, flagged, set_aside).
    Returns {(dimension, key, period, start): [centre, n5..n_set_aside]}."""
    sums = {}
    for centre, branch, floor, unit, window, post, person, day, level, is_default, flagged, set_aside in rows:
        vector = [0] * len(COUNTS)
        if set_aside:
            vector[7] = 1
        else:
            vector[5 - level] = 1
            vector[5] = int(bool(is_default))
            vector[6] = int(bool(flagged))
        for dimension, key in zip(DIMENSIONS, (centre, branch, floor, unit, window, post, person), strict=True):
            if key is None:
                continue
            for period in PERIODS:
                k = (dimension, key, period, period_start(day, period))
                acc = sums.get(k)
                if acc is None:
                    sums[k] = acc = [centre] + [0] * len(COUNTS)
                for i, v in enumerate(vector):
                    if v:
                        acc[i + 1] += sign * v
    return sums


def apply_deltas(sums):
    """One set-based upsert of all the sums; keys sorted so row locks come in one order."""
    statement = delta_statement(sums)
    if statement:
        with connection.cursor() as cursor:
            cursor.execute(*statement)


def delta_statement(sums):
    """(sql, params) of apply_deltas' upsert, or None when there is nothing to add."""
    if not sums:
        return None
    table = SatisfactionStat._meta.db_table
    q = connection.ops.quote_name
    columns = ["centre_id", "dimension", "key", "period", "start", *COUNTS]
    params = []
    values = []
    for (dimension, key, period, start) in sorted(sums):
        acc = sums[(dimension, key, period, start)]
        values.append("(" + ", ".join(["%s"] * len(columns)) + ")")
        params.extend([acc[0], dimension, key, period, start, *acc[1:]])
    sql = (f"INSERT INTO {q(table)} AS s ({', '.join(q(c) for c in columns)}) VALUES {', '.join(values)} "
           f"ON CONFLICT ({q('dimension')}, {q('key')}, {q('period')}, {q('start')}) DO UPDATE SET {ADD_COUNTS}")
    return sql, params


ROW_FIELDS = ("centre_id", "branch_id", "floor_id", "unit_id", "window_id", "post_id", "person_id", "day", "level",
              "is_default", "flagged", "set_aside")


# What each count column counts, as an SQL condition on a rating (the Python twin is _deltas).
COUNT_CONDITIONS = {
    **{f"n{lv}": f"NOT set_aside AND level = {lv}" for lv in (5, 4, 3, 2, 1)},
    "n_default": "NOT set_aside AND is_default",
    "n_flagged": "NOT set_aside AND flagged",
    "n_set_aside": "set_aside",
}
ADD_COUNTS = ", ".join(f"{c} = s.{c} + excluded.{c}" for c in COUNTS)
_COUNT_SQL = f"""
    INSERT INTO {SatisfactionStat._meta.db_table} AS s (centre_id, dimension, key, period, start, {", ".join(COUNTS)})
    SELECT r.centre_id, d.dimension, d.key, p.period, date_trunc(p.period, r.day::timestamp)::date,
           {", ".join(f"count(*) FILTER (WHERE {COUNT_CONDITIONS[c]})" for c in COUNTS)}
    FROM {Rating._meta.db_table} r
    CROSS JOIN LATERAL (VALUES {", ".join(f"('{d}', r.{d}_id)" for d in DIMENSIONS)}) d (dimension, key)
    CROSS JOIN (VALUES {", ".join(f"('{p}')" for p in PERIODS)}) p (period)
    WHERE r.id = ANY(%s) AND d.key IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 2, 3, 4, 5
    ON CONFLICT (dimension, key, period, start) DO UPDATE SET {ADD_COUNTS}
"""


def count_ratings(ids):
    """Add these ratings (not counted yet) to the figures. On PostgreSQL ONE statement
    sums them per dimension and period server-side (rows ordered by key, so two callers
    lock stat rows in one order); elsewhere the portable Python sums and upsert."""
    with connection.cursor() as cursor:
        for sql, params in count_statements(ids):
            cursor.execute(sql, params)


def count_statements(ids):
    """The (sql, params) statements count_ratings runs, for a caller that sends them along with
    its own last writes (audit.record(..., also=...): one round trip on PostgreSQL). Elsewhere the
    ratings' rows are read now and the statement is the upsert of their sums."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return [(_COUNT_SQL, [list(ids)])]
    rows = Rating.objects.filter(pk__in=ids).order_by().values_list(*ROW_FIELDS)
    statement = delta_statement(_deltas(list(rows)))
    return [statement] if statement else []


def fold_pending(limit=2000, centre_id=None):
    """Fold up to `limit` uncounted ratings (of one centre, or all) into the figures, in one
    transaction. Returns how many."""
    with transaction.atomic():
        qs = Rating.objects.filter(counted=False).order_by()
        if centre_id is not None:
            qs = qs.filter(centre_id=centre_id)
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        count_ratings(ids)
        Rating.objects.filter(pk__in=ids).update(counted=True)
    return len(ids)


def fold_all(centre_id=None):
    """Fold every uncounted rating (of one centre, or all), a batch a transaction. Returns how many."""
    total = 0
    while True:
        n = fold_pending(limit=5000, centre_id=centre_id)
        total += n
        if not n:
            return total


def freshness(dimension, key):
    """What the figures of one object do not count yet: {"pending": the ratings not folded yet,
    "counted_until": the time before which every rating is counted (the oldest pending one's), or
    None when all are counted}. One query over the uncounted ratings (a partial index)."""
    row = Rating.objects.filter(counted=False, **{f"{dimension}_id": key}).order_by().aggregate(
        pending=Count("pk"), counted_until=Min("rated_at"))
    row["note"] = freshness_note(row)
    return row


def freshness_note(fresh):
    """The sentence under figures that says how fresh they are: never a silently stale number."""
    if not fresh["pending"]:
        return gettext("All ratings are counted.")
    until = timezone.localtime(fresh["counted_until"])
    shown = until.strftime("%H:%M") if until.date() == timezone.localdate() else until.strftime("%Y-%m-%d %H:%M")
    return ngettext("Counted up to %(time)s; %(count)s more rating is waiting to be counted.",
                    "Counted up to %(time)s; %(count)s more ratings are waiting to be counted.",
                    fresh["pending"]) % {"time": shown, "count": fresh["pending"]}


def move_rating(before_row, after_row):
    """A counted rating changed (set aside): take the old row out and put the new one in."""
    sums = _deltas([before_row], sign=-1)
    for k, acc in _deltas([after_row]).items():
        if k in sums:
            sums[k] = [acc[0]] + [a + b for a, b in zip(sums[k][1:], acc[1:], strict=True)]
        else:
            sums[k] = acc
    apply_deltas({k: v for k, v in sums.items() if any(v[1:])})


def rebuild(centre_id=None):
    """Recompute every figure from the ratings, set-based: ONE scan of the ratings
    groups them to the finest grain (all places x day) in a temporary table; every
    dimension and period is then summed from that small table. Used by the demo and
    the benchmark, and to repair after a bulk change."""
    table = SatisfactionStat._meta.db_table
    q = connection.ops.quote_name
    rating = Rating._meta.db_table
    pg = connection.vendor == "postgresql"
    keys = [f"{d}_id" for d in DIMENSIONS]
    starts = {
        "day": "day",
        "month": "date_trunc('month', day)::date" if pg else "date(day, 'start of month')",
        "quarter": "date_trunc('quarter', day)::date" if pg else
        "date(day, 'start of month', '-' || ((cast(strftime('%%m', day) as integer) - 1) %% 3) || ' months')",
        "year": "date_trunc('year', day)::date" if pg else "date(day, 'start of year')",
    }
    sums = ", ".join(f"SUM(CASE WHEN {COUNT_CONDITIONS[c]} THEN 1 ELSE 0 END) AS {c}" for c in COUNTS)
    where, params = ("WHERE centre_id = %s", [centre_id]) if centre_id is not None else ("", [])
    with transaction.atomic(), connection.cursor() as cursor:
        stats = SatisfactionStat.objects.all()
        if centre_id is not None:
            stats = stats.filter(centre_id=centre_id)
        stats.delete()
        cursor.execute("DROP TABLE IF EXISTS vg_fold")
        cursor.execute(f"CREATE TEMPORARY TABLE vg_fold AS SELECT {', '.join(keys)}, day, {sums} "
                       f"FROM {q(rating)} {where} GROUP BY {', '.join(keys)}, day", params)
        counts = ", ".join(f"SUM({c})" for c in COUNTS)
        for dimension in DIMENSIONS:
            col = f"{dimension}_id"
            for period, start in starts.items():
                cursor.execute(
                    f"INSERT INTO {q(table)} (centre_id, dimension, {q('key')}, period, start, {', '.join(COUNTS)}) "
                    f"SELECT centre_id, %s, {col}, %s, {start}, {counts} FROM vg_fold WHERE {col} IS NOT NULL "
                    f"GROUP BY centre_id, {col}, {start}", [dimension, period])
        cursor.execute("DROP TABLE vg_fold")
        ratings = Rating.objects.filter(counted=False)
        if centre_id is not None:
            ratings = ratings.filter(centre_id=centre_id)
        ratings.update(counted=True)


# Reading -----------------------------------------------------------------------------

def rate(counts):
    total = sum(counts.get(f"n{i}", 0) for i in range(1, 6))
    if not total:
        return None
    good = counts.get("n5", 0) + counts.get("n4", 0) + counts.get("n3", 0)
    return (Decimal(good * 100) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def summarise(row):
    counts = {c: getattr(row, c) if not isinstance(row, dict) else row.get(c, 0) for c in COUNTS}
    counts["total"] = sum(counts[f"n{i}"] for i in range(1, 6))
    counts["bad"] = counts["n2"] + counts["n1"]
    counts["rate"] = rate(counts)
    return counts


def figures_for(dimension, key, year, centre_id=None):
    """The year, its quarters and months, and the daily trend of one object:
    one indexed query over at most ~400 rows."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    rows = SatisfactionStat.objects.filter(dimension=dimension, key=key, start__gte=start, start__lt=end)
    if centre_id is not None:
        rows = rows.filter(centre_id=centre_id)
    result = {"year": summarise({}), "quarters": [], "months": [], "days": []}
    for row in rows.order_by("period", "start"):
        item = summarise(row)
        item["start"] = row.start
        if row.period == "year":
            result["year"] = item
        elif row.period == "quarter":
            result["quarters"].append(item)
        elif row.period == "month":
            result["months"].append(item)
        else:
            result["days"].append(item)
    return result


def period_figures(dimension, key, period, start):
    row = SatisfactionStat.objects.filter(dimension=dimension, key=key, period=period,
                                          start=period_start(start, period)).first()
    return summarise(row or {})


def group_totals(stats):
    """Sum a queryset of stat rows (e.g. all units' year rows) per key."""
    out = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for row in stats:
        acc = out[row.key]
        for c in COUNTS:
            acc[c] += getattr(row, c)
    return {k: summarise(v) for k, v in out.items()}


def period_ranking(centre_id, dimension, period, start):
    """Every object's figures of one period (e.g. all windows of a month): {key: summary},
    one indexed query (honours' rotating medals rank these). The centre's uncounted ratings are
    folded first: a ranking is exact."""
    fold_all(centre_id)
    rows = SatisfactionStat.objects.filter(centre_id=centre_id, dimension=dimension, period=period,
                                           start=period_start(start, period))
    return {row.key: summarise(row) for row in rows}
