"""Target responsibility letters: weights add up to 100, no signature before sending, quarterly
progress, the year-end score recomputed from the evidence, ranks; PDF and Word."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from vanguard.pledges import services
from vanguard.pledges.models import Letter, Result, Target

from .conftest import make, this_year

TARGETS = [
    {"section": "party", "text": "三会一课", "measure": "按时召开", "weight": 30, "metric": "manual"},
    {"section": "posts", "text": "党员承诺兑现", "measure": "兑现率不低于80%", "weight": 50, "metric": "pledges_kept"},
    {"section": "integrity", "text": "廉洁自律", "measure": "无违纪", "weight": 20, "metric": "manual"},
]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def letter(world):
    return services.create_letter(world.office, world.centre, year=this_year(), unit=world.home_unit,
                                  targets=TARGETS)


def test_weights_must_add_up_to_100(world):
    bad = [dict(t) for t in TARGETS]
    bad[0]["weight"] = 25
    with pytest.raises(ValidationError) as e:
        services.create_letter(world.office, world.centre, year=this_year(), unit=world.home_unit, targets=bad)
    assert "95" in e.value.message_dict["targets"][0] and "100" in e.value.message_dict["targets"][0]
    assert not Letter.objects.exists()  # nothing half-applied


def test_bad_target_rows_named(world, letter):
    with pytest.raises(ValidationError) as e:
        services.set_targets(world.office, letter, [{"section": "x", "text": "", "measure": "m", "weight": 0}])
    messages = " ".join(e.value.message_dict["targets"])
    assert "第1项目标" in messages
    assert letter.targets.count() == 3


def test_cannot_sign_before_sent(world, letter):
    with pytest.raises(ValidationError) as e:
        services.sign_letter(world.office, letter, signatory="张局长", signed_on=timezone.localdate())
    assert "下发" in e.value.message_dict["status"][0]
    letter.refresh_from_db()
    assert letter.status == Letter.Status.DRAFT and letter.signatory == ""


def test_the_database_refuses_a_signature_without_sending(world, letter):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(status="signed", signatory="x", signed_on=timezone.localdate())


def test_only_the_office(world, letter):
    for who in ("secretary", "member", "liaison", "outsider"):
        with pytest.raises(PermissionDenied):
            services.send_letter(getattr(world, who), letter)


def _sign(world, letter, scan=None):
    services.send_letter(world.office, letter)
    letter.refresh_from_db()
    return services.sign_letter(world.office, letter, signatory="张局长", signed_on=timezone.localdate(), scan=scan)


def test_send_sign_with_scan_and_track(world, letter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%fake\n", content_type="application/pdf")
    letter = _sign(world, letter, scan=scan)
    assert letter.status == Letter.Status.SIGNED and letter.signed_scan
    target = letter.targets.get(text="三会一课")
    services.record_target_progress(world.liaison, target, quarter=1, percent=25, note="一季度召开3次")
    with pytest.raises(ValidationError):
        services.record_target_progress(world.liaison, target, quarter=5, percent=25, note="x")
    with pytest.raises(PermissionDenied):
        services.record_target_progress(world.member, target, quarter=2, percent=50, note="x")


def test_year_end_result_recomputes_from_its_evidence(world, letter):
    letter = _sign(world, letter)
    manual = letter.targets.get(text="三会一课")
    services.record_target_progress(world.office, manual, quarter=4, percent=100, note="全年按时召开")
    integrity = letter.targets.get(text="廉洁自律")
    services.record_target_progress(world.office, integrity, quarter=4, percent=50, note="一人被提醒")
    # Two approved pledges of the unit's members, one kept.
    a = services.review_pledge(world.secretary, make(world), approve=True)
    b = services.review_pledge(world.secretary, make(world, person=world.secretary_person), approve=True)
    services.judge_pledge(world.secretary, a, stage=services.YEAR_END, result=Result.KEPT, reason="已兑现")
    services.judge_pledge(world.secretary, b, stage=services.YEAR_END, result=Result.NOT_KEPT, reason="未兑现")
    letter = services.score_letter(world.office, letter)
    # 30 x 100% + 50 x 50% + 20 x 50% = 65
    assert letter.score == 65
    pledges_target = Target.objects.get(letter=letter, metric="pledges_kept")
    assert "2" in pledges_target.evidence_note and pledges_target.score == 25
    # The evidence changes: the second pledge is judged kept after all; the score follows.
    services.judge_pledge(world.secretary, b, stage=services.YEAR_END, result=Result.KEPT, reason="补充材料后确认兑现")
    letter = services.score_letter(world.office, letter)
    assert letter.score == 90
    ranked = services.publish_letter_results(world.office, world.centre, this_year())
    assert [lt.rank for lt in ranked] == [1]


def test_leader_letter_needs_a_leader(world):
    with pytest.raises(ValidationError):
        services.create_letter(world.office, world.centre, year=this_year(), unit=world.home_unit,
                               kind=Letter.Kind.LEADER, targets=TARGETS)
    letter = services.create_letter(world.office, world.centre, year=this_year(), unit=world.home_unit,
                                    kind=Letter.Kind.LEADER, leader=world.secretary_person, targets=TARGETS)
    assert set(Letter.objects.visible_to(world.secretary)) == {letter}  # the leader reads their own


def test_letter_visibility(world, letter):
    assert set(Letter.objects.visible_to(world.liaison)) == {letter}
    assert not Letter.objects.visible_to(world.outsider).exists()
    assert not Letter.objects.visible_to(world.member).exists()


def test_printable_letter_pdf_and_word(login, world, letter):
    client = login(world.office)
    pdf = client.get(f"/pledges/letters/{letter.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    docx = client.get(f"/pledges/letters/{letter.pk}/letter.docx")
    assert docx.status_code == 200
    from docx import Document

    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert letter.title in text
    assert abs(document.sections[0].page_width.cm - 21) < 0.1
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "三会一课" in cells and any("签字" in c for c in cells)
    assert login(world.outsider).get(f"/pledges/letters/{letter.pk}/letter.pdf").status_code == 404


def test_sign_date_window(world, letter):
    services.send_letter(world.office, letter)
    letter.refresh_from_db()
    with pytest.raises(ValidationError):
        services.sign_letter(world.office, letter, signatory="张局长",
                             signed_on=timezone.localdate() + datetime.timedelta(days=1))


@pytest.mark.parametrize("who, status", [("office", 200), ("liaison", 200), ("member", 404), ("outsider", 404)])
def test_letter_page_access(login, world, letter, who, status):
    assert login(getattr(world, who)).get(f"/pledges/letters/{letter.pk}/").status_code == status


def test_letter_pages_flow(login, world, letter, django_assert_max_num_queries):
    client = login(world.office)
    with django_assert_max_num_queries(20):
        assert client.get(f"/pledges/letters/?year={this_year()}").status_code == 200
    response = client.post(f"/pledges/letters/{letter.pk}/targets/", {"lines": "party | 三会一课 | 按时 | 50"})
    assert response.status_code == 400 and "100" in response.content.decode()
    response = client.post(f"/pledges/letters/{letter.pk}/sign/", {"signatory": "张局长",
                                                                    "signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "下发" in response.content.decode()
    assert login(world.liaison).post(f"/pledges/letters/{letter.pk}/send/").status_code == 403
    assert Letter.objects.get(pk=letter.pk).status == Letter.Status.DRAFT
    client = login(world.office)
    assert client.post(f"/pledges/letters/{letter.pk}/send/").status_code == 302
    assert client.post(f"/pledges/letters/{letter.pk}/sign/", {"signatory": "张局长",
                                                               "signed_on": timezone.localdate().isoformat()}
                       ).status_code == 302
    assert client.post(f"/pledges/letters/{letter.pk}/score/").status_code == 302
    body = client.get(f"/pledges/letters/{letter.pk}/").content.decode()
    assert f"/pledges/list/?year={this_year()}&amp;unit={world.home_unit.pk}&amp;state=judged" in body


def test_year_end_reads_cases_on_time_and_members_results(world, monkeypatch, login):
    """The unit's year-end result recomputes from its evidence when a case's timeliness changes
    (cases' selectors) and when the members' monthly results are published (assessment's)."""
    from decimal import Decimal

    from tests.assessment.conftest import MONTH, fill, make_scheme
    from tests.cases.conftest import Clock, complaint
    from vanguard.assessment import services as assessment
    from vanguard.assessment.models import Result as MonthResult
    from vanguard.cases import services as cases

    clock = Clock(monkeypatch)
    clock.at(MONTH.year, 11, 2)
    letter = _sign(world, services.create_letter(world.office, world.centre, year=MONTH.year, unit=world.home_unit,
                                                 targets=[
        {"section": "service", "text": "按时答复诉求", "measure": "按时答复率100%", "weight": 60,
         "metric": "cases_on_time"},
        {"section": "party", "text": "党员月度考核", "measure": "两部分平均分不低于90", "weight": 40,
         "metric": "members_results"}]))
    on_time, late = (cases.accept_case(world.handler, cases.dispatch_case(
        world.office, complaint(world), unit=world.home_unit)) for _n in range(2))
    cases.answer_case(world.handler, on_time, answer="已处理", upheld=False)
    letter = services.score_letter(world.office, letter)
    on_time_target = Target.objects.get(letter=letter, metric="cases_on_time")
    assert (on_time_target.achieved, on_time_target.score) == (100, 60) and "1" in on_time_target.evidence_note
    assert letter.score == 60  # no monthly results published yet: that target scores 0

    # The second case is answered after its deadline: the on-time rate halves and the score follows.
    after = late.due + datetime.timedelta(days=3)
    clock.at(after.year, after.month, after.day)
    cases.answer_case(world.handler, late, answer="已处理", upheld=False)
    letter = services.score_letter(world.office, letter)
    on_time_target.refresh_from_db()
    assert (on_time_target.achieved, on_time_target.score) == (50, 30) and letter.score == 30

    # The members' month is published: their average per part becomes that target's achievement.
    make_scheme(world)
    period = assessment.open_period(world.office, world.centre, MONTH)
    fill(world, period, world.branch1_members + world.branch2_members)
    assessment.publish_period(world.office, period)
    rows = MonthResult.objects.filter(unit=world.home_unit, is_current=True)
    assert rows.exists()
    parts = [sum(getattr(r, f) for r in rows) / len(rows) for f in ("party_points", "work_points")]
    expected = (sum(parts) / 2).quantize(Decimal("0.01"))
    letter = services.score_letter(world.office, letter)
    results_target = Target.objects.get(letter=letter, metric="members_results")
    assert results_target.achieved == expected and letter.score == 30 + results_target.score > 30
    # Each evidence number links to the rows behind it: the unit's cases of the year, the centre's year tally.
    from django.urls import reverse

    page = login(world.office).get(f"/pledges/letters/{letter.pk}/").content.decode()
    assert f'{reverse("cases:home")}?unit={world.home_unit.pk}&amp;year={MONTH.year}' in page
    assert f'{reverse("assessment:tally")}?year={MONTH.year}&amp;centre={world.centre.pk}' in page
