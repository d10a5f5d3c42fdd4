"""Set-based computation of a month's results: one SQL statement aggregates the
scores and adjustments, forms totals, ranks within branch and centre with
window functions and applies the star rule; publishing inserts its rows with
INSERT ... SELECT, so 300,000 members x 56 indicators never pass through Python.
The same statement serves SQLite and PostgreSQL."""

from decimal import Decimal

from django.db import connection, transaction

from .models import Adjustment, ComputedRow, Indicator, Part, Result, Scheme, Score
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


def _runs(values):
    """[lo, hi, value] runs of consecutive ids sharing a value, from {id: value}: bulk-created
    indicators have consecutive ids, so a scheme's ids make a few runs."""
    runs = []
    for pk in sorted(values):
        if runs and pk == runs[-1][1] + 1 and values[pk] == runs[-1][2]:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk, values[pk]])
    return runs


def _id_in(column, ids):
    """SQL test of `column` against a set of ids: ranges when the ids run consecutively,
    so each score row costs a comparison or two."""
    if not ids:
        return "(1 = 0)"
    runs = _runs(dict.fromkeys(int(i) for i in ids))
    if len(runs) > 4:
        return f"{column} IN ({', '.join(str(i) for i in sorted(int(i) for i in ids))})"
    return "(" + " OR ".join(f"{column} = {lo}" if lo == hi else f"{column} BETWEEN {lo} AND {hi}"
                             for lo, hi, _v in runs) + ")"


def _default_of(column, maxima):
    """SQL: the default of the cell whose indicator id is `column`, from {id: maximum} of
    deduct indicators (0 for any other). Runs of ids sharing a maximum are one test each,
    so a member's 56 cells are summed without a join."""
    arms = " ".join(f"WHEN {column} BETWEEN {lo} AND {hi} THEN {_num(value)}" for lo, hi, value in _runs(maxima))
    return f"CASE {arms} ELSE 0 END"


def _population_sql(period, from_results):
    if from_results:
        return (f"SELECT person_id, branch_id, unit_id FROM {Result._meta.db_table} "
                "WHERE period_id = %s AND is_current"), [period.pk]
    sql, params = (assessed_people(period.centre_id).order_by()
                   .values("id", "branch_id", "unit_id").query.sql_with_params())
    return f"SELECT U.id AS person_id, U.branch_id, U.unit_id FROM ({sql}) U", list(params)


def _rule_point_sql(rows_alias, indicator_column):
    """SQL: the rule's points of the computed cell `indicator_column` in the ComputedRow `rows_alias`
    (NULL when the row has no such cell)."""
    if connection.vendor == "postgresql":
        return f"CAST({rows_alias}.cells -> CAST({indicator_column} AS text) ->> 0 AS numeric)"
    return f"json_extract({rows_alias}.cells, '$.\"' || {indicator_column} || '\"[0]')"


def computed_rows_sql(period, party_ids, work_ids, deducted):
    """(sql, params) of the CTE body `cr`: per person, each part's sum, cells and defaults of the
    computed cells (the month's ComputedRows) less those a Score row overrides (the override is
    counted with the scores; the few overrides are found by their own partial index)."""
    row_t, score_t = ComputedRow._meta.db_table, Score._meta.db_table
    pts = _rule_point_sql("c2", "s.indicator_id")
    party, work = _id_in("s.indicator_id", party_ids), _id_in("s.indicator_id", work_ids)
    maxima = {**deducted[Part.PARTY], **deducted[Part.WORK]}
    default = _default_of("s.indicator_id", maxima) if maxima else "0"
    sql = f"""
  SELECT c.person_id,
    c.party_sum - COALESCE(o.party_sum, 0) AS party_sum, c.party_cells - COALESCE(o.party_cells, 0) AS party_cells,
    c.party_base - COALESCE(o.party_base, 0) AS party_base,
    c.work_sum - COALESCE(o.work_sum, 0) AS work_sum, c.work_cells - COALESCE(o.work_cells, 0) AS work_cells,
    c.work_base - COALESCE(o.work_base, 0) AS work_base
  FROM {row_t} c LEFT JOIN (
    SELECT s.person_id,
      SUM({pts}) FILTER (WHERE {party}) AS party_sum, COUNT(*) FILTER (WHERE {party}) AS party_cells,
      SUM({default}) FILTER (WHERE {party}) AS party_base,
      SUM({pts}) FILTER (WHERE {work}) AS work_sum, COUNT(*) FILTER (WHERE {work}) AS work_cells,
      SUM({default}) FILTER (WHERE {work}) AS work_base
    FROM {score_t} s JOIN {row_t} c2 ON c2.period_id = s.period_id AND c2.person_id = s.person_id
    WHERE s.period_id = %s AND s.override_reason <> '' AND {pts} IS NOT NULL
    GROUP BY s.person_id) o ON o.person_id = c.person_id
  WHERE c.period_id = %s"""
    return sql, [period.pk, period.pk]


