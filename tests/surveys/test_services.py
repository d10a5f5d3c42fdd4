import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vanguard.posts.models import PostEvent, VanguardPost
from vanguard.ratings.models import Notice
from vanguard.surveys import services
from vanguard.surveys.models import AnswerItem, AnswerSheet, Decision, Invitation, PostResult

from .conftest import answer_all, run_quarter


def test_answers_are_anonymous(world, evaluation):
    group = evaluation.groups.get(kind="deputies")
    invitations = services.issue_invitations(world.office, evaluation, group=group, count=2)
    answer_all(evaluation, invitations[:1], 5)
    sheet = AnswerSheet.objects.get()
    # Nothing on the answer points back to an invitation: no foreign key, a random key, the day only.
    fields = {f.name for f in AnswerSheet._meta.get_fields()}
    assert fields == {"id", "evaluation", "group_kind", "answered_on", "items"}
    assert isinstance(sheet.answered_on, datetime.date) and not isinstance(sheet.answered_on, datetime.datetime)
    assert {f.name for f in Invitation._meta.concrete_fields} == {
        "id", "evaluation", "group", "code", "channel", "valid_until", "used"}
    assert AnswerItem._meta.pk.get_internal_type() == "UUIDField"
    assert AnswerSheet._meta.ordering == []
    assert Invitation.objects.filter(used=True).count() == 1


def test_code_cannot_be_used_twice_and_bad_codes(world, evaluation):
    group = evaluation.groups.get(kind="public")
    invitation, late = services.issue_invitations(world.office, evaluation, group=group, count=2)
    answer_all(evaluation, [invitation], 4)
    with pytest.raises(ValidationError, match="已使用|already been used"):
        answer_all(evaluation, [invitation], 4)
    with pytest.raises(ValidationError, match="不存在|does not exist"):
        services.submit_answers("XXXXXXXXXX", scores={})
    Invitation.objects.filter(pk=late.pk).update(valid_until=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="过期|expired"):
        answer_all(evaluation, [late], 4)
    assert AnswerSheet.objects.count() == 1


def test_level_out_of_range_and_missing_answers(world, evaluation, post):
    invitation = services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(), count=1)[0]
    _posts, scale, _texts = services.form_for(evaluation)
    with pytest.raises(ValidationError):
        services.submit_answers(invitation.code, scores={(post.pk, q.pk): 9 for q in scale})
    with pytest.raises(ValidationError):
        services.submit_answers(invitation.code, scores={})
    invitation.refresh_from_db()
    assert not invitation.used and not AnswerSheet.objects.exists()


def test_answer_after_closing_is_refused(world, evaluation):
    invitation = services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(), count=1)[0]
    services.close_evaluation(world.office, evaluation)
    with pytest.raises(ValidationError, match="结束|closed"):
        answer_all(evaluation, [invitation], 5)


def test_quota_and_permissions(world, evaluation):
    group = evaluation.groups.get(kind="deputies")
    with pytest.raises(ValidationError):
        services.issue_invitations(world.office, evaluation, group=group, count=group.quota + 1)
    with pytest.raises(PermissionDenied):
        services.issue_invitations(world.outsider, evaluation, group=group, count=1)
    with pytest.raises(PermissionDenied):
        services.close_evaluation(world.handler, evaluation)


def test_progress_by_group(world, evaluation):
    group = evaluation.groups.get(kind="users")
    invitations = services.issue_invitations(world.office, evaluation, group=group, count=3)
    answer_all(evaluation, invitations[:2], 5)
    rows = {r["kind"]: r for r in services.progress(evaluation)}
    assert rows["users"]["issued"] == 3 and rows["users"]["answers"] == 2 and rows["users"]["used"] == 2
    assert rows["deputies"]["answers"] == 0


def test_not_enough_answers(world, post):
    evaluation = run_quarter(world, post, 1, 5, answers=1)
    evaluation.min_answers = 5
    result = PostResult.objects.get(evaluation=evaluation)
    assert result.outcome == "pass"  # min_answers was 1 when it closed
    evaluation2 = services.create_evaluation(world.office, world.centre, title="Q2", year=2026, quarter=2,
                                             posts=[post], min_answers=5)
    services.open_evaluation(world.office, evaluation2)
    invitations = services.issue_invitations(world.office, evaluation2, group=evaluation2.groups.first(), count=2)
    answer_all(evaluation2, invitations, 5)
    services.close_evaluation(world.office, evaluation2)
    assert PostResult.objects.get(evaluation=evaluation2).outcome == "insufficient"


def test_post_walks_pass_named_fail_fail_revoked(world, post):
    q1 = run_quarter(world, post, 1, 5)
    assert PostResult.objects.get(evaluation=q1).outcome == "pass"
    proposal = Decision.objects.get(evaluation=q1, kind="naming", state="proposed")
    services.confirm_naming(world.office, proposal)
    post.refresh_from_db()
    assert post.status == VanguardPost.Status.NAMED and post.naming_evaluation == f"surveys.evaluation:{q1.pk}"
    assert post.certificate_number

    q2 = run_quarter(world, post, 2, 1)
    assert PostResult.objects.get(evaluation=q2).outcome == "fail"
    assert Decision.objects.get(evaluation=q2).kind == "warning"
    post.refresh_from_db()
    assert post.status == VanguardPost.Status.NAMED
    assert Notice.objects.filter(kind="warning").exists()

    q3 = run_quarter(world, post, 3, 2)
    post.refresh_from_db()
    assert post.status == VanguardPost.Status.REVOKED
    assert post.revoking_evaluation == f"surveys.evaluation:{q3.pk}"
    decision = Decision.objects.get(evaluation=q3)
    assert decision.kind == "revocation" and decision.result.outcome == "fail"
    event = PostEvent.objects.filter(post=post, action="revoke").get()
    assert q2.title in event.reason and q3.title in event.reason
    notices = Notice.objects.filter(kind="revocation")
    assert {n.unit_id for n in notices if n.unit_id} == {world.home_unit.pk}
    assert {n.organization_id for n in notices if n.organization_id} == {world.branch1.pk}


def test_threshold_boundary(world, post):
    # 9 of 10 answers satisfied = 90.00% -> pass at the default threshold.
    evaluation = services.create_evaluation(world.office, world.centre, title="边界", year=2025, quarter=4,
                                            posts=[post], min_answers=10,
                                            questions=[("总体满意度", "scale")])
    services.open_evaluation(world.office, evaluation)
    invitations = services.issue_invitations(world.office, evaluation, group=evaluation.groups.get(kind="users"),
                                             count=10)
    answer_all(evaluation, invitations[:9], 4)
    answer_all(evaluation, invitations[9:], 2)
    services.close_evaluation(world.office, evaluation)
    result = PostResult.objects.get(evaluation=evaluation)
    assert str(result.rate) == "90.00" and result.outcome == "pass"
