"""Writing a month's computed cells: one `ComputedRow` per assessed person (see models_cells).

Two paths give the same rows (a test compares them): when every rule's source offers its
aggregate query (`Source.figures`), one INSERT ... SELECT ... ON CONFLICT computes every rule's
figure and points in the database, each (source, kind) aggregate joined once to the assessed
people; otherwise each (source, kind) is read once (`Source.read`) and the rules run in Python.
Either way a row is rewritten only when its cells changed.
"""

import json
from decimal import Decimal

from django.db import connection

from .models import ComputedRow, Part, Score

ROW_COLUMNS = "period_id, person_id, cells, party_sum, party_cells, party_base, work_sum, work_cells, work_base, " \
              "computed_at"

UPSERT = """INSERT INTO {table} AS c ({columns})
{select}
ON CONFLICT (period_id, person_id) DO UPDATE SET cells = EXCLUDED.cells,
  party_sum = EXCLUDED.party_sum, party_cells = EXCLUDED.party_cells, party_base = EXCLUDED.party_base,
  work_sum = EXCLUDED.work_sum, work_cells = EXCLUDED.work_cells, work_base = EXCLUDED.work_base,
  computed_at = EXCLUDED.computed_at
WHERE c.cells {distinct} EXCLUDED.cells"""


def _pg():
    return connection.vendor == "postgresql"


def _upsert_sql(select):
    return UPSERT.format(table=ComputedRow._meta.db_table, columns=ROW_COLUMNS, select=select,
                         distinct="IS DISTINCT FROM" if _pg() else "IS NOT")


def _compiled(queryset):
    return queryset.query.get_compiler(connection=connection).as_sql()


def _num(value):
    return str(Decimal(value))


def part_totals(rules):
    """{part: (cells, sum of defaults)} of the rules: the same for every person's row."""
    out = {Part.PARTY: [0, Decimal("0")], Part.WORK: [0, Decimal("0")]}
    for rule in rules:
        out[rule.part][0] += 1
        out[rule.part][1] += rule.default_points
    return out


