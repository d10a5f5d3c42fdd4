import pytest

from tests.posts.conftest import make_post
from vanguard.posts import services as post_services
from vanguard.surveys import services
from vanguard.surveys.models import Evaluation


def answer_all(evaluation, invitations, value):
    """Answer every scale question of every post with `value` using the given codes."""
    posts, scale, _texts = services.form_for(evaluation)
    for invitation in invitations:
        services.submit_answers(invitation.code, scores={(p.pk, q.pk): value for p in posts for q in scale},
                                texts={})


def run_quarter(world, post, quarter, value, answers=3, year=2026):
    evaluation = services.create_evaluation(world.office, world.centre, title=f"{year}年第{quarter}季度测评",
                                            year=year, quarter=quarter, posts=[post], min_answers=answers)
    services.open_evaluation(world.office, evaluation)
    group = evaluation.groups.get(kind="users")
    invitations = services.issue_invitations(world.office, evaluation, group=group, count=answers)
    answer_all(evaluation, invitations, value)
    services.close_evaluation(world.office, evaluation)
    return Evaluation.objects.get(pk=evaluation.pk)


@pytest.fixture
def post(world):
    post = make_post(world)
    return post_services.disclose_post(world.office, post)


@pytest.fixture
def evaluation(world, post):
    evaluation = services.create_evaluation(world.office, world.centre, title="2026年第三季度测评", year=2026,
                                            quarter=3, posts=[post], min_answers=2)
    return services.open_evaluation(world.office, evaluation)
