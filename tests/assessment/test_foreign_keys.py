"""Scores and results keep their foreign keys in the database: a row pointing at a
person, month, indicator, branch, unit or account that does not exist is refused by the
database itself, whatever path wrote it."""

import pytest
from django.db import IntegrityError, connection, transaction

from vanguard.assessment.models import Result, Score


def _foreign_keys(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {c["columns"][0]: c["foreign_key"] for c in constraints.values() if c["foreign_key"]}


@pytest.mark.parametrize("model", [Score, Result])
def test_every_foreign_key_is_a_database_constraint(db, model):
    keys = _foreign_keys(model)
    for field in model._meta.concrete_fields:
        if field.is_relation:
            assert field.db_constraint, f"{model.__name__}.{field.name} has no database constraint"
            assert keys.get(field.column) == (field.related_model._meta.db_table, "id"), (
                f"{model.__name__}.{field.name}: {keys}")


def test_a_score_for_a_missing_person_is_refused(world, period):
    indicator = period.scheme.indicators.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.bulk_create([Score(period=period, person_id=987654321, indicator=indicator, points=1)])
        # The constraints are deferred to the commit; check them now.
        connection.check_constraints()


def test_a_result_for_a_missing_branch_is_refused(world, published):
    result = Result.objects.filter(period=published).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(branch_id=987654321)
        connection.check_constraints()