def _json_number(value):
    """A figure as JSON writes it: whole numbers as integers, others as decimals."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _joined_figures(period, pairs, first, last, joins, join_params):
    """Join each source's aggregate to the people `p` (appended to `joins`): a source offering
    `figures_by_kinds` once for all its rules' kinds (one pass over its records however many kinds
    the rules name), any other once per kind. Returns column_of(rule, key): the SQL of one figure."""
    from .auto import kind_arg

    qn = connection.ops.quote_name
    alias, kinds_of = {}, {}
    for rule, source in pairs:
        if source.figures_by_kinds is not None:
            kinds_of.setdefault(source.key, [])
            if rule.auto_kind not in kinds_of[source.key]:
                kinds_of[source.key].append(rule.auto_kind)
    for rule, source in pairs:
        key = source.key if source.key in kinds_of else (source.key, rule.auto_kind)
        if key in alias:
            continue
        alias[key] = f"f{len(alias)}"
        if source.key in kinds_of:
            figures = source.figures_by_kinds(period.centre, first, last,
                                              [kind_arg(kind) for kind in kinds_of[source.key]])
        else:
            figures = source.figures(period.centre, first, last, kind_arg(rule.auto_kind))
        sql, params = _compiled(figures)
        joins.append(f"LEFT JOIN ({sql}) {alias[key]} ON {alias[key]}.person_id = p.id")
        join_params += params

    def column_of(rule, name):
        if rule.auto_source in kinds_of:
            return f"{alias[rule.auto_source]}.{qn(f'k{kinds_of[rule.auto_source].index(rule.auto_kind)}_{name}')}"
        return f"{alias[(rule.auto_source, rule.auto_kind)]}.{qn(name)}"

    return column_of


def sql_rows(period, pairs, people_qs, first, last, now):
    """Upsert the rows of every assessed person from the rules' SQL (all sources have `figures`).
    Returns the rows written (those whose cells changed)."""
    from .auto import _sql_figure, _sql_points

    pg = _pg()
    people_sql, people_params = _compiled(people_qs.order_by().values("id"))
    joins, join_params = [], []
    column_of = _joined_figures(period, pairs, first, last, joins, join_params)
    columns, column_params = [], []
    for n, (rule, source) in enumerate(pairs):
        keys = sorted(source.zero)
        v = {k: f"COALESCE({column_of(rule, k)}, 0)" for k in keys}
        points, points_params = _sql_points(rule, _sql_figure(rule.auto_measure, v))
        builder = "jsonb_build_object" if pg else "json_object"
        columns.append(f"{points} AS p{n}")
        columns.append(builder + "(" + ", ".join(f"'{k}', {v[k]}" for k in keys) + f") AS v{n}")
        column_params += points_params
    inner = (f"SELECT p.id, {', '.join(columns)} FROM ({people_sql}) p {' '.join(joins)}")
    if pg:
        cells = "jsonb_build_object(" + ", ".join(
            f"'{rule.pk}', jsonb_build_array(x.p{n}, x.v{n})" for n, (rule, _s) in enumerate(pairs)) + ")"
    else:
        # json(): a JSON value passed through a subquery comes back as text to SQLite.
        cells = "json_object(" + ", ".join(
            f"'{rule.pk}', json_array(x.p{n}, json(x.v{n}))" for n, (rule, _s) in enumerate(pairs)) + ")"
    totals = part_totals([rule for rule, _s in pairs])

    def part_sum(part):
        terms = [f"x.p{n}" for n, (rule, _s) in enumerate(pairs) if rule.part == part]
        return " + ".join(terms) if terms else "0"

    moment = "timestamp with time zone" if pg else "TEXT"
    integer = "bigint" if pg else "INTEGER"
    select = (f"SELECT CAST(%s AS {integer}), x.id, {cells}, {part_sum(Part.PARTY)}, {totals[Part.PARTY][0]}, "
              f"{_num(totals[Part.PARTY][1])}, {part_sum(Part.WORK)}, {totals[Part.WORK][0]}, "
              f"{_num(totals[Part.WORK][1])}, CAST(%s AS {moment}) FROM ({inner}) x WHERE TRUE ORDER BY x.id")
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(select), [period.pk, now, *column_params, *people_params, *join_params])
        return max(cursor.rowcount, 0)


def python_rows(period, rules, available, reads, people, first, last, now):
    """Upsert the rows of `people` (ids) computed in Python from each source's `read`.
    Returns the rows written."""
    from .auto import kind_arg, points_for

    totals = part_totals(rules)
    values = []
    for rule in rules:
        key = (rule.auto_source, rule.auto_kind)
        if key not in reads:
            reads[key] = available[rule.auto_source].read(period.centre, first, last, kind_arg(rule.auto_kind))
    cache = {}
    for pid in people:
        cells, sums = {}, {Part.PARTY: Decimal("0"), Part.WORK: Decimal("0")}
        for rule in rules:
            value = reads[(rule.auto_source, rule.auto_kind)].get(pid) or available[rule.auto_source].zero
            figures = {k: _json_number(v) for k, v in sorted(value.items())}
            # Many people share a value (no record): the rule once per value.
            memo = (rule.pk, json.dumps(figures, sort_keys=True))
            points = cache.get(memo)
            if points is None:
                points = cache[memo] = points_for(rule, value)
            cells[str(rule.pk)] = [_json_number(points), figures]
            sums[rule.part] += points
        values.append((period.pk, pid, json.dumps(cells, sort_keys=True), sums[Part.PARTY],
                       totals[Part.PARTY][0], totals[Part.PARTY][1], sums[Part.WORK],
                       totals[Part.WORK][0], totals[Part.WORK][1], now))
    if not values:
        return 0
    row = "(%s, %s, CAST(%s AS jsonb), %s, %s, %s, %s, %s, %s, %s)" if _pg() else \
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    written = 0
    with connection.cursor() as cursor:
        # A few hundred rows a statement: one round trip each, in person order.
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            select = "SELECT * FROM (VALUES " + ", ".join([row] * len(chunk)) + ") v WHERE TRUE"
            cursor.execute(_upsert_sql(select), [x for r in chunk for x in r])
            written += max(cursor.rowcount, 0)
    return written


def tidy(period, rule_ids, people_qs, *, hand_cells=False):
    """After a computation: rows of people no longer assessed go; with `hand_cells` (a source became
    available since the last computation), Score rows on a rule's cells that are not overrides go:
    the rule's points replace what was entered by hand while its records were missing. (Only then:
    finding them reads every score of the month, a second a city centre; save_scores never writes
    them otherwise, and migration 0012 removed the computed Score rows of the earlier design.) The
    overrides' copy of the rule's points and
    figures follows the new rows (so the member reads what the rule gives now, and why not)."""
    rows = ComputedRow.objects.filter(period=period)
    if rule_ids:
        rows = rows.exclude(person_id__in=people_qs.order_by().values("id"))
    removed = rows.delete()[0]
    if not rule_ids:
        return removed
    if hand_cells:
        removed += Score.objects.filter(period=period, indicator_id__in=rule_ids, override_reason="").delete()[0]
    overrides = list(Score.objects.filter(period=period, indicator_id__in=rule_ids).exclude(override_reason=""))
    if overrides:
        cells = dict(ComputedRow.objects.filter(period=period, person_id__in={s.person_id for s in overrides})
                     .values_list("person_id", "cells"))
        changed = []
        for score in overrides:
            cell = (cells.get(score.person_id) or {}).get(str(score.indicator_id))
            if cell is None:
                continue
            points = Decimal(str(cell[0])).quantize(Decimal("0.1"))
            if score.computed_points != points or score.source_value != cell[1]:
                score.computed_points, score.source_value = points, cell[1]
                changed.append(score)
        Score.objects.bulk_update(changed, ["computed_points", "source_value"])
    return removed
