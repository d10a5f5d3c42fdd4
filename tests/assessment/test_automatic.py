"""Automatic indicators: rules in the scheme, cells computed from the records (ratings,
circulars, and life's meetings and activities once that app gives them), read-only in the
grid with their records, overrides only with a reason, published months left alone."""

import datetime
import sys
import types
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.ratings.conftest import import_one, rate
from vanguard.assessment import auto, services
from vanguard.assessment.models import Cell, Indicator, Result, Scheme
from vanguard.assessment.scheme_data import indicator_rows
from vanguard.assessment.scoring import Entry, save_scores
from vanguard.core.audit_events import Event
from vanguard.core.models import AuditEntry
from vanguard.ratings import services as ratings

pytestmark = pytest.mark.django_db


def this_month():
    return timezone.localdate().replace(day=1)


def make_scheme(world, indicators=None):
    return services.create_scheme(world.office, world.centre, name="双百分考核",
                                  indicators=indicators or indicator_rows(rules=True),
                                  valid_from=datetime.date(2026, 1, 1), threshold=Decimal("150"),
                                  quota_kind=Scheme.QuotaKind.COUNT, quota_value=1)


@pytest.fixture
def month(world):
    make_scheme(world)
    period = services.open_period(world.office, world.centre, this_month())
    return services.start_scoring(world.office, period)


def cell(period, person, code):
    """The cell as every reader sees it (computed, entered or overridden)."""
    return Cell.objects.get(period=period, person=person, indicator__code=code)


def grid_url(period, part="work"):
    return reverse("assessment:grid", args=[period.pk]) + f"?part={part}"


def records_url(period, person, code):
    ind = period.scheme.indicators.get(code=code)
    return reverse("assessment:cell-records", args=[period.pk, person.pk, ind.pk])


# Rules ----------------------------------------------------------------------------------------

def test_the_demo_scheme_carries_rules_for_the_sources_available(world):
    scheme = make_scheme(world)
    w14 = scheme.indicators.get(code="W14")
    assert (w14.auto_measure, w14.auto_formula, w14.auto_step) == ("bad", "deduct_per", Decimal("1"))
    assert scheme.indicators.get(code="W12").auto_threshold == Decimal("98")
    # Meetings and activities get their rules once the life app gives its records.
    expected = "meetings" in auto.sources()
    assert scheme.indicators.get(code="P01").is_computed is expected
    assert "每条" in w14.rule_text or "差评" in w14.rule_text
    entry = AuditEntry.objects.filter(verb=Event.SCHEME, object_id=str(scheme.pk), changes__has_key="rules").first()
    assert entry is not None and "W14" in entry.changes["rules"][1]


@pytest.mark.parametrize("change, words", [
    ({"auto_formula": "rate_min", "auto_measure": "bad", "auto_step": "1", "auto_threshold": "98"}, "比率"),
    ({"auto_formula": "deduct_per", "auto_measure": "times", "auto_step": "1"}, "不是"),
    ({"auto_formula": "deduct_per", "auto_measure": "bad", "auto_step": None}, "每单位"),
    ({"auto_formula": "deduct_per", "auto_measure": "bad", "auto_step": "1", "auto_kind": "主题党日"}, "类别"),
    ({"auto_formula": "", "auto_measure": "bad", "auto_step": "1"}, "规则"),
])
def test_a_bad_rule_is_refused_in_chinese_naming_the_indicator(world, change, words):
    rows = indicator_rows(rules=True)
    w14 = next(r for r in rows if r["code"] == "W14")
    w14.update(change)
    with pytest.raises(ValidationError) as e:
        make_scheme(world, rows)
    text = " ".join(e.value.messages)
    assert "W14" in text and words in text, text
    assert not Scheme.objects.filter(centre=world.centre).exists()


def test_a_rule_on_records_this_installation_lacks_is_refused(world, monkeypatch):
    monkeypatch.setattr(auto, "_life", lambda: None)
    rows = indicator_rows(rules=True)
    p01 = next(r for r in rows if r["code"] == "P01")
    p01.update(auto_measure="absent", auto_formula="deduct_per", auto_step=Decimal("5"))
    with pytest.raises(ValidationError) as e:
        make_scheme(world, rows)
    assert "P01" in " ".join(e.value.messages) and "尚不可用" in " ".join(e.value.messages)


