import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from vanguard.surveys import services
from vanguard.surveys.models import AnswerSheet, Evaluation


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize("who, status", [("office", 200), ("admin", 200), ("handler", 403), ("secretary", 403),
                                         ("member", 403), ("outsider", 200)])
def test_home_access(world, login, who, status):
    assert login(getattr(world, who)).get(reverse("surveys:home")).status_code == status


def test_anonymous_redirected(client, world):
    assert client.get(reverse("surveys:home")).status_code == 302


def test_progress_partial(world, login, evaluation):
    url = reverse("surveys:progress", args=[evaluation.pk])
    assert "两代表一委员" in login(world.office).get(url).content.decode()
    assert login(world.outsider).get(url).status_code == 404
    page = login(world.office).get(reverse("surveys:evaluation", args=[evaluation.pk])).content.decode()
    assert f'hx-get="{url}"' in page


def test_detail_access(world, login, evaluation):
    url = reverse("surveys:evaluation", args=[evaluation.pk])
    assert login(world.office).get(url).status_code == 200
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.handler).get(url).status_code == 404


def test_create_open_invite_and_slips(world, login, post):
    client = login(world.office)
    response = client.post(reverse("surveys:home"), {"title": "2026年第四季度测评", "year": 2026, "quarter": 4,
                                                     "posts": [post.pk], "threshold": 90, "min_answers": 3})
    evaluation = Evaluation.objects.get(quarter=4)
    assert response.status_code == 302
    action = reverse("surveys:evaluation-action", args=[evaluation.pk])
    client.post(action, {"action": "open"})
    client.post(action, {"action": "invite", "kind": "deputies", "count": 3, "valid_days": 7})
    assert evaluation.invitations.count() == 3
    pdf = client.get(reverse("surveys:slips", args=[evaluation.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert login(world.outsider).post(action, {"action": "close"}).status_code == 404
    assert login(world.outsider).get(reverse("surveys:slips", args=[evaluation.pk])).status_code == 404


def test_public_answer_page(world, client, evaluation, post):
    invitation = services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(), count=1)[0]
    url = reverse("surveys:answer", args=[invitation.code])
    page = client.get(url).content.decode()
    assert post.name in page and "checked" not in page
    _posts, scale, texts = services.form_for(evaluation)
    data = {f"s_{post.pk}_{q.pk}": "5" for q in scale}
    data.update({f"t_{q.pk}": "很好" for q in texts})
    assert client.post(url, {}).status_code == 400
    assert client.post(url, data).status_code == 200
    assert AnswerSheet.objects.count() == 1
    assert client.post(url, data).status_code == 400
    assert client.get("/s/ZZZZZZZZZZ/").status_code == 400


def test_api_evaluations(world, post):
    response = api(world.office).post("/api/v1/evaluations/", {"title": "API测评", "year": 2026, "quarter": 2,
                                                               "posts": [post.pk]}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(world.handler).post(f"/api/v1/evaluations/{pk}/open/").status_code == 404
    assert api(world.office).post(f"/api/v1/evaluations/{pk}/open/").json()["status"] == "open"
    made = api(world.office).post(f"/api/v1/evaluations/{pk}/invitations/", {"group": "public", "count": 2},
                                  format="json")
    assert made.status_code == 201 and len(made.json()) == 2 and made.json()[0]["url"].endswith("/")
    assert api(world.office).post(f"/api/v1/evaluations/{pk}/invitations/", {"group": "public", "count": 999},
                                  format="json").status_code == 400
    assert api(world.office).get(f"/api/v1/evaluations/{pk}/invitations/").json()["count"] == 2
    assert api(world.outsider).get(f"/api/v1/evaluations/{pk}/").status_code == 404
    closed = api(world.office).post(f"/api/v1/evaluations/{pk}/close/")
    assert closed.json()["status"] == "closed" and closed.json()["results"][0]["outcome"] == "insufficient"
    assert api(world.office).post(f"/api/v1/evaluations/{pk}/close/").status_code == 400
    assert api(world.member).post("/api/v1/evaluations/", {}, format="json").status_code == 403
