"""On PostgreSQL, the unique index of scores also carries the points, so that
publication reads a month's points from the index in person order (an
index-only scan) instead of visiting every score row. SQLite has no INCLUDE;
the model keeps the plain constraint, which is what SQLite gets."""

from django.db import migrations

COVERING = ("ALTER TABLE assessment_score DROP CONSTRAINT score_unique, ADD CONSTRAINT score_unique "
            "UNIQUE (period_id, person_id, indicator_id) INCLUDE (points)")
PLAIN = ("ALTER TABLE assessment_score DROP CONSTRAINT score_unique, ADD CONSTRAINT score_unique "
         "UNIQUE (period_id, person_id, indicator_id)")


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0003_fewer_constraint_triggers"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(COVERING), _on_postgresql(PLAIN)),
    ]
