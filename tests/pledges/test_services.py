"""The pledge cycle through the services: make, review, keep, judge; bad input refused with a
Chinese message and nothing half-applied; the figures recounted; comments masked."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from vanguard.core.models import AuditEntry
from vanguard.pledges import services
from vanguard.pledges.models import Comment, Pledge, PledgeStat, Result
from vanguard.pledges.selectors import figures, stats_for

from .conftest import deadline, make, this_year


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def test_member_makes_a_pledge_audited(world):
    pledge = make(world)
    assert pledge.status == Pledge.Status.SUBMITTED and pledge.source == Pledge.Source.MEMBER
    assert pledge.branch_id == world.branch1.pk and pledge.unit_id == world.home_unit.pk
    assert AuditEntry.objects.filter(model="pledges.pledge", object_id=str(pledge.pk), verb="pledge made").exists()
    stat = PledgeStat.objects.get(year=this_year(), branch=world.branch1)
    assert (stat.members, stat.made, stat.approved) == (1, 1, 0)


def test_secretary_enters_from_paper(world):
    other = world.branch1_members[2]
    pledge = make(world, person=other, actor=world.secretary)
    assert pledge.source == Pledge.Source.PAPER


@pytest.mark.parametrize("who", ["outsider", "scorer", "liaison", "handler"])
def test_others_cannot_enter_a_pledge(world, who):
    with pytest.raises(PermissionDenied):
        make(world, person=world.member_person, actor=getattr(world, who))
    assert not Pledge.objects.exists()


def test_secretary_of_another_branch_cannot(world):
    with pytest.raises(PermissionDenied):
        make(world, person=world.branch2_members[0], actor=world.secretary)


@pytest.mark.parametrize("field, values, message", [
    ("measure", {"measure": "  "}, "可衡量"),
    ("deadline", {"deadline": None}, "时限"),
    ("deadline", {"deadline": datetime.date(2001, 1, 1)}, "年"),
    ("what", {"what": ""}, "承诺"),
])
def test_bad_pledge_refused_in_chinese(world, field, values, message):
    with pytest.raises(ValidationError) as e:
        make(world, **values)
    assert field in e.value.message_dict
    assert message in " ".join(e.value.message_dict[field])
    assert not Pledge.objects.exists()
    assert not PledgeStat.objects.exists()


def test_public_person_makes_no_pledge(world):
    with pytest.raises(ValidationError):
        make(world, person=world.public_person, actor=world.office)


def test_database_refuses_a_pledge_without_measure(world, pledge):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(measure="")


def test_review_approve_and_return(world, pledge):
    with pytest.raises(ValidationError) as e:
        services.review_pledge(world.secretary, pledge, approve=False, reason=" ")
    assert "理由" in e.value.message_dict["reason"][0]
    services.review_pledge(world.secretary, pledge, approve=False, reason="结果写具体些")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RETURNED
    services.revise_pledge(world.member, pledge, what="帮老人网上办事", deadline=deadline(), measure="30位")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED and pledge.return_reason == ""
    services.review_pledge(world.secretary, pledge, approve=True)
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.APPROVED


def test_member_cannot_review_own_pledge(world, pledge):
    with pytest.raises(PermissionDenied):
        services.review_pledge(world.member, pledge, approve=True)


def test_progress_on_unapproved_pledge_refused(world, pledge):
    with pytest.raises(ValidationError) as e:
        services.record_progress(world.member, pledge, text="帮了3位老人")
    assert "批准" in e.value.message_dict["text"][0]
    assert not pledge.progress.exists()


def test_progress_and_confirmation(world, approved):
    item = services.record_progress(world.member, approved, text="帮了3位老人", link="主题党日 2026-03")
    with pytest.raises(PermissionDenied):
        services.confirm_progress(world.member, item)
    services.confirm_progress(world.secretary, item)
    item.refresh_from_db()
    assert item.confirmed_at is not None
    with pytest.raises(ValidationError):
        services.confirm_progress(world.secretary, item)


def test_progress_photo_checked_by_content(world, approved):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as e:
        services.record_progress(world.member, approved, text="帮了3位老人", photo=fake)
    assert "photo" in e.value.message_dict
    assert not approved.progress.exists()


def test_judgement_needs_a_reason_and_changes_the_figures(world, approved):
    with pytest.raises(ValidationError) as e:
        services.judge_pledge(world.secretary, approved, stage=services.YEAR_END, result=Result.KEPT, reason="")
    assert "理由" in e.value.message_dict["reason"][0]
    total, _rows = figures(stats_for(world.office), this_year())
    assert (total["made"], total["approved"], total["kept"], total["rate"]) == (1, 1, 0, None)
    services.judge_pledge(world.secretary, approved, stage=services.MIDYEAR, result=Result.PARTLY, reason="进展一半")
    services.judge_pledge(world.secretary, approved, stage=services.YEAR_END, result=Result.KEPT, reason="已兑现")
    total, rows = figures(stats_for(world.office), this_year(), "branch")
    assert (total["kept"], total["judged"], str(total["rate"])) == (1, 1, "100.0")
    assert rows[0]["name"] == world.branch1.name
    # Judged not kept: the figures follow.
    services.judge_pledge(world.secretary, approved, stage=services.YEAR_END, result=Result.NOT_KEPT, reason="未兑现")
    total, _rows = figures(stats_for(world.office), this_year())
    assert (total["kept"], total["not_kept"], str(total["rate"])) == (0, 1, "0.0")


def test_cannot_judge_unapproved(world, pledge):
    with pytest.raises(ValidationError):
        services.judge_pledge(world.secretary, pledge, stage=services.YEAR_END, result=Result.KEPT, reason="x")


def test_figures_scoped(world, approved):
    make(world, person=world.branch2_members[0], actor=world.office)
    office, _ = figures(stats_for(world.office), this_year())
    secretary, _ = figures(stats_for(world.secretary), this_year())
    outsider, _ = figures(stats_for(world.outsider), this_year())
    assert (office["made"], secretary["made"], outsider["made"]) == (2, 1, 0)


@pytest.mark.parametrize("text, hidden, shown", [
    ("电话13812345678找我", "13812345678", "138****5678"),
    ("身份证110105199001011234", "110105199001011234", "110105********1234"),
    ("号码+86 138-1234-5678", "1234-5678", "138****5678"),
    ("旧身份证110105900101123", "110105900101123", "110105******123"),
    ("身份证11010519900101123x", "11010519900101123x", "110105********123x"),
    ("全角１３８１２３４５６７８", "12345678", "138****5678"),
])
def test_comment_masks_numbers(world, approved, text, hidden, shown):
    comment = services.add_comment(None, approved, body=text)
    comment.refresh_from_db()
    assert hidden not in comment.body and shown in comment.body
    assert comment.status == Comment.Status.PENDING


def test_comment_only_on_approved(world, pledge):
    with pytest.raises(ValidationError):
        services.add_comment(None, pledge, body="好")


def test_moderation(world, approved):
    comment = services.add_comment(None, approved, body="点赞")
    with pytest.raises(PermissionDenied):
        services.moderate_comment(world.member, comment, publish=True)
    services.moderate_comment(world.secretary, comment, publish=True)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED


def test_import_all_or_nothing(world):
    rows = [{"mobile": "13800000002", "year": this_year(), "what": "a", "deadline": deadline(), "measure": "b"},
            {"mobile": "13800000003", "year": this_year(), "what": "c", "deadline": deadline(), "measure": ""}]
    with pytest.raises(ValidationError) as e:
        services.import_pledges(world.secretary, world.centre, rows)
    assert "3" in e.value.messages[0]
    assert not Pledge.objects.exists()
    rows[1]["measure"] = "d"
    assert len(services.import_pledges(world.secretary, world.centre, rows)) == 2


def test_visible_to(world, approved):
    other = make(world, person=world.branch2_members[0], actor=world.office)
    assert set(Pledge.objects.visible_to(world.member)) == {approved}
    assert set(Pledge.objects.visible_to(world.secretary)) == {approved}
    assert set(Pledge.objects.visible_to(world.office)) == {approved, other}
    assert set(Pledge.objects.visible_to(world.liaison)) == {approved}
    assert not Pledge.objects.visible_to(world.outsider).exists()
