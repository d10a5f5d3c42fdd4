"""The selection workflow walked through the services: nomination, vote, review,
public notice over the National Day holiday, an objection that becomes a case, award."""

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.core.models import AuditEntry
from vanguard.honours import services
from vanguard.honours.models import Ballot, Honour, HonourKind, Nomination, Objection, Selection, VoteCode

from .conftest import NOTICE_START, open_members_selection

pytestmark = pytest.mark.django_db


def _cases_installed():
    try:
        module = importlib.import_module("vanguard.cases.services")
    except ImportError:
        return False
    return hasattr(module, "intake_case")


def test_walk_from_nomination_to_award(world):
    selection = open_members_selection(world, public_vote=True, panel_scoring=True)
    a, b, c = world.branch1_members[1], world.branch1_members[2], world.branch2_members[0]
    # The secretary nominates in the branch; the office anywhere in the centre.
    na = services.nominate(world.secretary, selection, candidate=a, reasons="窗口服务群众满意率高")
    nb = services.nominate(world.secretary, selection, candidate=b, reasons="预备党员表现突出")
    nc = services.nominate(world.office, selection, candidate=c, reasons="二层先进")
    assert na.nominated_by == "一层党支部" and nc.nominated_by
    assert na.evidence["year"] == 2026 and "assessment" in na.evidence and "satisfaction" in na.evidence
    assert na.floor_id == world.floor1.pk

    services.close_nominations(world.office, selection)
    codes = services.issue_vote_codes(world.office, selection, count=3)
    services.cast_vote(codes[0].code, nomination_ids=[na.pk, nc.pk])
    services.cast_vote(codes[1].code, nomination_ids=[na.pk])
    services.score_nomination(world.office, na, score=92)
    assert [n.pk for n in services.ranking(selection)][0] == na.pk
    assert Nomination.objects.get(pk=na.pk).votes == 2 and Ballot.objects.filter(selection=selection).count() == 3
    services.review_nomination(world.office, na, approve=True)
    services.review_nomination(world.office, nc, approve=True)
    services.review_nomination(world.office, nb, approve=False, note="预备期未满")

    selection = services.start_notice(world.office, selection, start=NOTICE_START)
    # Five working days: 9-29, 9-30, (holiday 10-1..10-7), 10-8, 10-9 and the make-up Saturday 10-10.
    assert (selection.notice_starts, selection.notice_ends) == (NOTICE_START, datetime.date(2026, 10, 10))

    objection = services.file_objection(selection, nomination=nc, content="该同志本年度有群众投诉未处理完毕",
                                        contact_name="群众甲", contact_mobile="13912345678",
                                        today=datetime.date(2026, 10, 8))
    if _cases_installed():
        from vanguard.cases.models import Case

        case = Case.objects.get(pk=objection.case_id)
        assert case.source == "objection" and case.kind == "complaint"
        assert "该同志本年度有群众投诉未处理完毕" in case.content
    else:
        assert objection.case_id is None

    with pytest.raises(ValidationError, match="10-10"):
        services.award_selection(world.office, selection, today=datetime.date(2026, 10, 10))
    with pytest.raises(ValidationError):  # the objection is not answered yet
        services.award_selection(world.office, selection, today=datetime.date(2026, 10, 12))
    services.resolve_objection(world.office, objection, upheld=True, answer="经核实情况属实，取消其候选资格")
    assert Nomination.objects.get(pk=nc.pk).state == Nomination.State.REJECTED

    selection = services.award_selection(world.office, selection, today=datetime.date(2026, 10, 12))
    assert selection.status == Selection.Status.AWARDED and selection.awarded_on == datetime.date(2026, 10, 12)
    honours = list(Honour.objects.filter(selection=selection))
    assert [(h.person_id, h.kind, h.floor_id) for h in honours] == [(a.pk, HonourKind.MEMBER, world.floor1.pk)]
    assert honours[0].certificate_number.startswith("HR-2026-")
    verbs = set(AuditEntry.objects.filter(centre_id=world.centre.pk).values_list("verb", flat=True))
    assert {"selection opened", "candidate nominated", "vote cast", "public notice started", "objection filed", "objection answered",
            "selection awarded"} <= verbs


