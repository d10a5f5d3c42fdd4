"""Set-based writes for thousands of rows at once.

Django's bulk_create and bulk_update spend most of a 10,000-row import in
Python (a model instance per row, a CASE per field and row, quoting every
array element); these write plain values: COPY on PostgreSQL (into the table,
or into a temporary table to UPDATE from), executemany and UPDATE ... FROM
(VALUES ...) elsewhere. They take
column values by attname (`unit_id`), fill the model's defaults for the
rest, and run inside the caller's transaction.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

BATCH = 1000


def _insert_fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _default(field, now):
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return now
    return field.get_default()


def insert_rows(model, rows, now):
    """Insert `rows` (dicts of attname -> value) into `model`'s table. Returns nothing: callers that need
    the new ids read them back by a unique key."""
    if not rows:
        return
    fields = _insert_fields(model)
    # (attname, default, field, is JSON) once, not per row.
    plan = [(f.attname, _default(f, now), f, isinstance(f, models.JSONField)) for f in fields]
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    dumps = json.JSONEncoder(ensure_ascii=False, default=DjangoJSONEncoder().default).encode

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams rows without building SQL text; psycopg adapts dates, datetimes and booleans.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([dumps(row.get(name, default)) if is_json else row.get(name, default)
                                    for name, default, _f, is_json in plan])
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, [
                    [dumps(row.get(name, default)) if is_json else f.get_db_prep_save(row.get(name, default),
                                                                                       connection)
                     for name, default, f, is_json in plan]
                    for row in rows[start:start + BATCH]])


def update_rows(model, rows, attnames):
    """Set `attnames` of each row (dicts with "pk" and those attnames) in one set-based UPDATE: on
    PostgreSQL from a temporary table filled by COPY, elsewhere from (VALUES ...) a thousand rows at a
    time (SQLite 3.33+ runs UPDATE ... FROM)."""
    if not rows:
        return
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    qn = connection.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = qn(f"bulk_update_{meta.db_table}")
            definition = ", ".join([f"id {meta.pk.rel_db_type(connection)}",
                                    *(f"{qn(f.column)} {f.db_type(connection)}" for f in fields)])
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({definition})")
            with cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row["pk"], *(row[name] for name in attnames)])
            sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields)
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} AS v WHERE {table}.{pk} = v.id")
            cursor.execute(f"DROP TABLE {temp}")
            return
        # VALUES columns are named column1, column2, ...
        sets = ", ".join(f"{qn(f.column)} = v.column{i + 2}" for i, f in enumerate(fields))
        row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            params = []
            for row in batch:
                params.append(row["pk"])
                params.extend(f.get_db_prep_save(row[f.attname], connection) for f in fields)
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
                           f"WHERE {table}.{pk} = v.column1", params)
