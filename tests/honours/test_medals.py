"""Rotating medals: moving by the rule at the turn of the month (the periodic job),
by decision, the history saying why, and the medals on the signboard and boards."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.posts.conftest import make_post
from tests.ratings.conftest import import_one, rate
from vanguard.honours import services, tasks
from vanguard.honours.models import Holding, MedalScheme
from vanguard.posts import services as post_services

pytestmark = pytest.mark.django_db
NOVEMBER = timezone.make_aware(datetime.datetime(2026, 11, 16, 10, 0))


def _ratings(world, window, levels):
    for level in levels:
        txn = import_one(world, window=window, person="李党员" if window == "A01" else "张二层",
                         accepted_at=NOVEMBER - datetime.timedelta(hours=2))
        rate(txn, level=level, now=NOVEMBER)


@pytest.fixture
def scheme(world):
    return services.create_medal_scheme(world.office, world.centre, name="优质服务流动奖牌", count=1, min_ratings=3)


def test_medal_moves_by_its_rule_at_the_turn_of_the_month(world, scheme):
    # October's holder, by decision: window B01.
    first = services.award_medal(world.office, scheme.medals.get(number=1), holder=world.window2,
                                 reason="首次授予：十月群众评价最好", today=datetime.date(2026, 10, 1))
    _ratings(world, "A01", [5, 5, 5, 4])     # 100% over 4 ratings
    _ratings(world, "B01", [5, 5, 1, 2])     # 50% over 4 ratings
    services.MedalScheme.objects.filter(pk=scheme.pk).update(last_period=datetime.date(2026, 11, 1))
    moved = services.rotate_due(today=datetime.date(2026, 12, 1))
    assert [(s.pk, len(m)) for s, m in moved] == [(scheme.pk, 1)]
    history = list(Holding.objects.filter(scheme=scheme).order_by("started_on", "pk"))
    assert [(h.window_id, h.started_on, h.ended_on, h.how) for h in history] == [
        (world.window2.pk, datetime.date(2026, 10, 1), datetime.date(2026, 12, 1), Holding.How.DECISION),
        (world.window1.pk, datetime.date(2026, 12, 1), None, Holding.How.RULE)]
    new = history[1]
    assert new.pk != first.pk and new.period == datetime.date(2026, 12, 1)
    assert new.rate == 100 and new.ratings == 4
    assert "2026年11月" in new.reason and "满意率100.00%" in new.reason and "4条评价" in new.reason
    # Once per period: the job again does nothing, and a second rotation is refused.
    assert services.rotate_due(today=datetime.date(2026, 12, 2)) == []
    with pytest.raises(ValidationError):
        services.rotate_medals(world.office, scheme, period=datetime.date(2026, 12, 1))


def test_too_few_ratings_leaves_a_medal_vacant(world, scheme):
    services.award_medal(world.office, scheme.medals.get(number=1), holder=world.window2, reason="决定",
                         today=datetime.date(2026, 11, 1))
    _ratings(world, "A01", [5, 5])   # below the minimum of 3
    moved = services.rotate_medals(world.office, scheme, period=datetime.date(2026, 12, 1),
                                   today=datetime.date(2026, 12, 1))
    assert moved == [] and not Holding.objects.filter(scheme=scheme, ended_on=None).exists()


def test_periodic_job_is_scheduled_and_runs(world, scheme):
    from vanguard.core.schedule import JOBS

    assert any(j.task == "vanguard.honours.tasks.rotate_medals" for j in JOBS)
    result = tasks.rotate_medals.call()
    assert result == 0  # no ratings this month: nobody qualifies
    assert MedalScheme.objects.get(pk=scheme.pk).last_period == timezone.localdate().replace(day=1)


def test_award_by_decision_needs_a_reason_and_one_medal_per_holder(world):
    scheme = services.create_medal_scheme(world.office, world.centre, name="红旗流动奖牌", count=2,
                                          holder_kind=MedalScheme.HolderKind.BRANCH,
                                          rule=MedalScheme.Rule.DECISION)
    one, two = scheme.medals.order_by("number")
    with pytest.raises(ValidationError):
        services.award_medal(world.office, one, holder=world.branch1, reason=" ")
    with pytest.raises(ValidationError):
        services.award_medal(world.office, one, holder=world.window1, reason="窗口不是支部")
    services.award_medal(world.office, one, holder=world.branch1, reason="季度考核第一")
    with pytest.raises(ValidationError):
        services.award_medal(world.office, two, holder=world.branch1, reason="已有一块")
    with pytest.raises(ValidationError):
        services.rotate_medals(world.office, scheme, period=datetime.date(2026, 12, 1))


def test_bad_scheme_input(world):
    with pytest.raises(ValidationError) as caught:
        services.create_medal_scheme(world.office, world.centre, name="", count=0, holder_kind="floor",
                                     cadence="weekly", rule="x", min_ratings=-1)
    assert set(caught.value.message_dict) == {"name", "count", "holder_kind", "cadence", "rule", "min_ratings"}
    assert not MedalScheme.objects.exists()


def test_medal_shown_on_the_signboard(client, world, scheme):
    post = post_services.disclose_post(world.office, make_post(world))
    services.award_medal(world.office, scheme.medals.get(number=1), holder=world.window1, reason="决定")
    html = client.get(f"/p/{post.code}/").content.decode()
    assert "优质服务流动奖牌" in html and "sign-medals" in html


def test_shared_cache_forgets_the_signboard_when_a_medal_moves(client, world, scheme, settings, tmp_path,
                                                               django_capture_on_commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path)}}
    post = post_services.disclose_post(world.office, make_post(world))
    assert "优质服务流动奖牌" not in client.get(f"/p/{post.code}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.award_medal(world.office, scheme.medals.get(number=1), holder=world.window1, reason="决定")
    assert "优质服务流动奖牌" in client.get(f"/p/{post.code}/").content.decode()
