"""A complaint about a post, upheld by the unit's answer, names the signboard pledge it broke
(or says explicitly that it broke none): the pledge named is recorded against the post,
once per case, and shows in the post's history. Service, page, API; owner, member, outsider."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.cases.conftest import complaint
from vanguard.cases import services as cases
from vanguard.cases.models import Case, CaseStep
from vanguard.pledges.models import PostPledgeBreach
from vanguard.posts.models import PostEvent


@pytest.fixture
def post(world):
    from tests.posts.conftest import make_post
    from vanguard.posts import services as post_services

    return post_services.disclose_post(world.office, make_post(world))


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def _api(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return _api


@pytest.fixture
def accepted(world, post):
    return cases.accept_case(world.handler, complaint(world, post=post, contact_mobile="13912345678"))


def _breaches(post):
    return list(PostPledgeBreach.objects.filter(post=post).values_list("pledge", "source", "ref"))


def test_an_upheld_complaint_needs_the_pledge_and_records_it_once(world, post, accepted):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        cases.answer_case(world.handler, accepted, answer="属实，已道歉", upheld=True)
    assert "承诺" in e.value.messages[0] and e.value.message_dict.keys() == {"broken_pledge"}
    with pytest.raises(ValidationError):
        cases.answer_case(world.handler, accepted, answer="属实", upheld=True, broken_pledge="speed")
    assert Case.objects.get(pk=accepted.pk).status == "accepted" and not _breaches(post)  # nothing half-applied

    case = cases.answer_case(world.handler, accepted, answer="属实，已道歉", action_taken="约谈当事人", upheld=True,
                             broken_pledge="attitude")
    assert _breaches(post) == [("attitude", "case", case.number)]
    event = PostEvent.objects.get(post=post, action=PostEvent.Action.PLEDGE_BROKEN)
    assert case.number in event.reason and "约谈当事人" in event.reason
    assert "违反承诺：服务态度承诺" in CaseStep.objects.get(case=case, action="answer").note
    # Dissatisfied: the second round's answer names the same pledge; it is not counted twice.
    case = cases.call_back(world.office, case, result="dissatisfied")
    cases.answer_case(world.handler, case, answer="科长上门道歉", upheld=True, broken_pledge="attitude")
    assert _breaches(post) == [("attitude", "case", case.number)]
    assert PostEvent.objects.filter(post=post, action=PostEvent.Action.PLEDGE_BROKEN).count() == 1


def test_no_pledge_broken_is_said_explicitly_and_records_nothing(world, post, accepted):
    case = cases.answer_case(world.handler, accepted, answer="系统原因，已报修", upheld=True, broken_pledge="none")
    assert case.upheld is True and not _breaches(post)
    assert CaseStep.objects.get(case=case, action="answer").note == "未违反承诺"


def test_a_complaint_not_upheld_or_about_no_post_names_no_pledge(world, post):
    case = cases.accept_case(world.handler, complaint(world, post=post))
    cases.answer_case(world.handler, case, answer="不属实", upheld=False, broken_pledge="time")
    unit_only = cases.accept_case(world.handler, cases.dispatch_case(
        world.office, complaint(world), unit=world.home_unit))
    cases.answer_case(world.handler, unit_only, answer="属实", upheld=True)  # no post: no pledge to name
    assert not PostPledgeBreach.objects.exists()


def test_the_answer_form_offers_the_posts_pledges(login, world, post, accepted):
    url = reverse("cases:case", args=[accepted.pk])
    page = login(world.handler).get(url).content.decode()
    assert 'name="broken_pledge"' in page and post.pledge_attitude[:20] in page and 'value="none"' in page
    # The office reads the case but does not answer it; a member and the outsider do not find it.
    assert 'name="broken_pledge"' not in login(world.office).get(url).content.decode()
    for user in (world.member, world.outsider):
        assert login(user).get(url).status_code == 404
        assert login(user).post(url, {"action": "answer", "answer": "x", "upheld": "yes",
                                      "broken_pledge": "time"}).status_code == 404
    handler = login(world.handler)
    handler.post(url, {"action": "answer", "answer": "属实", "upheld": "yes"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert Case.objects.get(pk=accepted.pk).status == "accepted" and not _breaches(post)
    handler.post(url, {"action": "answer", "answer": "属实", "upheld": "yes", "broken_pledge": "time"})
    assert Case.objects.get(pk=accepted.pk).status == "answered" and _breaches(post) == [
        ("time", "case", accepted.number)]
    # The post's history shows it, to the office.
    history = login(world.office).get(reverse("posts:post-detail", args=[post.pk])).content.decode()
    assert accepted.number in history


def test_the_api_answer_names_the_pledge(api, world, post, accepted):
    url = f"/api/v1/cases/{accepted.pk}/answer/"
    for user in (world.member, world.outsider):
        assert api(user).post(url, {"answer": "x", "upheld": True, "broken_pledge": "time"},
                              format="json").status_code == 404
    assert api(world.office).post(url, {"answer": "x", "upheld": True, "broken_pledge": "time"},
                                  format="json").status_code == 403
    handler = api(world.handler)
    response = handler.post(url, {"answer": "属实", "upheld": True}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "broken_pledge" in response.json()
    response = handler.post(url, {"answer": "属实", "upheld": True, "broken_pledge": "quality"}, format="json")
    assert response.status_code == 200 and response.json()["upheld"] is True
    assert _breaches(post) == [("quality", "case", accepted.number)]
