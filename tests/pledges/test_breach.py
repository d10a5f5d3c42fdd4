"""A bad review rectified for a reason that names a signboard pledge is recorded against that pledge
of the post, once, and shows in the post's history."""

import pytest
from django.core.exceptions import ValidationError

from tests.ratings.conftest import import_one, rate
from vanguard.pledges import services
from vanguard.pledges.models import PostPledgeBreach
from vanguard.posts.models import PostEvent
from vanguard.ratings import cases
from vanguard.ratings.models import RectificationCase


@pytest.fixture
def post(world):
    from tests.posts.conftest import make_post
    from vanguard.posts import services as post_services

    return post_services.disclose_post(world.office, make_post(world))


def test_rectified_bad_review_records_the_broken_pledge(world, post):
    txn = import_one(world)
    rating = rate(txn, level=1, reasons=["rude", "slow", "system"])
    assert rating.post_id == post.pk
    case = RectificationCase.objects.get(rating=rating)
    cases.verify_case(world.handler, case, verification="属实")
    cases.rectify_case(world.handler, case, rectification="已批评教育并道歉")
    breaches = PostPledgeBreach.objects.filter(post=post).order_by("pledge")
    assert [(b.pledge, b.source, b.ref) for b in breaches] == [("attitude", "rating", txn.number),
                                                               ("time", "rating", txn.number)]
    assert PostEvent.objects.filter(post=post, action=PostEvent.Action.PLEDGE_BROKEN).count() == 2


def test_a_reason_naming_no_pledge_records_nothing(world, post):
    rating = rate(import_one(world), level=2, reasons=["system"])
    case = RectificationCase.objects.get(rating=rating)
    cases.verify_case(world.handler, case, verification="属实")
    cases.rectify_case(world.handler, case, rectification="系统已修复")
    assert not PostPledgeBreach.objects.exists()


def test_breach_bad_input(world, post):
    with pytest.raises(ValidationError):
        services.record_post_pledge_breach(world.office, post, "speed", "case", "x")
    with pytest.raises(ValidationError):
        services.record_post_pledge_breach(world.office, post, "time", "case", " ")
    assert not PostPledgeBreach.objects.exists()


def test_breach_visibility(world, post):
    services.record_post_pledge_breach(world.office, post, "time", "other", "督查发现超时")
    assert PostPledgeBreach.objects.visible_to(world.office).count() == 1
    assert not PostPledgeBreach.objects.visible_to(world.outsider).exists()
