"""Set-based writes for thousands of rows at once.

Django's bulk_create and bulk_update spend most of a 10,000-row import in
Python (a model instance per row, a CASE per field and row, quoting every
array element); these write plain values: COPY on PostgreSQL, executemany
elsewhere, and one UPDATE ... FROM (VALUES ...) per thousand rows. They take
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
    defaults = {f.attname: _default(f, now) for f in fields}
    qn = connection.ops.quote_name
    table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}

    def values(row, prepare):
        out = []
        for f in fields:
            value = row.get(f.attname, defaults[f.attname])
            if f.attname in json_fields:
                out.append(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
            else:
                out.append(prepare(f, value))
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams rows without building SQL text; psycopg adapts dates, datetimes and booleans.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row, lambda f, v: v))
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, [values(row, lambda f, v: f.get_db_prep_save(v, connection))
                                         for row in rows[start:start + BATCH]])


def update_rows(model, rows, attnames):
    """Set `attnames` of each row (dicts with "pk" and those attnames): one UPDATE ... FROM (VALUES ...)
    per thousand rows; PostgreSQL and SQLite (3.33+) both run this form."""
    if not rows:
        return
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)

    def source(i, field):  # VALUES columns are named column1, column2, ... on both databases
        column = f"v.column{i + 2}"
        if connection.vendor == "postgresql":  # literals are untyped there: give each its column's type
            return f"CAST({column} AS {field.db_type(connection)})"
        return column

    sets = ", ".join(f"{qn(field.column)} = {source(i, field)}" for i, field in enumerate(fields))
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            params = []
            for row in batch:
                params.append(row["pk"])
                params.extend(field.get_db_prep_save(row[field.attname], connection) for field in fields)
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
                           f"WHERE {table}.{qn(meta.pk.column)} = v.column1", params)
