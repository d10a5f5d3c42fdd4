"""Saves and publication at the same moment, and two scorers on one empty cell: real
threads on their own connections, so these run on PostgreSQL (CI's PostgreSQL suite);
SQLite runs write transactions one at a time and has no race to show."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from vanguard.assessment import compute, scoring, services
from vanguard.assessment.models import Period, Result, Score
from vanguard.core import audit

from .conftest import fill

pytestmark = pytest.mark.django_db(transaction=True)

# How long the first transaction stays open after its writes: far longer than the
# other thread needs to reach the point where the two meet.
HOLD = 1.0


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises write transactions, so there is no race to test; run on PostgreSQL.")


def _run(*targets):
    outcomes = {}

    def wrap(name, target):
        def run():
            try:
                outcomes[name] = target()
            except ValidationError as e:
                outcomes[name] = ("refused", " ".join(e.messages))
            except Exception as e:  # noqa: BLE001 -- the test reports whatever went wrong
                outcomes[name] = ("error", repr(e))
            finally:
                connections.close_all()
        return run

    threads = [threading.Thread(target=wrap(name, target)) for name, target in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def _consistent(period):
    """The published results equal what the stored scores give now."""
    assert Result.objects.filter(period=period).exists()
    assert compute.compute_rows(period, from_results=True) == compute.stored_rows(period)


def _p01_entries(period, people, points):
    p01 = period.scheme.indicators.get(code="P01")
    return p01, [scoring.Entry(p.pk, p01.pk, points) for p in people]


def test_publication_waits_for_a_save_in_flight(world, period, monkeypatch):
    people = world.branch1_members + world.branch2_members
    fill(world, period, people)
    p01, entries = _p01_entries(period, people, p01_points := Decimal("1"))
    in_flight = threading.Event()
    real_upsert = scoring._upsert

    def slow_upsert(*args, **kwargs):
        real_upsert(*args, **kwargs)
        in_flight.set()
        time.sleep(HOLD)

    monkeypatch.setattr(scoring, "_upsert", slow_upsert)
    stale = Period.objects.get(pk=period.pk)

    def publish():
        assert in_flight.wait(10)
        services.publish_period(world.office, Period.objects.get(pk=period.pk))
        return "published"

    outcomes = _run(("save", lambda: scoring.save_scores(world.office, stale, entries)), ("publish", publish))
    assert outcomes == {"save": len(people), "publish": "published"}
    assert set(Score.objects.filter(period=period, indicator=p01).values_list("points", flat=True)) == {p01_points}
    _consistent(period)
    # The saved cells are in the results: P01 lost (maximum - 1) points for everyone.
    full = Result.objects.filter(period=period, party_points=Decimal("100")).count()
    assert full == 0 and p01.maximum > p01_points


def test_a_save_after_publication_began_is_refused(world, period, monkeypatch):
    people = world.branch1_members + world.branch2_members
    fill(world, period, people)
    p01, entries = _p01_entries(period, people, Decimal("1"))
    publishing = threading.Event()
    real_insert = compute.insert_results

    def slow_insert(*args, **kwargs):
        count = real_insert(*args, **kwargs)
        publishing.set()
        time.sleep(HOLD)
        return count

    monkeypatch.setattr(compute, "insert_results", slow_insert)
    # The scorer's page read the month while it was still open.
    stale = Period.objects.get(pk=period.pk)

    def save():
        assert publishing.wait(10)
        return scoring.save_scores(world.office, stale, entries)

    outcomes = _run(("publish", lambda: services.publish_period(world.office, period) and "published"),
                    ("save", save))
    assert outcomes["publish"] == "published"
    assert outcomes["save"][0] == "refused", outcomes
    assert "不能再录入评分" in outcomes["save"][1]
    assert set(Score.objects.filter(period=period, indicator=p01).values_list("points", flat=True)) == {p01.maximum}
    _consistent(period)


def test_many_saves_and_a_publication(world, period):
    """Saves keep coming while the month is published: every save either counts in the
    results or is refused, never saved beside them."""
    people = world.branch1_members + world.branch2_members
    fill(world, period, people)
    p01 = period.scheme.indicators.get(code="P01")
    start = threading.Barrier(4)

    def saver(points):
        def run():
            start.wait()
            said = []
            for _ in range(15):
                try:
                    said.append(scoring.save_scores(world.office, Period.objects.get(pk=period.pk),
                                                     [scoring.Entry(p.pk, p01.pk, points) for p in people]))
                except ValidationError:
                    said.append("refused")
            return said
        return run

    def publish():
        start.wait()
        time.sleep(0.05)
        services.publish_period(world.office, Period.objects.get(pk=period.pk))
        return "published"

    outcomes = _run(("a", saver(Decimal("1"))), ("b", saver(Decimal("2"))), ("c", saver(Decimal("3"))),
                    ("publish", publish))
    assert outcomes["publish"] == "published", outcomes
    for name in "abc":
        assert isinstance(outcomes[name], list), outcomes
    _consistent(period)


def test_two_scorers_on_one_empty_cell(world, period, monkeypatch):
    """The office and the branch secretary enter the same empty cell at the same moment:
    one is saved, the other is told so in Chinese; nothing fails with a server error."""
    person = world.member_person
    p01 = period.scheme.indicators.get(code="P01")
    start = threading.Barrier(2)
    real_create = audit.record_create

    def slow_create(*args, **kwargs):
        entry = real_create(*args, **kwargs)
        time.sleep(HOLD)  # the winner's transaction stays open after its insert
        return entry

    monkeypatch.setattr(audit, "record_create", slow_create)

    def enter(user, points):
        def run():
            start.wait()
            return scoring.save_scores(user, Period.objects.get(pk=period.pk),
                                       [scoring.Entry(person.pk, p01.pk, points)])
        return run

    outcomes = _run(("office", enter(world.office, Decimal("3"))),
                    ("secretary", enter(world.secretary, Decimal("4"))))
    saved = [name for name, said in outcomes.items() if said == 1]
    refused = [said for said in outcomes.values() if isinstance(said, tuple) and said[0] == "refused"]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert "同时" in refused[0][1], refused
    cell = Score.objects.get(period=period, person=person, indicator=p01)
    assert cell.scored_by == (world.office if saved == ["office"] else world.secretary)
