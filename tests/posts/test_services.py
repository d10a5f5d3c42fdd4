"""Lifecycle, history with actor, who may act, and the bad input of the issue:
each refused with a Chinese message and nothing changed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.surveys.conftest import run_quarter
from vanguard.core.models import AuditEntry
from vanguard.posts import services
from vanguard.posts.models import PLEDGE_MAX_LENGTH, PostEvent, PostHolder, VanguardPost

from .conftest import PLEDGES, make_post

Status = VanguardPost.Status


def chinese(exc):
    text = " ".join(m for messages in exc.message_dict.values() for m in messages) \
        if hasattr(exc, "error_dict") else " ".join(exc.messages)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    return text


def state(post):
    """Everything a refused action must leave as it was."""
    post = VanguardPost.objects.get(pk=post.pk)
    return (post.status, post.named_on, post.certificate_number, post.revoked_on, post.updated_at,
            PostEvent.objects.filter(post=post).count(), AuditEntry.objects.count(),
            list(post.post_holders.values_list("person_id", flat=True)))


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_full_lifecycle_is_in_the_history_with_actor(world):
    office, admin = world.office, world.admin
    post = make_post(world)
    assert post.status == Status.DRAFT and len(post.code) == 7
    services.disclose_post(office, post, reason="首批公示")
    post = VanguardPost.objects.get(pk=post.pk)
    first = run_quarter(world, post, 1, 5)
    post = services.name_post(office, post, organization=world.root, named_on=datetime.date(2026, 3, 1),
                              certificate_number="XFG-001", evaluation=first)
    assert (post.status, post.named_by, post.certificate_number) == (Status.NAMED, world.root, "XFG-001")
    post = services.revoke_post(admin, post, reason="连续两次测评不合格", evaluation="2026Q3")
    assert post.status == Status.REVOKED and post.revoked_by == admin and post.revoked_reason
    fourth = run_quarter(world, post, 4, 5)
    post = services.name_post(office, post, organization=world.root, named_on=datetime.date.today(),
                              certificate_number="XFG-002", evaluation=fourth)
    history = list(PostEvent.objects.filter(post=post).order_by("at", "pk"))
    assert [(e.action, e.status_after, e.actor) for e in history] == [
        ("create", "draft", office), ("disclose", "disclosed", office), ("name", "named", office),
        ("revoke", "revoked", admin), ("name", "named", office)]
    assert history[1].reason == "首批公示"
    assert history[3].reason == "连续两次测评不合格" and history[3].details["evaluation"] == "2026Q3"
    assert history[2].details["certificate_number"] == "XFG-001"
    # The audit trail has the same steps.
    verbs = list(AuditEntry.objects.filter(model="posts.vanguardpost", object_id=str(post.pk))
                 .order_by("pk").values_list("verb", flat=True))
    assert verbs == ["", "disclose", "name", "revoke", "name"]


def test_name_and_revoke_take_an_evaluation_object(world, posts):
    """The quarterly evaluation passes its own model instance."""
    evaluation = world.centre  # any saved model instance stands in for the survey's evaluation
    post = services.revoke_post(world.office, posts.named, reason="测评不合格", evaluation=evaluation)
    assert post.revoking_evaluation == f"org.servicecentre:{world.centre.pk}"


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "handler", "member", "outsider"])
def test_only_the_office_or_admin_acts(world, posts, role):
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        make_post(world, user)
    before = state(posts.disclosed)
    with pytest.raises(PermissionDenied):
        services.name_post(user, posts.disclosed, organization=world.root, named_on=datetime.date(2026, 1, 1),
                           certificate_number="X-1")
    with pytest.raises(PermissionDenied):
        services.revoke_post(user, posts.named, reason="x")
    with pytest.raises(PermissionDenied):
        services.disclose_post(user, posts.draft)
    with pytest.raises(PermissionDenied):
        services.update_post(user, posts.draft, name="改名")
    assert state(posts.disclosed) == before


def test_no_party_member_among_holders(world):
    count = VanguardPost.objects.count()
    with pytest.raises(ValidationError) as e:
        make_post(world, holders=[world.public_person])
    assert "陈群众：不是党员" in chinese(e.value) and "holders" in e.value.message_dict
    assert VanguardPost.objects.count() == count and not PostHolder.objects.exists()


def test_update_to_no_party_member_changes_nothing(world, posts):
    before = state(posts.draft)
    with pytest.raises(ValidationError) as e:
        services.update_post(world.office, posts.draft, name="新名字", holders=[world.public_person])
    assert "党员" in chinese(e.value)
    assert state(posts.draft) == before
    assert VanguardPost.objects.get(pk=posts.draft.pk).name == "草稿岗"


def test_pledge_longer_than_a_signboard_holds(world, posts):
    long = "为" * (PLEDGE_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as e:
        make_post(world, pledge_attitude=long)
    text = chinese(e.value)
    assert "服务态度承诺" in text and str(PLEDGE_MAX_LENGTH + 1) in text and str(PLEDGE_MAX_LENGTH) in text
    before = state(posts.named)
    with pytest.raises(ValidationError):
        services.update_post(world.office, posts.named, pledge_work=long)
    assert state(posts.named) == before
    # Exactly the limit fits.
    assert make_post(world, name="刚好", pledge_work="为" * PLEDGE_MAX_LENGTH).pledge_work


def test_naming_without_certificate_number(world, posts):
    before = state(posts.disclosed)
    for number in ("", "   "):
        with pytest.raises(ValidationError) as e:
            services.name_post(world.office, posts.disclosed, organization=world.root,
                               named_on=datetime.date(2026, 1, 1), certificate_number=number)
        assert "证书编号" in chinese(e.value) and "certificate_number" in e.value.message_dict
    assert state(posts.disclosed) == before


def test_revoked_post_named_again_needs_a_new_evaluation(world, posts):
    post = services.revoke_post(world.office, posts.named, reason="两次测评不合格", evaluation="2026Q2")
    before = state(post)
    for evaluation in (None, "2026Q2"):
        with pytest.raises(ValidationError) as e:
            services.name_post(world.office, post, organization=world.root, named_on=datetime.date(2026, 6, 1),
                               certificate_number="XFG-NEW", evaluation=evaluation)
        assert "测评" in chinese(e.value)
    assert state(post) == before
    post = services.name_post(world.office, post, organization=world.root, named_on=datetime.date(2026, 6, 1),
                              certificate_number="XFG-NEW", evaluation=run_quarter(world, post, 3, 5))
    assert post.status == Status.NAMED


@pytest.mark.parametrize("which, call", [
    ("draft", "name"), ("named", "name"), ("draft", "revoke"), ("named", "disclose"), ("disclosed", "disclose"),
])
def test_steps_out_of_order_are_refused(world, posts, which, call):
    post = getattr(posts, which)
    before = state(post)
    with pytest.raises(ValidationError) as e:
        if call == "name":
            services.name_post(world.office, post, organization=world.root, named_on=datetime.date(2026, 1, 1),
                               certificate_number="XFG-999")
        elif call == "revoke":
            services.revoke_post(world.office, post, reason="x")
        else:
            services.disclose_post(world.office, post)
    chinese(e.value)
    assert state(post) == before


def test_other_naming_checks(world, posts):
    post = posts.disclosed
    bad = [
        {"certificate_number": "XFG-2026-001"},  # already used by posts.named
        {"named_on": datetime.date.today() + datetime.timedelta(days=3)},
        {"organization": world.other_person.branch},  # another centre
    ]
    before = state(post)
    for change in bad:
        kwargs = {"organization": world.root, "named_on": datetime.date(2026, 1, 1), "certificate_number": "N-1",
                  "override_reason": "党组研究决定",
                  **change}
        with pytest.raises(ValidationError) as e:
            services.name_post(world.office, post, **kwargs)
        chinese(e.value)
    assert state(post) == before


def test_revocation_needs_a_reason(world, posts):
    before = state(posts.named)
    with pytest.raises(ValidationError) as e:
        services.revoke_post(world.office, posts.named, reason="  ")
    assert "原因" in chinese(e.value)
    assert state(posts.named) == before


def test_post_checks(world):
    cases = [
        ({"window": None}, "window"),
        ({"complaint_phone": "13800000002"}, "complaint_phone"),
        ({"pledge_time": ""}, "pledge_time"),
        ({"unit": world.other_person.unit}, "unit"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationError) as e:
            make_post(world, **extra)
        assert field in e.value.message_dict, (extra, e.value.message_dict)
        chinese(e.value)
    with pytest.raises(ValidationError) as e:
        make_post(world, holders=[world.member_person, world.other_person])
    assert "holders" in e.value.message_dict
    assert not VanguardPost.objects.exists()


def test_floor_follows_the_window_and_phone_defaults_to_the_centre(world):
    post = make_post(world)
    assert post.floor == world.floor1 and post.complaint_phone == world.centre.complaint_phone
    post = services.update_post(world.office, post, window=world.window2, reason="调整窗口")
    assert post.floor == world.floor2
    event = PostEvent.objects.filter(post=post, action="update").get()
    assert event.actor == world.office and event.reason == "调整窗口" and "window" in event.details["changed"]


def test_codes_are_unique_and_unambiguous(world):
    codes = {make_post(world, name=f"岗{i}").code for i in range(20)}
    assert len(codes) == 20
    assert all(not set(code) & set("01ILOU") for code in codes)


def test_standard_and_project_library(world, posts):
    with pytest.raises(PermissionDenied):
        services.create_standard(world.member, world.centre, industry="x", post_kind="window", title="t", text="a")
    with pytest.raises(ValidationError) as e:
        services.create_project(world.office, world.centre, name="半坐标", district="测试区", latitude="25.0")
    chinese(e.value)
    with pytest.raises(ValidationError):
        services.update_post(world.office, posts.draft, standard=services.create_standard(
            world.office, world.centre, industry="x", post_kind="team", title="团队", text="a"))
    assert PLEDGES