def results_sql(period, *, from_results=False):
    """(sql, params) of a SELECT giving FIELDS for every assessed member.

    A part's points are its default (full marks on deduct items) plus, per entered
    cell, points minus the cell's default. For a member with every cell entered the
    defaults cancel out, so the part is just the sum of the points: one pass over the
    month's scores (the covering index score_unique, in person order) adds points and
    counts cells, with no per-row join or CASE (indicator ids are told apart by range).
    Only members with missing cells look up the defaults of the cells they have (an
    index range per member). The computed cells add their ComputedRow's sums, counts and
    defaults per part (`computed_rows_sql`). A part with no cell entered at all is not assessed: NULL,
    never its defaults, and the member gets no total, rank or star. Scores on indicators
    outside the month's scheme count nowhere; the services never write them."""
    scheme = period.scheme
    indicators = list(scheme.indicators.all())
    defaults = default_sums(scheme)
    if scheme.formula == Scheme.Formula.WEIGHTED:
        weights = [Decimal(scheme.party_weight), Decimal(scheme.work_weight)]
    else:
        weights = [Decimal("1"), Decimal("1")]
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
    # The other parameters in the order their placeholders appear in the statement.
    params += [period.pk]  # sc; cr's and adj's below
    score_t, adj_t = Score._meta.db_table, Adjustment._meta.db_table
    party_ids = [i.pk for i in indicators if i.part == Part.PARTY]
    work_ids = [i.pk for i in indicators if i.part == Part.WORK]
    # Defaults of deduct cells (add and yes/no cells default to 0), for members with missing cells.
    deducted = {part: {i.pk: i.maximum for i in indicators if i.part == part and i.method == Indicator.Method.DEDUCT}
                for part in (Part.PARTY, Part.WORK)}
    rows_sql, rows_params = computed_rows_sql(period, party_ids, work_ids, deducted)
    params += [*rows_params, Adjustment.Kind.BONUS, Adjustment.Kind.PENALTY, Adjustment.Kind.VETO, period.pk,
               Adjustment.Status.APPROVED]

    def part_points(part, column, n_cells):
        default = _num(defaults[part])
        if not deducted[part]:
            present = "0"
        else:
            params.append(period.pk)
            present = f"""(COALESCE((SELECT SUM({_default_of("s2.indicator_id", deducted[part])}) FROM {score_t} s2
                WHERE s2.period_id = %s AND s2.person_id = pop.person_id), 0) + COALESCE(cr.{part}_base, 0))"""
        # A part none of whose cells was scored is not assessed (NULL): no default is invented
        # for it. CASE evaluates the subquery only for members with some cells missing.
        cells = f"(COALESCE(sc.{part}_cells, 0) + COALESCE(cr.{part}_cells, 0))"
        points = f"(COALESCE(sc.{column}, 0) + COALESCE(cr.{column}, 0))"
        return f"""ROUND(CASE WHEN {cells} = 0 THEN NULL
            WHEN {cells} = {n_cells} THEN {points}
            ELSE {default} + {points} - {present} END, 1)"""

    party_points = part_points(Part.PARTY, "party_sum", len(party_ids))
    work_points = part_points(Part.WORK, "work_sum", len(work_ids))
    params += [*weights, Decimal(scheme.threshold), Result.Reason.UNASSESSED, Result.Reason.VETOED,
               Result.Reason.BELOW, Result.Reason.STAR, Result.Reason.QUOTA]
    sql = f"""
WITH pop AS MATERIALIZED ({population}),
sc AS (
  SELECT s.person_id,
    SUM(s.points) FILTER (WHERE {_id_in("s.indicator_id", party_ids)}) AS party_sum,
    SUM(s.points) FILTER (WHERE {_id_in("s.indicator_id", work_ids)}) AS work_sum,
    COUNT(*) FILTER (WHERE {_id_in("s.indicator_id", party_ids)}) AS party_cells,
    COUNT(*) FILTER (WHERE {_id_in("s.indicator_id", work_ids)}) AS work_cells
  FROM {score_t} s
  -- No test of the indicator here: the FILTERs above leave out cells outside the scheme, and
  -- ANDed with the month it made PostgreSQL expect a tenth of the rows and aggregate serially.
  WHERE s.period_id = %s
  GROUP BY s.person_id
),
cr AS ({rows_sql}),
adj AS MATERIALIZED (
  SELECT person_id,
    SUM(CASE WHEN kind = %s THEN points ELSE 0 END) AS bonus,
    SUM(CASE WHEN kind = %s THEN points ELSE 0 END) AS penalty,
    MAX(CASE WHEN kind = %s THEN 1 ELSE 0 END) AS vetoed
  FROM {adj_t} WHERE period_id = %s AND status = %s
  GROUP BY person_id
),
base AS MATERIALIZED (
  SELECT pop.person_id, pop.branch_id, pop.unit_id,
    {party_points} AS party_points,
    {work_points} AS work_points,
    ROUND(COALESCE(adj.bonus, 0), 1) AS bonus,
    ROUND(COALESCE(adj.penalty, 0), 1) AS penalty,
    COALESCE(adj.vetoed, 0) AS vetoed
  FROM pop LEFT JOIN sc ON sc.person_id = pop.person_id LEFT JOIN cr ON cr.person_id = pop.person_id
  LEFT JOIN adj ON adj.person_id = pop.person_id
),
totals AS (
  -- NULL (not assessed) when either part is: such a member is neither ranked nor starred.
  SELECT base.*, ROUND(party_points * CAST(%s AS NUMERIC) + work_points * CAST(%s AS NUMERIC) + bonus - penalty, 2) AS total FROM base
),
flagged AS (
  SELECT totals.*, CASE WHEN vetoed = 0 AND total IS NOT NULL AND total >= CAST(%s AS NUMERIC) THEN 1 ELSE 0 END
    AS eligible
  FROM totals
),
ranked AS (
  -- The branch windows share one sort (branch, total, tie-break, person): an eligible
  -- member's place is the running count of eligible members up to them. Members not
  -- assessed (total NULL) sort last, so the ranks of the assessed are as if they were absent;
  -- the branch size (and so its quota) counts the assessed only.
  SELECT flagged.*,
    RANK() OVER (PARTITION BY branch_id ORDER BY total DESC NULLS LAST) AS rank_branch,
    RANK() OVER (ORDER BY total DESC NULLS LAST) AS rank_centre,
    COUNT(total) OVER (PARTITION BY branch_id) AS branch_size,
    SUM(eligible) OVER (PARTITION BY branch_id ORDER BY total DESC NULLS LAST, {tie}, person_id
                        ROWS UNBOUNDED PRECEDING) AS place
  FROM flagged
),
quoted AS (SELECT ranked.*, {quota} AS quota FROM ranked)
SELECT person_id, branch_id, unit_id, party_points, work_points, bonus, penalty, total,
  (vetoed = 1) AS vetoed,
  CASE WHEN total IS NOT NULL THEN rank_branch END AS rank_branch,
  CASE WHEN total IS NOT NULL THEN rank_centre END AS rank_centre,
  CASE WHEN eligible = 1 THEN place END AS star_place, branch_size, quota,
  (eligible = 1 AND place <= quota) AS is_star,
  CASE WHEN total IS NULL THEN %s WHEN vetoed = 1 THEN %s WHEN eligible = 0 THEN %s WHEN place <= quota THEN %s
       ELSE %s END AS reason
FROM quoted
"""
    return sql, params