def test_certificate_is_a_pdf(world, selection):
    from vanguard.honours.documents import certificate_pdf

    person = world.branch1_members[1]
    nomination = services.nominate(world.office, selection, candidate=person, reasons="事迹突出")
    services.review_nomination(world.office, nomination, approve=True)
    services.start_notice(world.office, selection, start=NOTICE_START)
    services.award_selection(world.office, selection, today=datetime.date(2026, 10, 12))
    pdf = certificate_pdf(Honour.objects.get(nomination=nomination))
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


# Bad input ------------------------------------------------------------------------------

def test_nomination_above_the_quota(world):
    selection = open_members_selection(world, quota=1, max_nominations=2)
    services.nominate(world.office, selection, candidate=world.branch1_members[0], reasons="甲")
    services.nominate(world.office, selection, candidate=world.branch1_members[1], reasons="乙")
    with pytest.raises(ValidationError) as caught:
        services.nominate(world.office, selection, candidate=world.branch2_members[0], reasons="丙")
    assert "已满" in str(caught.value) and Nomination.objects.filter(selection=selection).count() == 2


def test_candidate_outside_the_scope(world, selection):
    # Another centre's person, a branch secretary nominating on another floor's branch, the wrong kind.
    with pytest.raises(ValidationError, match="范围"):
        services.nominate(world.office, selection, candidate=world.other_person, reasons="外区")
    with pytest.raises(ValidationError, match="范围"):
        services.nominate(world.secretary, selection, candidate=world.branch2_members[0], reasons="别的支部")
    with pytest.raises(ValidationError):
        services.nominate(world.office, selection, candidate=world.window1, reasons="窗口")
    with pytest.raises(ValidationError, match="党员"):
        services.nominate(world.office, selection, candidate=world.public_person, reasons="群众")
    with pytest.raises(PermissionDenied):
        services.nominate(world.member, selection, candidate=world.member_person, reasons="自荐")
    with pytest.raises(PermissionDenied):
        services.nominate(world.outsider, selection, candidate=world.member_person, reasons="外区")
    assert not Nomination.objects.filter(selection=selection).exists()


def test_vote_with_a_used_code(world):
    selection = open_members_selection(world, public_vote=True)
    nomination = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    code = services.issue_vote_codes(world.office, selection, count=1)[0]
    services.cast_vote(code.code, nomination_ids=[nomination.pk])
    with pytest.raises(ValidationError, match="已使用"):
        services.cast_vote(code.code, nomination_ids=[nomination.pk])
    assert Nomination.objects.get(pk=nomination.pk).votes == 1 and Ballot.objects.count() == 1
    assert VoteCode.objects.get(pk=code.pk).used


def test_vote_choices_checked_before_the_code_is_used(world):
    selection = open_members_selection(world, public_vote=True, quota=1, max_nominations=2)
    n1 = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    n2 = services.nominate(world.office, selection, candidate=world.secretary_person, reasons="好")
    code = services.issue_vote_codes(world.office, selection, count=1)[0]
    with pytest.raises(ValidationError, match="最多"):
        services.cast_vote(code.code, nomination_ids=[n1.pk, n2.pk])
    assert not VoteCode.objects.get(pk=code.pk).used


def test_award_before_the_notice_ended(world, selection):
    nomination = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    services.review_nomination(world.office, nomination, approve=True)
    with pytest.raises(ValidationError):  # no notice yet
        services.award_selection(world.office, selection, today=datetime.date(2026, 12, 1))
    services.start_notice(world.office, selection, start=NOTICE_START)
    with pytest.raises(ValidationError, match="公示"):
        services.award_selection(world.office, selection, today=datetime.date(2026, 10, 9))
    assert not Honour.objects.exists()
    assert Selection.objects.get(pk=selection.pk).status == Selection.Status.NOTICE


def test_objection_with_no_content(world, selection):
    nomination = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    services.review_nomination(world.office, nomination, approve=True)
    services.start_notice(world.office, selection, start=NOTICE_START)
    with pytest.raises(ValidationError) as caught:
        services.file_objection(selection, content="   ", today=NOTICE_START)
    assert "异议" in str(caught.value)
    with pytest.raises(ValidationError):  # after the notice
        services.file_objection(selection, content="有意见", today=datetime.date(2026, 10, 12))
    assert not Objection.objects.exists()


