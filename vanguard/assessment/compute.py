"""Set-based computation of a month's results: one SQL statement aggregates the
scores and adjustments, forms totals, ranks within branch and centre with
window functions and applies the star rule; publishing inserts its rows with
INSERT ... SELECT, so 300,000 members x 56 indicators never pass through Python.
The same statement serves SQLite and PostgreSQL."""

from decimal import Decimal

from django.db import connection, transaction

from .models import Adjustment, Indicator, Part, Result, Scheme, Score
from .permissions import assessed_people

FIELDS = ["person_id", "branch_id", "unit_id", "party_points", "work_points", "bonus", "penalty", "total",
          "vetoed", "rank_branch", "rank_centre", "star_place", "branch_size", "quota", "is_star", "reason"]


def _num(value):
    """A Decimal as a safe SQL literal (the scheme's own validated numbers only)."""
    return str(Decimal(value).normalize() if Decimal(value) == Decimal(value).to_integral() else Decimal(value))


def default_sums(scheme):
    """Points an untouched cell contributes, per part: full marks where points are deducted."""
    sums = {Part.PARTY: Decimal("0"), Part.WORK: Decimal("0")}
    for ind in scheme.indicators.all():
        sums[ind.part] += ind.default_points
    return sums


def _population_sql(period, from_results):
    if from_results:
        return (f"SELECT person_id, branch_id, unit_id FROM {Result._meta.db_table} "
                f"WHERE period_id = {int(period.pk)} AND is_current"), []
    sql, params = (assessed_people(period.centre_id).order_by()
                   .values("id", "branch_id", "unit_id").query.sql_with_params())
    return f"SELECT U.id AS person_id, U.branch_id, U.unit_id FROM ({sql}) U", list(params)


def results_sql(period, *, from_results=False):
    """(sql, params) of a SELECT giving FIELDS for every assessed member."""
    scheme = period.scheme
    defaults = default_sums(scheme)
    if scheme.formula == Scheme.Formula.WEIGHTED:
        pw, ww = _num(scheme.party_weight), _num(scheme.work_weight)
    else:
        pw = ww = "1"
    if scheme.tie_break == Scheme.TieBreak.WORK:
        tie = "work_points DESC, party_points DESC"
    else:
        tie = "party_points DESC, work_points DESC"
    quota_value = int(scheme.quota_value)
    if scheme.quota_kind == Scheme.QuotaKind.COUNT:
        quota = f"{quota_value}"
    else:
        quota = f"((branch_size * {quota_value}) / 100)"
    population, params = _population_sql(period, from_results)
    pid = int(period.pk)
    score_t, ind_t, adj_t = Score._meta.db_table, Indicator._meta.db_table, Adjustment._meta.db_table
    sql = f"""
WITH pop AS MATERIALIZED ({population}),
sc AS (
  SELECT s.person_id,
    SUM(CASE WHEN i.part = 'party' THEN s.points - (CASE WHEN i.method = 'deduct' THEN i.maximum ELSE 0 END)
        ELSE 0 END) AS party_delta,
    SUM(CASE WHEN i.part = 'work' THEN s.points - (CASE WHEN i.method = 'deduct' THEN i.maximum ELSE 0 END)
        ELSE 0 END) AS work_delta
  FROM {score_t} s JOIN {ind_t} i ON i.id = s.indicator_id
  WHERE s.period_id = {pid}
  GROUP BY s.person_id
),
adj AS MATERIALIZED (
  SELECT person_id,
    SUM(CASE WHEN kind = 'bonus' THEN points ELSE 0 END) AS bonus,
    SUM(CASE WHEN kind = 'penalty' THEN points ELSE 0 END) AS penalty,
    MAX(CASE WHEN kind = 'veto' THEN 1 ELSE 0 END) AS vetoed
  FROM {adj_t} WHERE period_id = {pid} AND status = 'approved'
  GROUP BY person_id
),
base AS (
  SELECT pop.person_id, pop.branch_id, pop.unit_id,
    ROUND({_num(defaults[Part.PARTY])} + COALESCE(sc.party_delta, 0), 1) AS party_points,
    ROUND({_num(defaults[Part.WORK])} + COALESCE(sc.work_delta, 0), 1) AS work_points,
    ROUND(COALESCE(adj.bonus, 0), 1) AS bonus,
    ROUND(COALESCE(adj.penalty, 0), 1) AS penalty,
    COALESCE(adj.vetoed, 0) AS vetoed
  FROM pop LEFT JOIN sc ON sc.person_id = pop.person_id LEFT JOIN adj ON adj.person_id = pop.person_id
),
totals AS (
  SELECT base.*, ROUND(party_points * {pw} + work_points * {ww} + bonus - penalty, 2) AS total FROM base
),
flagged AS (
  SELECT totals.*, CASE WHEN vetoed = 0 AND total >= {_num(scheme.threshold)} THEN 1 ELSE 0 END AS eligible
  FROM totals
),
ranked AS (
  SELECT flagged.*,
    RANK() OVER (PARTITION BY branch_id ORDER BY total DESC) AS rank_branch,
    RANK() OVER (ORDER BY total DESC) AS rank_centre,
    COUNT(*) OVER (PARTITION BY branch_id) AS branch_size,
    ROW_NUMBER() OVER (PARTITION BY branch_id, eligible ORDER BY total DESC, {tie}, person_id) AS place
  FROM flagged
),
quoted AS (SELECT ranked.*, {quota} AS quota FROM ranked)
SELECT person_id, branch_id, unit_id, party_points, work_points, bonus, penalty, total,
  (vetoed = 1) AS vetoed, rank_branch, rank_centre,
  CASE WHEN eligible = 1 THEN place END AS star_place, branch_size, quota,
  (eligible = 1 AND place <= quota) AS is_star,
  CASE WHEN vetoed = 1 THEN 'vetoed' WHEN eligible = 0 THEN 'below'
       WHEN place <= quota THEN 'star' ELSE 'quota' END AS reason
FROM quoted
"""
    return sql, params


