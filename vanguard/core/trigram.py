"""Trigram indexes for the searches that match inside a text (`icontains`,
`contains`): on PostgreSQL a GIN index with pg_trgm's operator class answers
`LIKE '%term%'` without reading the whole table (300,000 people, millions of
transactions and audit rows in a city). On other databases (SQLite in
development and tests) the migration does nothing.

The index is on the expression Django's lookup compiles to: `icontains` is
`UPPER(column::text) LIKE UPPER('%term%')`, `contains` is `column::text LIKE '%term%'`,
so the planner can use it. Terms shorter than three characters give no trigram
and are answered without it (as before).

In a migration:

    operations = [trigram_indexes("org.Person", icontains=["name"], contains=["mobile"])]
"""

from django.db import migrations


def _name(table, column, kind):
    return f"{table}_{column}_{kind}_trgm"[-63:]


def _statements(apps, model_label, icontains, contains):
    model = apps.get_model(model_label)
    table = model._meta.db_table
    for kind, fields in (("upper", icontains), ("plain", contains)):
        for field in fields:
            column = model._meta.get_field(field).column
            expression = f'UPPER("{column}"::text)' if kind == "upper" else f'("{column}"::text)'
            yield (_name(table, column, kind),
                   f'CREATE INDEX IF NOT EXISTS "{_name(table, column, kind)}" ON "{table}" '
                   f"USING gin ({expression} gin_trgm_ops)")


def trigram_indexes(model_label, *, icontains=(), contains=()):
    """A RunPython operation: trigram GIN indexes for these fields on PostgreSQL, nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for _index, sql in _statements(apps, model_label, icontains, contains):
            schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index, _sql in _statements(apps, model_label, icontains, contains):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