def test_the_database_refuses_half_a_rule(world):
    scheme = make_scheme(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(scheme=scheme, code="W14").update(auto_step=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(scheme=scheme, code="W14").update(auto_threshold=Decimal("90"))


def test_the_office_edits_a_rule_on_the_scheme_page(world, client):
    scheme = make_scheme(world)
    draft = services.copy_scheme(world.office, scheme, "2027-01")
    rows = services.indicator_dicts(draft)
    data = {"name": draft.name, "formula": draft.formula, "party_weight": "1", "work_weight": "1",
            "threshold": "150", "quota_kind": "count", "quota_value": "1", "tie_break": "party",
            "veto_rules": "", "publicity_days": "5", "note_required_loss": "",
            "ind-TOTAL_FORMS": str(len(rows)), "ind-INITIAL_FORMS": str(len(rows)), "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "1000"}
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"ind-{n}-{key}"] = "" if value is None else str(value)
        if row["code"] == "W14":
            data[f"ind-{n}-auto_step"] = "1.5"
    client.force_login(world.office)
    response = client.post(reverse("assessment:scheme-edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert draft.indicators.get(code="W14").auto_step == Decimal("1.5")
    entry = AuditEntry.objects.filter(verb=Event.SCHEME, object_id=str(draft.pk), action="update",
                                      changes__has_key="rules").last()
    assert "1.5" in entry.changes["rules"][1]["W14"]
    # A rule that does not fit: the page says why, beside the indicators, and saves nothing.
    for n, row in enumerate(rows):
        if row["code"] == "W14":
            data[f"ind-{n}-auto_measure"] = "hours"
    response = client.post(reverse("assessment:scheme-edit", args=[draft.pk]), data)
    assert response.status_code == 400 and "W14" in response.content.decode()
    assert draft.indicators.get(code="W14").auto_measure == "bad"
    # The secretary may not edit schemes.
    client.force_login(world.secretary)
    assert client.post(reverse("assessment:scheme-edit", args=[draft.pk]), data).status_code == 403


# Computation ---------------------------------------------------------------------------------

def test_a_rating_changed_during_scoring_changes_the_cell_and_its_explanation(world, month, client):
    member = world.member_person
    client.force_login(world.office)
    client.get(grid_url(month))
    assert cell(month, member, "W14").points == Decimal("3")
    assert cell(month, member, "W14").computed
    bad = rate(import_one(world), level=1)
    page = client.get(grid_url(month)).content.decode()
    w14 = cell(month, member, "W14")
    assert (w14.points, w14.computed_points, w14.source_value["bad"]) == (Decimal("2"), Decimal("2"), 1)
    assert 'class="vg-computed-value"' in page
    assert f'name="s-{member.pk}-{w14.indicator_id}" value=' not in page
    before = client.get(records_url(month, member, "W14")).content.decode()
    assert "差评 1" in before and bad.transaction.number in before
    ratings.set_aside_rating(world.office, bad, reason="恶意差评，经核实不属实")
    client.get(grid_url(month))
    w14 = cell(month, member, "W14")
    assert (w14.points, w14.source_value["bad"], w14.source_value["set_aside"]) == (Decimal("3"), 0, 1)
    after = client.get(records_url(month, member, "W14")).content.decode()
    assert "差评 0" in after and "差评 1" not in after
    # Satisfaction: one very dissatisfied of two valid ratings is 50 %, far below 98 %: 0 points.
    rate(import_one(world), level=1)
    rate(import_one(world), level=5)
    auto.ensure_computed(month)
    assert cell(month, member, "W12").points == Decimal("0")
    assert AuditEntry.objects.filter(verb=Event.AUTO_COMPUTED, object_id=str(month.pk)).exists()


def test_nothing_is_rewritten_when_the_records_did_not_move(world, month):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert auto.ensure_computed(month) > 0
    with CaptureQueriesContext(connection) as queries:
        assert auto.ensure_computed(month) == 0
    # Only reads: the fingerprints (or, for a source without one, its figures) and nothing written.
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT",
                                                                                      "RELEASE"))]
    assert not writes, writes


def test_the_computation_is_set_based(world, month):
    """The number of queries does not grow with the people: a read per source, one upsert."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanguard.org import services as org

    def add_people(n, start):
        for k in range(start, start + n):
            org.create_person(world.admin, world.centre, name=f"新党员{k}", mobile=f"1370000{k:04d}",
                              branch=world.branch1, window=world.window1, unit=world.home_unit,
                              political_status="full")

    auto.compute_month(month)
    counts = []
    for n, start in ((1, 0), (12, 1)):
        add_people(n, start)
        with CaptureQueriesContext(connection) as queries:
            # One row per new person (all their cells); the others' rows did not change.
            assert auto.ensure_computed(month) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 40, counts


def test_closing_computes_and_a_published_month_does_not_follow_the_records(world, month):
    member = world.member_person
    rate(import_one(world), level=2)
    services.publish_period(world.office, month, confirm_unscored=True)
    month.refresh_from_db()
    result = Result.objects.get(period=month, person=member, is_current=True)
    assert cell(month, member, "W14").points == Decimal("2")
    work = result.work_points
    # A bad review recorded after publication changes nothing published.
    rate(import_one(world), level=1)
    assert auto.ensure_computed(month) == 0
    assert auto.compute_month(month) == 0
    assert cell(month, member, "W14").points == Decimal("2")
    assert Result.objects.get(period=month, person=member, is_current=True).work_points == work
    # Except through a correction: a new version, with its reason, and the cell says so.
    w14 = month.scheme.indicators.get(code="W14")
    services.correct_scores(world.office, month, member, [(w14, "1")], "补录的差评经核实属实")
    new = Result.objects.get(period=month, person=member, is_current=True)
    assert (new.version, new.work_points, new.change_reason) == (2, work - 1, "补录的差评经核实属实")
    corrected = cell(month, member, "W14")
    assert (corrected.computed, corrected.override_reason, corrected.computed_points) == (
        False, "补录的差评经核实属实", Decimal("2"))


# Overrides -----------------------------------------------------------------------------------

def test_an_override_needs_a_reason_which_the_member_reads(world, month, client):
    member = world.member_person
    auto.compute_month(month)
    w14 = month.scheme.indicators.get(code="W14")
    with pytest.raises(ValidationError) as e:
        save_scores(world.scorer, month, [Entry(member.pk, w14.pk, "1")])
    assert "W14" in e.value.messages[0] and "原因" in e.value.messages[0]
    assert cell(month, member, "W14").computed
    # Through the grid's page: the same rule, nothing saved.
    client.force_login(world.scorer)
    response = client.post(reverse("assessment:grid", args=[month.pk]),
                           {"part": "work", f"s-{member.pk}-{w14.pk}": "1"})
    assert response.status_code == 400 and "原因" in response.content.decode()
    # With a reason it is an override, audited; the records' figures stay beside it.
    response = client.post(reverse("assessment:grid", args=[month.pk]),
                           {"part": "work", f"s-{member.pk}-{w14.pk}": "1",
                            f"n-{member.pk}-{w14.pk}": "窗口当月两次被服务对象投诉"})
    assert response.status_code == 302
    score = cell(month, member, "W14")
    assert (score.points, score.computed, score.computed_points, score.override_reason) == (
        Decimal("1"), False, Decimal("3"), "窗口当月两次被服务对象投诉")
    entry = AuditEntry.objects.get(verb=Event.SCORE_OVERRIDDEN, object_id=str(score.score_id))
    assert entry.changes["points"] == ["3.0", "1.0"] and entry.actor_id == world.scorer.pk
    # A record moving afterwards refreshes the figures, not the scorer's points.
    rate(import_one(world), level=1)
    auto.ensure_computed(month)
    score = cell(month, member, "W14")
    assert (score.points, score.computed_points, score.source_value["bad"]) == (Decimal("1"), Decimal("2"), 1)
    # Published: the member reads the points, the records' figures and the reason.
    services.publish_period(world.office, month, confirm_unscored=True)
    result = Result.objects.get(period=month, person=member, is_current=True)
    client.force_login(world.member)
    page = client.get(reverse("assessment:result", args=[result.pk])).content.decode()
    assert "窗口当月两次被服务对象投诉" in page and records_url(month, member, "W14") in page


def test_entering_the_computed_points_again_restores_the_cell(world, month):
    member = world.member_person
    auto.compute_month(month)
    w14 = month.scheme.indicators.get(code="W14")
    save_scores(world.office, month, [Entry(member.pk, w14.pk, "2", "当面核实")])
    override = cell(month, member, "W14")
    assert not override.computed and override.score_id is not None
    # The computed points, unchanged, are no change at all (an Excel file sent back as it came).
    save_scores(world.office, month, [Entry(member.pk, w14.pk, "3")])
    restored = cell(month, member, "W14")
    assert (restored.computed, restored.points, restored.override_reason, restored.score_id) == (
        True, Decimal("3"), "", None)
    assert AuditEntry.objects.filter(verb=Event.SCORE_RESTORED, object_id=str(override.score_id)).exists()


def test_the_excel_template_of_a_new_month_carries_the_computed_points_and_sent_back_overrides_nothing(
        world, month):
    """Nobody opened the grid: the template computes the month first, so the office's file shows
    the rule's points and, returned as it came, overrides no computed cell."""
    import io

    from openpyxl import load_workbook

    from vanguard.assessment import workbook
    from vanguard.assessment.models import Score

    member = world.member_person
    assert month.auto_computed_at is None
    data = workbook.template(world.office, month, "work")
    ws = load_workbook(io.BytesIO(data))[workbook.SHEET]
    header = [c.value for c in ws[1]]
    column = next(n for n, h in enumerate(header) if h and str(h).startswith("W14 "))
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == member.pk)
    assert row[column] == 3.0
    workbook.upload(world.office, month, io.BytesIO(data))
    assert not Score.objects.filter(period=month, person=member, indicator__code="W14").exists()
    assert cell(month, member, "W14").computed


