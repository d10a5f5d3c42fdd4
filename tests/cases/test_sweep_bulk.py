"""The sweep in bulk: the overdue cases of many units are recorded in a fixed number of
statements, and their units told with one notice per centre after the commit (urgent: one SMS
broadcast), never twice."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.cases.models import Case, CaseStep
from vanguard.cases.sweep import sweep
from vanguard.core.models import AuditEntry
from vanguard.notices.models import Notice

from .conftest import complaint

pytestmark = pytest.mark.django_db


def _late_cases(world, units, each):
    for unit in units:
        for _i in range(each):
            complaint(world, unit=unit)


def _swept(clock):
    clock.at(2026, 10, 8, 9)  # acceptance of cases received on 29 September was due on the 30th
    with CaptureQueriesContext(connection) as queries:
        result = sweep()
    return result, len(queries)


def test_overdue_cases_of_many_units_cost_no_more_statements_and_one_notice(world, clock, django_capture_on_commit_callbacks):
    units = [world.home_unit, world.home_unit2, world.department]
    clock.at(2026, 9, 29)
    _late_cases(world, units[:1], 1)
    with django_capture_on_commit_callbacks(execute=True):
        few, few_queries = _swept(clock)
    assert few["overdue"] == 1
    Case.objects.update(overdue_at=None, overdue_stage="")
    CaseStep.objects.filter(action="overdue").delete()
    Notice.objects.all().delete()
    clock.at(2026, 9, 29)
    _late_cases(world, units, 4)
    with django_capture_on_commit_callbacks(execute=True):
        many, many_queries = _swept(clock)
    assert many["overdue"] == 13
    assert many_queries <= few_queries + 2, (few_queries, many_queries)  # not a query per unit or per case
    notices = Notice.objects.filter(kind="escalation")
    assert notices.count() == 1 and notices.get().urgency == "urgent"
    assert set(notices.get().recipients.values_list("user__username", flat=True)) >= {"handler"}
    assert CaseStep.objects.filter(action="overdue").count() == 13
    assert AuditEntry.objects.filter(verb="overdue").count() == 2  # one per sweep, per centre
    # Recorded once: the next run finds nothing and tells no one again.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"overdue": 0, "reminded": 0}
    assert notices.count() == 1
    assert not Case.objects.filter(overdue_at__isnull=True, accept_due__lt=datetime.date(2026, 10, 8),
                                   status="dispatched").exists()
