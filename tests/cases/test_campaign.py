"""The review campaign (评议活动): groups and quotas, one-time codes and SMS invitations to
recent service users (once per campaign, opt-out honoured), anonymous answers, issues routed to
their units as cases, results with ranks and the campaign's figures."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vanguard.cases import campaigns, selectors, services
from vanguard.cases.models import Campaign, CampaignContact, Case, SmsOptOut, Source, Status, UnitResult
from vanguard.core.models import AuditEntry
from vanguard.core.system import SYSTEM
from vanguard.ratings.models import Transaction
from vanguard.surveys.models import AnswerItem, AnswerSheet, Evaluation, Invitation

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def make_campaign(world, *, units=None, groups=None, open_it=True, **extra):
    today = timezone.localdate()
    campaign = campaigns.create_campaign(
        world.office, world.centre, title=extra.pop("title", "2026年万人评政风"), starts_on=today,
        ends_on=today + datetime.timedelta(days=30), units=units or [world.home_unit, world.department],
        groups=groups or {"deputies": 5, "enterprise": 5, "public": 5, "users": 10}, **extra)
    if open_it:
        campaign = campaigns.open_campaign(world.office, campaign)
    return campaign


def codes(world, campaign, kind="deputies", count=1):
    return [i.code for i in campaigns.issue_codes(world.office, campaign, kind=kind, count=count)]


def served(world, mobile, *, unit=None, days_ago=3):
    window = world.window1 if unit is None or unit == world.window1.unit else None
    return Transaction.objects.create(
        centre=world.centre, number=f"C{next(_numbers):07d}", service_item="营业执照办理",
        window=window or world.window2, unit=unit or world.window1.unit, rater_phone=mobile,
        accepted_at=timezone.now() - datetime.timedelta(days=days_ago))


def test_a_campaigns_issues_arrive_at_their_units_as_cases(world):
    campaign = make_campaign(world)
    code, = codes(world, campaign)
    home, dept = world.home_unit, world.department
    sheet = campaigns.submit_review(code, levels={home.pk: "2", dept.pk: "5"}, issues={
        home.pk: "窗口午休时间无人值守，群众等了一个小时。", dept.pk: "建议增加自助打印机。"})
    raised = Case.objects.filter(source=Source.CAMPAIGN, source_ref=campaign.ref).order_by("kind")
    assert [(c.unit_id, c.kind, c.status) for c in raised] == [
        (home.pk, "complaint", Status.DISPATCHED), (dept.pk, "suggestion", Status.DISPATCHED)]
    assert all(c.anonymous and not c.contact_mobile and c.due for c in raised)
    # The unit's handler finds it in their queue, like any case.
    assert list(selectors.case_list(world.handler, {"queue": "1"}).values_list("unit_id", flat=True)) == [home.pk]
    # The answers are anonymous: the sheet knows its group and day; the code is merely used.
    assert (sheet.group_kind, sheet.answered_on) == ("deputies", timezone.localdate())
    assert Invitation.objects.get(code=code).used
    assert AnswerItem.objects.filter(sheet=sheet, unit=home, value=2).exists()
    assert AnswerItem.objects.filter(sheet=sheet, unit=home, text__startswith="窗口午休").exists()


def test_a_reviewer_may_leave_a_mobile_to_be_answered(world):
    campaign = make_campaign(world)
    code, = codes(world, campaign, "public")
    campaigns.submit_review(code, levels={world.home_unit.pk: "3", world.department.pk: "dont_know"},
                            issues={world.home_unit.pk: "取号机经常坏。"}, contact_mobile="139 0000 1111")
    case = Case.objects.get(source_ref=campaign.ref)
    assert case.contact_mobile == "13900001111" and not case.anonymous


def test_bad_answers_are_refused_whole_and_keep_the_code(world):
    campaign = make_campaign(world)
    code, = codes(world, campaign)
    home, dept = world.home_unit, world.department
    with pytest.raises(ValidationError) as e:
        campaigns.submit_review(code, levels={home.pk: "9"}, issues={home.pk: "x" * 1001},
                                contact_mobile="12345")
    fields = e.value.message_dict
    assert set(fields) == {f"u_{home.pk}", f"u_{dept.pk}", f"i_{home.pk}", "contact_mobile"}
    assert "1000" in fields[f"i_{home.pk}"][0]
    assert not AnswerSheet.objects.filter(evaluation=campaign.evaluation).exists()
    assert not Case.objects.filter(source_ref=campaign.ref).exists()
    assert not Invitation.objects.get(code=code).used
    # A mobile alone, with no issue to answer, is not kept.
    with pytest.raises(ValidationError) as e:
        campaigns.submit_review(code, levels={home.pk: "4", dept.pk: "4"}, contact_mobile="13900001111")
    assert set(e.value.message_dict) == {"contact_mobile"}
    # A code used once is refused the second time.
    campaigns.submit_review(code, levels={home.pk: "4", dept.pk: "4"})
    with pytest.raises(ValidationError, match="已使用"):
        campaigns.submit_review(code, levels={home.pk: "4", dept.pk: "4"})


def test_creating_refuses_bad_input_in_chinese(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as e:
        campaigns.create_campaign(world.office, world.centre, title="", starts_on=today,
                                  ends_on=today - datetime.timedelta(days=1), units=[], groups={"users": -1})
    assert set(e.value.message_dict) == {"title", "ends_on", "units", "quota_users"}
    assert "不能早于" in e.value.message_dict["ends_on"][0] or "结束" in e.value.message_dict["ends_on"][0]
    other_unit = world.other_person.unit if world.other_person.unit_id else None
    if other_unit is not None:
        with pytest.raises(ValidationError):
            campaigns.create_campaign(world.office, world.centre, title="评议", starts_on=today, ends_on=today,
                                      units=[other_unit])
    with pytest.raises(ValidationError):
        make_campaign(world, groups={"users": 0})
    assert not Campaign.objects.exists() and not Evaluation.objects.filter(purpose="campaign").exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        campaigns.create_campaign(world.handler, world.centre, title="评议", starts_on=today, ends_on=today,
                                  units=[world.home_unit])


def test_steps_out_of_order_are_refused(world):
    campaign = make_campaign(world, open_it=False)
    with pytest.raises(ValidationError):
        campaigns.issue_codes(world.office, campaign, kind="deputies", count=1)
    with pytest.raises(ValidationError):
        campaigns.close_campaign(world.office, campaign)
    campaign = campaigns.open_campaign(world.office, campaign)
    with pytest.raises(ValidationError):
        campaigns.open_campaign(world.office, campaign)
    with pytest.raises(ValidationError, match="名额"):
        campaigns.issue_codes(world.office, campaign, kind="deputies", count=6)


def test_service_users_are_invited_once_by_sms_and_opt_out_is_honoured(world, client, monkeypatch):
    sent = []
    monkeypatch.setattr("vanguard.messaging.direct.send_now",
                        lambda mobile, text, ref_prefix="": sent.append((mobile, text)) or True)
    for mobile in ("13911110001", "13911110002", "13911110003", "139 1111 0003", "13911110004"):
        served(world, mobile)
    served(world, "13911110005", days_ago=200)  # not recent
    assert world.other_person.unit_id != world.home_unit.pk
    served(world, "13911110006", unit=world.other_person.unit)  # another unit's
    served(world, "", days_ago=1)  # no mobile
    SmsOptOut.objects.create(mobile="13911110004")
    campaign = make_campaign(world, units=[world.home_unit])
    assert campaigns.recent_mobiles(campaign) == {"13911110001", "13911110002", "13911110003"}
    assert campaigns.invite_service_users(world.office, campaign, count=2, seed=1) == 2
    assert campaigns.invite_service_users(world.office, campaign, count=5, seed=1) == 1  # the one left
    with pytest.raises(ValidationError, match="没有"):
        campaigns.invite_service_users(world.office, campaign, count=1)
    contacts = CampaignContact.objects.filter(campaign=campaign)
    assert sorted(contacts.values_list("mobile", flat=True)) == ["13911110001", "13911110002", "13911110003"]
    assert set(contacts.values_list("invitation__channel", flat=True)) == {Invitation.Channel.SMS}
    assert campaigns.send_invitations(campaign.pk) == (3, 0)
    assert campaigns.send_invitations(campaign.pk) == (0, 0)  # never twice
    assert sorted(m for m, _t in sent) == ["13911110001", "13911110002", "13911110003"]
    contact = contacts.get(mobile="13911110001")
    assert contact.invitation.public_path in sent[0][1] or any(contact.invitation.public_path in t for _m, t in sent)
    # The citizen opts out from the link; the next campaign does not invite that mobile.
    page = client.get(f"/review/{contact.invitation.code}/")
    assert f"/review/{contact.invitation.code}/stop/" in page.content.decode()
    assert client.post(f"/review/{contact.invitation.code}/stop/").status_code == 200
    assert SmsOptOut.objects.filter(mobile="13911110001").exists()
    second = make_campaign(world, units=[world.home_unit], title="第二次评议")
    assert campaigns.recent_mobiles(second) == {"13911110002", "13911110003"}
    assert AuditEntry.objects.filter(verb="campaign opt-out").count() == 1


def test_results_with_ranks_and_the_campaigns_figures(world):
    home, dept, home2 = world.home_unit, world.department, world.home_unit2
    campaign = make_campaign(world, units=[home, dept, home2])
    answers = [("deputies", {home.pk: "5", dept.pk: "2", home2.pk: "dont_know"}),
               ("deputies", {home.pk: "4", dept.pk: "3", home2.pk: "dont_know"}),
               ("public", {home.pk: "4", dept.pk: "1", home2.pk: "dont_know"})]
    for kind, levels in answers:
        code, = codes(world, campaign, kind)
        campaigns.submit_review(code, levels=levels, issues={dept.pk: "办事指南与实际要求不一致。"},
                                contact_mobile="13900002222")
    cases = list(Case.objects.filter(source_ref=campaign.ref))
    assert len(cases) == 3 and {c.unit_id for c in cases} == {dept.pk}
    # The unit answers two of them; one citizen is satisfied, one is not.
    for case, result in zip(cases[:2], ("satisfied", "dissatisfied"), strict=True):
        services.accept_case(SYSTEM, case)
        services.answer_case(SYSTEM, case, answer="已统一办事指南。", upheld=True)
        services.call_back(world.office, case, result=result)
    campaign = campaigns.close_campaign(world.office, campaign)
    results = {r.unit_id: r for r in UnitResult.objects.filter(campaign=campaign)}
    assert (results[home.pk].rank, results[home.pk].rate, str(results[home.pk].mean)) == (1, 100, "4.33")
    assert (results[dept.pk].rank, results[dept.pk].satisfied, results[dept.pk].answers) == (2, 1, 3)
    assert results[dept.pk].issues == 3
    assert (results[home2.pk].rank, results[home2.pk].rate, results[home2.pk].dont_know) == (None, None, 3)
    figures = selectors.campaign_figures(campaign)
    assert figures["reviewers"] == 3
    assert {g["kind"]: g["answers"] for g in figures["groups"]} == {
        "deputies": 2, "enterprise": 0, "public": 1, "users": 0}
    assert (figures["routed"], figures["answered"], figures["on_time"]) == (3, 2, 2)
    assert (figures["called_back"], figures["satisfied"], figures["satisfied_rate"]) == (2, 1, 50.0)
    # Closed: no more answers.
    code = Invitation.objects.filter(evaluation=campaign.evaluation, used=False).values_list("code", flat=True).first()
    if code:
        with pytest.raises(ValidationError):
            campaigns.submit_review(code, levels={home.pk: "5", dept.pk: "5", home2.pk: "5"})
    assert AuditEntry.objects.filter(verb__in=["campaign created", "campaign opened", "campaign closed"]).count() == 3


def test_ranks_share_equal_places():
    from decimal import Decimal

    rows = [UnitResult(rate=Decimal(r), mean=Decimal(m)) if r is not None else UnitResult(rate=None, mean=None)
            for r, m in (("90", "4.1"), ("95", "4.5"), ("90", "4.1"), (None, None), ("80", "3"))]
    campaigns._ranked(rows)
    assert [r.rank for r in rows] == [2, 1, 2, None, 4]


def test_quarterly_pages_do_not_list_a_campaigns_questionnaire(world, client):
    campaign = make_campaign(world)
    client.force_login(world.office)
    assert campaign.title not in client.get("/evaluations/").content.decode()
    assert client.get(f"/evaluations/{campaign.evaluation_id}/").status_code == 404
    code, = codes(world, campaign)
    response = client.get(f"/s/{code}/")
    assert response.status_code == 302 and response["Location"] == f"/review/{code}/"


def test_the_command_invites_sends_and_lists(world, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setattr("vanguard.messaging.direct.send_now", lambda mobile, text, ref_prefix="": True)
    served(world, "13922220001")
    campaign = make_campaign(world, units=[world.home_unit])
    out = StringIO()
    call_command("campaign", "invite", str(campaign.pk), "--count", "3", stdout=out)
    call_command("campaign", "send", str(campaign.pk), stdout=out)
    call_command("campaign", "send", stdout=out)
    call_command("campaign", "list", stdout=out)
    text = out.getvalue()
    assert "invited 1 service users" in text and "sent 1, failed 0" in text and "sent 0, failed 0" in text
    assert campaign.title in text