def test_review_cannot_pass_more_than_the_places(world):
    selection = open_members_selection(world, quota=1, max_nominations=2)
    n1 = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    n2 = services.nominate(world.office, selection, candidate=world.secretary_person, reasons="好")
    services.review_nomination(world.office, n1, approve=True)
    with pytest.raises(ValidationError, match="名额"):
        services.review_nomination(world.office, n2, approve=True)
    with pytest.raises(ValidationError):
        services.review_nomination(world.office, n2, approve=False)  # no reason given


def test_open_selection_refuses_bad_input(world):
    with pytest.raises(ValidationError) as caught:
        services.open_selection(world.office, world.centre, title="", year=99999, honour=HonourKind.RED_FLAG,
                                candidate_kind="person", quota=0, nominate_until=None, notice_days=40)
    fields = set(caught.value.message_dict)
    assert {"title", "year", "candidate_kind", "quota", "nominate_until", "notice_days"} <= fields
    with pytest.raises(PermissionDenied):
        open_members_selection(world.__class__(**{**world.__dict__, "office": world.secretary}))
    assert not Selection.objects.exists()


def test_annual_selections_default_quotas(world):
    for honour, quota in ((HonourKind.MODEL_WINDOW, 100), (HonourKind.SERVICE_BRAND, 10),
                          (HonourKind.SERVICE_MODEL, 10)):
        selection = services.open_selection(world.office, world.centre, title=str(honour), year=2026, honour=honour,
                                            nominate_until=datetime.date(2026, 11, 30),
                                            candidate_kind="person" if honour == HonourKind.SERVICE_MODEL else None)
        assert selection.quota == quota


def test_service_brand_nominated_by_its_unit(world):
    brand = services.create_brand(world.liaison, world.home_unit, name="企业开办“一窗通”",
                                  description="一次告知、一表申请、一窗受理、一日办结")
    selection = services.open_selection(world.office, world.centre, title="2026年度优质服务品牌", year=2026,
                                        honour=HonourKind.SERVICE_BRAND, nominate_until=datetime.date(2026, 11, 30))
    nomination = services.nominate(world.liaison, selection, candidate=brand, reasons="办件量大，零差评")
    assert nomination.nominated_by == world.home_unit.name and nomination.brand_id == brand.pk
    other = services.create_brand(world.office, world.home_unit2, name="社保“暖心办”", description="上门服务")
    with pytest.raises(ValidationError, match="范围"):
        services.nominate(world.liaison, selection, candidate=other, reasons="别的单位")
    with pytest.raises(PermissionDenied):
        services.create_brand(world.liaison, world.home_unit2, name="越权", description="别的单位")


def test_red_flag_branch_judged_on_four_standards(world):
    selection = services.open_selection(world.office, world.centre, title="2026年度红旗党支部", year=2026,
                                        honour=HonourKind.RED_FLAG, quota=1, max_nominations=2,
                                        nominate_until=datetime.date(2026, 11, 30))
    nomination = services.nominate(world.office, selection, candidate=world.branch1, reasons="四强支部")
    assert set(nomination.standards) == {"mechanism", "committee", "team", "role"}
    committee = dict(nomination.standards["committee"]["figures"])
    assert committee["委员人数"] == 2 if "委员人数" in committee else len(committee) == 3
    with pytest.raises(ValidationError, match="标准"):
        services.review_nomination(world.office, nomination, approve=True)
    with pytest.raises(ValidationError):
        services.judge_standards(world.office, nomination, {"mechanism": {"met": False}})  # no reason, others missing
    services.judge_standards(world.office, nomination, {k: {"met": True, "note": "达标"} for k in
                                                        ("mechanism", "committee", "team", "role")})
    nomination = services.review_nomination(world.office, nomination, approve=True)
    assert nomination.state == Nomination.State.APPROVED


def test_todo_items(world):
    from vanguard.honours.todo import todo_items

    selection = open_members_selection(world, nominate_until=datetime.date.today() + datetime.timedelta(days=5))
    assert any("请于" in i.text for i in todo_items(world.secretary))
    assert todo_items(world.member) == [] and todo_items(world.outsider) == []
    nomination = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    services.review_nomination(world.office, nomination, approve=True)
    selection = services.start_notice(world.office, selection, start=NOTICE_START)
    services.file_objection(selection, content="有异议", today=NOTICE_START)
    texts = [i.text for i in todo_items(world.office)]
    assert any("公示期已满" in t for t in texts) and any("1条公示异议" in t for t in texts)
