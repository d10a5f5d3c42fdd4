"""Issue 10, point 11: the evaluation form keeps every answer when one is refused, shows
each message beside its question, and has "不了解" (stored distinctly, outside the rate)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.posts.conftest import make_post
from vanguard.posts import services as post_services
from vanguard.surveys import services
from vanguard.surveys.models import AnswerItem, AnswerSheet, Invitation


@pytest.fixture
def two_posts(world, post):
    other = post_services.disclose_post(world.office, make_post(world, name="B01社保先锋岗", window=world.window2,
                                                                holders=world.branch2_members))
    evaluation = services.create_evaluation(world.office, world.centre, title="2026年第四季度测评", year=2026,
                                            quarter=4, posts=[post, other], min_answers=1)
    services.open_evaluation(world.office, evaluation)
    return evaluation, post, other


def _invite(world, evaluation):
    return services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(), count=1)[0]


def test_dont_know_is_stored_distinctly_and_outside_the_rate(world, two_posts):
    evaluation, post, other = two_posts
    _posts, scale, _texts = services.form_for(evaluation)
    for value_for_other in ("5", services.DONT_KNOW):
        invitation = _invite(world, evaluation)
        scores = {(post.pk, q.pk): "1" for q in scale}
        scores.update({(other.pk, q.pk): value_for_other for q in scale})
        services.submit_answers(invitation.code, scores=scores, texts={})
    unknown = AnswerItem.objects.filter(post=other, dont_know=True)
    assert unknown.count() == len(scale) and not unknown.filter(value__isnull=False).exists()
    results = {r.post_id: r for r in services.compute_results(evaluation)}
    # The other post: one sheet of 5s counts, the "don't know" sheet does not dilute it.
    assert results[other.pk].rate == 100 and results[other.pk].scale_answers == len(scale)
    assert results[other.pk].answers == 1
    assert results[post.pk].rate == 0 and results[post.pk].answers == 2


def test_errors_are_keyed_by_question_and_nothing_is_stored(world, two_posts):
    evaluation, post, other = two_posts
    invitation = _invite(world, evaluation)
    _posts, scale, texts = services.form_for(evaluation)
    scores = {(p.pk, q.pk): "4" for p in (post, other) for q in scale}
    scores[(other.pk, scale[1].pk)] = "9"
    del scores[(post.pk, scale[0].pk)]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        services.submit_answers(invitation.code, scores=scores, texts={texts[0].pk: "长" * 1001})
    errors = e.value.message_dict
    assert set(errors) == {f"s_{post.pk}_{scale[0].pk}", f"s_{other.pk}_{scale[1].pk}", f"t_{texts[0].pk}"}
    assert "不了解" in errors[f"s_{other.pk}_{scale[1].pk}"][0]
    assert "1001" in errors[f"t_{texts[0].pk}"][0]
    assert not AnswerSheet.objects.exists() and not Invitation.objects.get(pk=invitation.pk).used


def test_a_refused_form_comes_back_with_every_answer_kept(world, client, two_posts):
    evaluation, post, other = two_posts
    invitation = _invite(world, evaluation)
    url = reverse("surveys:answer", args=[invitation.code])
    page = client.get(url).content.decode()
    assert page.count('value="dont_know"') == 2 * 4 and "不了解" in page
    _posts, scale, texts = services.form_for(evaluation)
    data = {f"s_{p.pk}_{q.pk}": "4" for p in (post, other) for q in scale}
    data[f"s_{other.pk}_{scale[2].pk}"] = services.DONT_KNOW
    missing = f"s_{post.pk}_{scale[3].pk}"
    del data[missing]
    data[f"t_{texts[0].pk}"] = "希望午间增开窗口"
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    # Every given answer is checked again, the text is back, and the one message stands by its question.
    for name, value in data.items():
        if name.startswith("s_"):
            assert re.search(rf'name="{name}" value="{value}" checked', html), name
    assert "希望午间增开窗口</textarea>" in html
    block = html[html.index(f'id="f-{missing}"'):]
    block = block[:block.index("</fieldset>")]
    assert 'class="field-error"' in block and scale[3].text in block
    assert html.count('class="field-error"') == 1
    assert not AnswerSheet.objects.exists()
    data[missing] = "5"
    assert client.post(url, data).status_code == 200
    assert AnswerSheet.objects.count() == 1
