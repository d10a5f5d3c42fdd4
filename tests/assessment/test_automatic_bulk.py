"""Automatic indicators computed in the database: one INSERT ... SELECT per rule from the
sources' aggregate queries gives the same cells as the rules in Python over the sources'
read functions (on SQLite and on PostgreSQL: the suite runs on both), leaves overrides and
published months alone; every assessed person has the work part's computed cells."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.life.conftest import at, held_meeting
from tests.ratings.conftest import import_one, rate
from vanguard.assessment import auto, services
from vanguard.assessment.models import Cell, ComputedRow, Period, Scheme, Score
from vanguard.assessment.scheme_data import indicator_rows
from vanguard.assessment.scoring import Entry, save_scores
from vanguard.life import services as life
from vanguard.life.models import MeetingKind

pytestmark = pytest.mark.django_db


def day():
    return timezone.localdate() - datetime.timedelta(days=10)


def make_month(world, rows=None):
    services.create_scheme(world.office, world.centre, name="双百分考核", indicators=rows or indicator_rows(rules=True),
                           valid_from=datetime.date(2026, 1, 1), threshold=Decimal("150"),
                           quota_kind=Scheme.QuotaKind.COUNT, quota_value=1)
    return services.start_scoring(world.office, services.open_period(world.office, world.centre,
                                                                     day().replace(day=1)))


def rate_in_month(world, level):
    """A rating of the member's transaction on the month's day (the month is last month's at times)."""
    return rate(import_one(world, accepted_at=at(day(), 8)), level=level, now=at(day(), 10))


def computed_cells(period):
    return {(s.person_id, s.indicator.code): (s.points, s.computed_points, s.computed, s.override_reason,
                                              s.source_value)
            for s in Cell.objects.filter(period=period, computed_points__isnull=False).select_related("indicator")}


def records(world):
    """Meetings with absences, leave made up and not, activities with hours, ratings."""
    member, secretary, other = world.branch1_members[1], world.branch1_members[0], world.branch1_members[2]
    assert member == world.member_person
    held_meeting(world, kind=MeetingKind.MEMBERS, day=day(),
                 marks={member: "absent", secretary: "present", other: "leave"})
    for kind in (MeetingKind.COMMITTEE, MeetingKind.GROUP):
        held_meeting(world, kind=kind, day=day(), marks={member: "present", secretary: "present", other: "present"})
    life_meeting = held_meeting(world, kind=MeetingKind.LIFE, day=day(),
                                marks={member: "leave", secretary: "present", other: "leave"})
    row = life_meeting.attendances.get(person=other)
    life.record_makeup(world.secretary, row, on=timezone.localdate(), note="补学会议精神")
    for kind, hours in (("bin_duty", "1.5"), ("bin_duty", "2"), ("contact", "0"), ("volunteer", "0.5")):
        life.record_activity(world.secretary, kind=life.activity_kinds(world.centre).get(code=kind), date=day(),
                             hours=Decimal(hours), description="集体活动", people=[member, other],
                             organization=world.branch1)
    for level in (1, 5, 4):
        rate_in_month(world, level)


def rules_with_a_rate():
    """The demo rules, and an attendance rate with a fractional loss (2 of 3 present: 66.67 %)."""
    rows = indicator_rows(rules=True)
    p16 = next(r for r in rows if r["code"] == "P16")
    p16.update(auto_measure="attendance", auto_formula="rate_min", auto_step=Decimal("0.1"),
               auto_threshold=Decimal("95"))
    return rows


def test_the_database_and_python_give_the_same_cells(world):
    period = make_month(world, rules_with_a_rate())
    records(world)
    assert auto.compute_month(period, bulk=False) > 0
    by_python = computed_cells(period)
    ComputedRow.objects.filter(period=period).delete()
    Period.objects.filter(pk=period.pk).update(auto_computed_at=None, auto_inputs=None)
    with CaptureQueriesContext(connection) as queries:
        written = auto.compute_month(period)
    by_sql = computed_cells(period)
    people = len({p for p, _code in by_sql})
    assert written == people == ComputedRow.objects.filter(period=period).count() > 0
    assert len(by_sql) == len(by_python) == people * len(auto.rules_of(period))
    assert by_sql == by_python
    # The figures are really computed by the database: one INSERT ... SELECT for every person and rule
    # (each source's aggregate joined once, all its rules' kinds side by side), no COPY, nothing
    # written to the scores.
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT INTO ASSESSMENT")]
    assert len(inserts) == 1 and inserts[0].upper().startswith("INSERT INTO ASSESSMENT_COMPUTEDROW"), inserts
    kinds = {(r.auto_source, r.auto_kind) for r in auto.rules_of(period)}
    sources = {r.auto_source for r in auto.rules_of(period)}
    assert inserts[0].count("LEFT JOIN (SELECT") == len(sources) < len(kinds), inserts
    assert not [q["sql"] for q in queries if "COPY" in q["sql"].upper()]
    member = world.member_person
    assert by_sql[(member.pk, "P01")][:2] == (Decimal("0"), Decimal("0"))    # absent from the members' meeting
    assert by_sql[(member.pk, "P09")][4] == {"times": 2, "hours": Decimal("3.5")}  # 1.5 + 2 hours at the bins
    assert by_sql[(member.pk, "P16")][0] == Decimal("2.2")   # 2 of 3 present: 5 - 0.1 x (95 - 66.67)
    assert by_sql[(member.pk, "W14")][0] == Decimal("2")     # one bad review
    if connection.vendor == "postgresql":
        # Same numbers stored: the other path finds nothing to rewrite.
        assert auto.compute_month(period, bulk=False) == 0


def test_the_database_never_touches_an_override_and_leaves_a_published_month(world):
    period = make_month(world)
    member = world.member_person
    auto.ensure_computed(period)
    w14 = period.scheme.indicators.get(code="W14")
    save_scores(world.office, period, [Entry(member.pk, w14.pk, "1", "窗口当月两次被服务对象投诉")])
    rate_in_month(world, 1)
    assert auto.ensure_computed(period) > 0
    score = Cell.objects.get(period=period, person=member, indicator=w14)
    assert (score.points, score.computed, score.computed_points, score.override_reason, score.note) == (
        Decimal("1"), False, Decimal("2"), "窗口当月两次被服务对象投诉", "窗口当月两次被服务对象投诉")
    services.publish_period(world.office, period, confirm_unscored=True)
    before = computed_cells(period)
    rate_in_month(world, 1)
    assert auto.compute_month(period) == 0
    assert computed_cells(period) == before


def test_work_cells_are_computed_for_people_no_department_supervises(world):
    """The office's work grid lists them: their computed cells exist, and their points can be
    confirmed, overridden with a reason, or entered by hand where there is no rule."""
    period = make_month(world)
    nobody = world.branch2_members[0]
    assert nobody.window is not None and nobody.window.department_id is None
    auto.ensure_computed(period)
    w14 = period.scheme.indicators.get(code="W14")
    w01 = period.scheme.indicators.get(code="W01")
    cell = Cell.objects.get(period=period, person=nobody, indicator=w14)
    assert (cell.points, cell.computed, cell.score_id) == (Decimal("3"), True, None)
    assert save_scores(world.office, period, [Entry(nobody.pk, w14.pk, "3")]) == 0
    assert save_scores(world.office, period, [Entry(nobody.pk, w14.pk, "2", "当面核实的投诉"),
                                              Entry(nobody.pk, w01.pk, "2")]) == 2
    assert Score.objects.get(period=period, person=nobody, indicator=w14).override_reason == "当面核实的投诉"
    assert Score.objects.get(period=period, person=nobody, indicator=w01).points == Decimal("2")


def test_a_rule_whose_records_this_installation_lacks_is_entered_by_hand(world, monkeypatch):
    period = make_month(world)
    nobody = world.branch2_members[0]
    w14 = period.scheme.indicators.get(code="W14")
    everything = auto.sources()
    monkeypatch.setattr(auto, "sources", lambda: {k: v for k, v in everything.items() if k != "ratings"})
    assert save_scores(world.office, period, [Entry(nobody.pk, w14.pk, "2")]) == 1
    score = Score.objects.get(period=period, person=nobody, indicator=w14)
    assert (score.points, score.computed, score.computed_points) == (Decimal("2"), False, None)


def test_the_scores_api_gives_computed_cells_their_figures_explanation_and_override(world):
    from rest_framework.test import APIClient

    period = make_month(world)
    member = world.member_person
    rate_in_month(world, 1)
    auto.ensure_computed(period)
    w14 = period.scheme.indicators.get(code="W14")
    w01 = period.scheme.indicators.get(code="W01")
    save_scores(world.office, period, [Entry(member.pk, w14.pk, "1", "窗口当月两次被服务对象投诉"),
                                       Entry(member.pk, w01.pk, "2")])
    api = APIClient()
    api.force_authenticate(world.scorer)
    rows = {}
    for person in (member, world.secretary_person):
        url = f"/api/v1/assessment/scores/?period={period.month:%Y-%m}&person={person.pk}"
        while url:
            page = api.get(url).json()
            rows.update({(r["person"], r["indicator"]): r for r in page["results"]})
            url = page.get("next")
    cell = rows[(member.pk, w14.pk)]
    assert (cell["points"], cell["computed"], cell["computed_points"], cell["override_reason"]) == (
        "1.0", False, "2.0", "窗口当月两次被服务对象投诉")
    assert cell["source_value"] == {"ratings": 1, "satisfied": 0, "bad": 1, "default": 0, "set_aside": 0}
    assert "差评 1" in cell["explanation"] and "窗口当月两次被服务对象投诉" in cell["explanation"]
    computed = rows[(world.secretary_person.pk, w14.pk)]
    assert (computed["computed"], computed["points"], computed["override_reason"]) == (True, "3.0", "")
    hand = rows[(member.pk, w01.pk)]
    assert (hand["computed"], hand["computed_points"], hand["source_value"], hand["explanation"]) == (
        False, None, None, "")
    # Documented in the schema.
    schema = api.get("/api/schema/").content.decode()
    for name in ("computed_points", "source_value", "override_reason", "explanation"):
        assert name in schema
    # The member reads nothing before publication; the outsider never.
    for user in (world.member, world.outsider):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/assessment/scores/?period={period.month:%Y-%m}").json()["results"] == []


def test_life_fingerprints_move_with_the_records_and_nothing_moved_reads_no_rows(world):
    from vanguard.life import selectors

    period = make_month(world)
    first, last = auto.month_bounds(period)
    member, other = world.member_person, world.branch1_members[2]

    def prints():
        return (selectors.attendance_fingerprint(world.centre, first, last),
                selectors.activity_fingerprint(world.centre, first, last))

    seen = [prints()]
    meeting = held_meeting(world, kind=MeetingKind.MEMBERS, day=day(), marks={member: "present", other: "leave"})
    seen.append(prints())
    life.record_attendance(world.secretary, meeting, {member.pk: "absent"})
    seen.append(prints())
    life.record_makeup(world.secretary, meeting.attendances.get(person=other), on=timezone.localdate(), note="补学")
    seen.append(prints())
    life.record_activity(world.secretary, kind=life.activity_kinds(world.centre).get(code="cleanup"), date=day(),
                         hours=Decimal("2"), description="周末大扫除", people=[member], organization=world.branch1)
    seen.append(prints())
    assert len(set(map(repr, seen))) == len(seen), seen
    auto.ensure_computed(period)
    with CaptureQueriesContext(connection) as queries:
        assert auto.ensure_computed(period) == 0
    # Nothing moved: aggregates only, no person's figures read (no GROUP BY person).
    assert not [q["sql"] for q in queries if "GROUP BY" in q["sql"].upper()], [q["sql"] for q in queries]
    assert len(queries) <= 12, [q["sql"] for q in queries]