def tune(cursor):
    """PostgreSQL, inside the computing transaction: no JIT (its compile time
    exceeds the run time of one centre's month), room to sort in memory, hash joins."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Right after a month is published its statistics say "no rows", and a nested
        # loop over the parallel aggregate would then be rerun once per member.
        cursor.execute("SET LOCAL enable_nestloop = off")
        # Two workers aggregate a centre's month in about half the time; the default costs
        # only choose them for larger tables than one month's scores.
        cursor.execute("SET LOCAL parallel_setup_cost = 10")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")


def insert_results(period, now):
    """Publish: write version 1 of every member's result.

    SQLite: one INSERT ... SELECT. PostgreSQL plans INSERT ... SELECT and CREATE
    TEMP TABLE ... AS without parallel workers, but a plain SELECT with them; so the
    SELECT runs in parallel and its rows (one per member: small) go back by COPY."""
    sql, params = results_sql(period)
    columns = ", ".join(FIELDS)
    table = Result._meta.db_table
    head = f"INSERT INTO {table} (period_id, version, is_current, change_reason, created_at, {columns}) "
    with connection.cursor() as cursor:
        tune(cursor)
        if connection.vendor != "postgresql":
            cursor.execute(head + f"SELECT {int(period.pk)}, 1, (1 = 1), '', %s, {columns} FROM ({sql}) computed",
                           [now, *params])
            return cursor.rowcount
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        copy_sql = f"COPY {table} (period_id, version, is_current, change_reason, created_at, {columns}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row((period.pk, 1, True, "", now, *row))
        return len(rows)


def _plain(row):
    """A computed row with the database's types made comparable (SQLite gives floats and ints)."""
    out = dict(zip(FIELDS, row, strict=True))
    for key in ("party_points", "work_points", "bonus", "penalty"):
        out[key] = Decimal(str(out[key])).quantize(Decimal("0.1"))
    out["total"] = Decimal(str(out["total"])).quantize(Decimal("0.01"))
    out["vetoed"], out["is_star"] = bool(out["vetoed"]), bool(out["is_star"])
    for key in ("rank_branch", "rank_centre", "branch_size", "quota"):
        out[key] = int(out[key])
    out["star_place"] = None if out["star_place"] is None else int(out["star_place"])
    return out


def compute_rows(period, *, from_results=False):
    """The month's results as dicts keyed by person id (for recomputation and checks)."""
    sql, params = results_sql(period, from_results=from_results)
    with transaction.atomic(), connection.cursor() as cursor:
        tune(cursor)
        cursor.execute(sql, params)
        return {row[0]: _plain(row) for row in cursor.fetchall()}


def stored_rows(period):
    rows = Result.objects.filter(period=period, is_current=True).values_list(*FIELDS)
    return {row[0]: _plain(row) for row in rows}


def plain_aggregate_sql(period):
    """The benchmark's yardstick: the same sums as a bare GROUP BY, nothing stored."""
    score_t, ind_t = Score._meta.db_table, Indicator._meta.db_table
    return f"""
SELECT COUNT(*), SUM(party), SUM(work) FROM (
  SELECT s.person_id,
    SUM(CASE WHEN i.part = 'party' THEN s.points ELSE 0 END) AS party,
    SUM(CASE WHEN i.part = 'work' THEN s.points ELSE 0 END) AS work
  FROM {score_t} s JOIN {ind_t} i ON i.id = s.indicator_id
  WHERE s.period_id = {int(period.pk)}
  GROUP BY s.person_id) t"""