# Access to the records behind a cell ---------------------------------------------------------

def test_the_records_page_is_for_those_who_may_read_the_score(world, month, client):
    member = world.member_person
    rate(import_one(world), level=1)
    auto.compute_month(month)
    url = records_url(month, member, "W14")
    for user, status in [(world.office, 200), (world.scorer, 200), (world.member, 404), (world.outsider, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    services.publish_period(world.office, month, confirm_unscored=True)
    client.force_login(world.member)
    assert client.get(url).status_code == 200
    other = world.branch1_members[1] if world.branch1_members[0] == member else world.branch1_members[0]
    assert client.get(records_url(month, other, "W14")).status_code == 404
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    # A cell entered by hand has no records page.
    hand = month.scheme.indicators.get(code="W01")
    client.force_login(world.office)
    assert client.get(reverse("assessment:cell-records", args=[month.pk, member.pk, hand.pk])).status_code == 404


# Sources -------------------------------------------------------------------------------------

def test_circulars_signed_give_their_points(world):
    from tests.messaging.files import pdf_upload
    from vanguard.messaging import services_docs

    rows = indicator_rows(rules=True)
    p10 = next(r for r in rows if r["code"] == "P10")
    p10.update(auto_source="circulars", auto_measure="unsigned", auto_formula="deduct_per", auto_step=Decimal("2"))
    make_scheme(world, rows)
    period = services.open_period(world.office, world.centre, this_month())
    circular = services_docs.upload_circular(world.office, world.centre, title="关于做好年终工作的通知",
                                             issuer="区委", number="区委〔2026〕1号", file=pdf_upload())
    services_docs.circulate(world.office, circular, [world.branch1])
    member = world.member_person
    auto.ensure_computed(period)
    p10 = cell(period, member, "P10")
    assert (p10.points, p10.source_value) == (Decimal("3"), {"expected": 1, "signed": 0, "unsigned": 1})
    assert cell(period, world.branch2_members[0], "P10").points == Decimal("5")
    services_docs.sign_circular(world.member, circular)
    auto.ensure_computed(period)
    assert cell(period, member, "P10").points == Decimal("5")


def test_life_records_are_read_once_the_life_app_gives_them(world, monkeypatch):
    """The meetings and activities adapters activate as soon as `vanguard.life.selectors`
    has the agreed read functions (here a stand-in of them)."""
    calls = []

    def attendance_by_person(centre, first_day, last_day, kind=None):
        calls.append(("attendance", kind))
        return {world.member_person.pk: {"expected": 3, "present": 1, "leave": 1, "absent": 1, "makeup": 0}}

    def activity_by_person(centre, first_day, last_day, kind=None):
        calls.append(("activity", kind))
        return {world.member_person.pk: {"times": 3, "hours": Decimal("7.5")}}

    fake = types.ModuleType("vanguard.life.selectors")
    fake.attendance_by_person, fake.activity_by_person = attendance_by_person, activity_by_person
    monkeypatch.setitem(sys.modules, "vanguard.life.selectors", fake)
    assert {"meetings", "activities"} <= set(auto.sources())
    make_scheme(world)
    period = services.open_period(world.office, world.centre, this_month())
    auto.compute_month(period)
    member = world.member_person
    # P01: 5 minus 5 per unexcused absence; P12: leave not made up counts too; P09: 1 per hour up to 5.
    assert cell(period, member, "P01").points == Decimal("0")
    assert cell(period, member, "P12").points == Decimal("0")
    assert cell(period, member, "P07").points == Decimal("1.8")
    assert cell(period, member, "P09").points == Decimal("5")
    assert cell(period, world.branch1_members[-1], "P01").points == Decimal("5")
    assert ("attendance", "members") in calls and ("activity", "contact") in calls
    assert ("attendance", ["committee", "group"]) in calls
    explanation = auto.explain_cell(period.scheme.indicators.get(code="P01"), cell(period, member, "P01"))
    assert "缺席 1" in explanation


def test_an_attendance_changed_during_scoring_changes_the_cell_and_its_explanation(world, client):
    """With the life app's own records: an absence from the members' meeting costs P01."""
    from tests.life.conftest import held_meeting
    from vanguard.life import services as life
    from vanguard.life.models import MeetingKind

    day = timezone.localdate() - datetime.timedelta(days=10)
    make_scheme(world)
    period = services.start_scoring(world.office, services.open_period(world.office, world.centre,
                                                                      day.replace(day=1)))
    member = world.member_person
    meeting = held_meeting(world, kind=MeetingKind.MEMBERS, day=day,
                           marks={p: "absent" if p == member else "present" for p in world.branch1_members})
    client.force_login(world.secretary)
    page = client.get(grid_url(period, "party")).content.decode()
    p01 = cell(period, member, "P01")
    assert (p01.points, p01.source_value["absent"], p01.computed) == (Decimal("0"), 1, True)
    assert cell(period, world.secretary_person, "P01").points == Decimal("5")
    assert records_url(period, member, "P01") in page
    records = client.get(records_url(period, member, "P01")).content.decode()
    assert "缺席 1" in records and "/life/records/attendance/" in records
    # The secretary corrects the attendance while the month is being scored.
    life.record_attendance(world.secretary, meeting, {member.pk: "present"})
    client.get(grid_url(period, "party"))
    p01 = cell(period, member, "P01")
    assert (p01.points, p01.source_value["absent"], p01.source_value["present"]) == (Decimal("5"), 0, 1)
    records = client.get(records_url(period, member, "P01")).content.decode()
    assert "缺席 0" in records and "出席 1" in records
    # Publication keeps what the records said then; a later change leaves it alone.
    services.publish_period(world.office, period, confirm_unscored=True)
    life.record_attendance(world.secretary, meeting, {member.pk: "absent"})
    assert auto.ensure_computed(period) == 0
    assert cell(period, member, "P01").points == Decimal("5")