def unscored_counts(period):
    """(members, party, work): assessed members with no cell scored or computed in a part, by the same
    pass over the month's scores as publication (one GROUP BY on the covering index; an
    EXISTS per member and part cost more than computing the month itself)."""
    ids = {Part.PARTY: [], Part.WORK: []}
    for pk, part in period.scheme.indicators.values_list("pk", "part"):
        ids[part].append(pk)
    population, params = _population_sql(period, False)
    party, work = _id_in("s.indicator_id", ids[Part.PARTY]), _id_in("s.indicator_id", ids[Part.WORK])
    sql = f"""
WITH pop AS MATERIALIZED ({population}),
sc AS (
  SELECT s.person_id, COUNT(*) FILTER (WHERE {party}) AS party_cells, COUNT(*) FILTER (WHERE {work}) AS work_cells
  FROM {Score._meta.db_table} s
  WHERE s.period_id = %s
  GROUP BY s.person_id
),
cr AS (SELECT person_id, party_cells, work_cells FROM {ComputedRow._meta.db_table} WHERE period_id = %s),
n AS (SELECT COALESCE(sc.party_cells, 0) + COALESCE(cr.party_cells, 0) AS party,
             COALESCE(sc.work_cells, 0) + COALESCE(cr.work_cells, 0) AS work
      FROM pop LEFT JOIN sc ON sc.person_id = pop.person_id LEFT JOIN cr ON cr.person_id = pop.person_id)
SELECT COUNT(*) FILTER (WHERE party = 0 OR work = 0), COUNT(*) FILTER (WHERE party = 0),
  COUNT(*) FILTER (WHERE work = 0)
FROM n"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, period.pk, period.pk])
        members, party_n, work_n = cursor.fetchone()
    return members or 0, party_n or 0, work_n or 0


def tune(cursor):
    """PostgreSQL, inside the computing transaction: no JIT (its compile time
    exceeds the run time of one centre's month), room to sort in memory, hash joins."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Right after a month is published its statistics say "no rows", and a nested
        # loop over the aggregate would then be rerun once per member.
        cursor.execute("SET LOCAL enable_nestloop = off")
        # Two workers aggregate a centre's month in about half the time; the default costs
        # only choose them for larger tables than one month's scores.
        cursor.execute("SET LOCAL parallel_setup_cost = 10")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")


# The month's computed rows, once per publication: a temporary table of the transaction.
COMPUTED = "vg_computed_results"


def compute_month(period):
    """Compute the month's results once into a temporary table (dropped by insert_results, and
    on PostgreSQL at the end of the transaction): publication counts the members not assessed
    from it and inserts from it, instead of passing over the month's scores twice. Creating
    it from a SELECT (unlike INSERT ... SELECT) may use PostgreSQL's parallel workers."""
    sql, params = results_sql(period)
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        tune(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {COMPUTED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {COMPUTED}{on_commit} AS {sql}", params)


def computed_unscored():
    """(members, party, work) not assessed in a part, from compute_month's rows: a part is not
    assessed (NULL) exactly when none of its cells was scored, as in unscored_counts."""
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT
            SUM(CASE WHEN party_points IS NULL OR work_points IS NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN party_points IS NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN work_points IS NULL THEN 1 ELSE 0 END) FROM {COMPUTED}""")
        members, party_n, work_n = cursor.fetchone()
    return members or 0, party_n or 0, work_n or 0


def insert_results(period, now, *, computed=False):
    """Publish: write version 1 of every member's result in one INSERT ... SELECT from
    compute_month's rows (computed now unless `computed`); the rows never leave the database."""
    if not computed:
        compute_month(period)
    columns = ", ".join(FIELDS)
    table = Result._meta.db_table
    with connection.cursor() as cursor:
        # In person order the indexes keyed by person are filled page by page, not at random.
        cursor.execute(f"INSERT INTO {table} (period_id, version, is_current, change_reason, created_at, {columns}) "
                       f"SELECT %s, 1, %s, '', %s, {columns} FROM {COMPUTED} ORDER BY person_id",
                       [period.pk, True, now])
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {COMPUTED}")
        return count


def _plain(row):
    """A computed row with the database's types made comparable (SQLite gives floats and ints)."""
    out = dict(zip(FIELDS, row, strict=True))

    def dec(value, places):
        return None if value is None else Decimal(str(value)).quantize(Decimal(places))

    for key in ("party_points", "work_points", "bonus", "penalty"):
        out[key] = dec(out[key], "0.1")
    out["total"] = dec(out["total"], "0.01")
    out["vetoed"], out["is_star"] = bool(out["vetoed"]), bool(out["is_star"])
    for key in ("branch_size", "quota"):
        out[key] = int(out[key])
    for key in ("rank_branch", "rank_centre"):
        out[key] = None if out[key] is None else int(out[key])
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
