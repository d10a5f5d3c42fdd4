"""/api/v1/posts/ and /api/v1/projects/: reading by role, writing through the
services (office only), lifecycle actions as POST sub-resources, Chinese 400s."""

import pytest
from rest_framework.test import APIClient

from tests.surveys.conftest import run_quarter
from vanguard.posts.models import PostEvent, VanguardPost

from .conftest import PLEDGES

URL = "/api/v1/posts/"
ROLES = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member", "outsider"]


@pytest.fixture
def api():
    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client
    return _api


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def body(world, **extra):
    return {"name": "接口新建岗", "kind": "window", "window": world.window1.pk, "service_scope": "企业开办",
            "holders": [{"person": world.member_person.pk, "position": "受理员"},
                        {"person": world.secretary_person.pk}], **PLEDGES, **extra}


def test_anonymous_gets_401(api, posts):
    for url in (URL, f"{URL}{posts.named.pk}/", "/api/v1/projects/"):
        assert api().get(url).status_code == 401
    assert api().post(f"{URL}{posts.disclosed.pk}/name/", {}).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_by_role(api, world, posts, role):
    client = api(getattr(world, role))
    mine = {posts.draft.pk, posts.disclosed.pk, posts.named.pk}
    expected = set() if role == "outsider" else mine
    assert ids(client.get(URL)) == expected
    assert client.get(f"{URL}{posts.named.pk}/").status_code == (404 if role == "outsider" else 200)
    assert ids(client.get("/api/v1/projects/")) == (set() if role == "outsider" else {posts.project.pk})


def test_detail_shape(api, world, posts):
    data = api(world.office).get(f"{URL}{posts.named.pk}/").json()
    assert data["status"] == "named" and data["certificate_number"] == "XFG-2026-001"
    assert data["holders"][0] == {"person": world.member_person.pk, "position": "窗口受理员", "name": "李党员",
                                  "party_member": True}
    assert data["public_url"].endswith(f"/p/{posts.named.code}/")


def test_office_creates_updates_and_walks_the_lifecycle(api, world, posts):
    client = api(world.office)
    response = client.post(URL, body(world), format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["complaint_phone"] == "010-12345"
    response = client.patch(f"{URL}{pk}/", {"name": "接口改名岗", "holders": [{"person": world.member_person.pk}]},
                            format="json")
    assert response.status_code == 200, response.content
    assert [h["name"] for h in response.json()["holders"]] == ["李党员"]
    assert client.post(f"{URL}{pk}/disclose/", {"reason": "公示"}).json()["status"] == "disclosed"
    response = client.post(f"{URL}{pk}/name/", {"organization": world.root.pk, "named_on": "2026-02-01",
                                                "certificate_number": "API-1", "override_reason": "党组研究决定"})
    assert response.status_code == 200 and response.json()["status"] == "named", response.content
    response = client.post(f"{URL}{pk}/revoke/", {"reason": "两次测评不合格"})
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    events = PostEvent.objects.filter(post_id=pk).order_by("pk")
    assert [(e.action, e.actor) for e in events] == [
        ("create", world.office), ("update", world.office), ("disclose", world.office), ("name", world.office),
        ("revoke", world.office)]


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "handler", "member"])
def test_others_in_the_centre_cannot_write(api, world, posts, role):
    client = api(getattr(world, role))
    count, events = VanguardPost.objects.count(), PostEvent.objects.count()
    # A holder every one of them can see (the member themself), so the refusal is about the role.
    response = client.post(URL, body(world, holders=[{"person": world.member_person.pk}]), format="json")
    assert response.status_code == 403, response.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    assert client.patch(f"{URL}{posts.draft.pk}/", {"name": "黑"}, format="json").status_code == 403
    assert client.post(f"{URL}{posts.draft.pk}/disclose/").status_code == 403
    assert client.post(f"{URL}{posts.named.pk}/revoke/", {"reason": "x"}).status_code == 403
    assert (VanguardPost.objects.count(), PostEvent.objects.count()) == (count, events)


def test_outsider_cannot_touch_the_centre(api, world, posts):
    client = api(world.outsider)
    events = PostEvent.objects.count()
    assert client.patch(f"{URL}{posts.draft.pk}/", {"name": "黑"}, format="json").status_code == 404
    assert client.post(f"{URL}{posts.named.pk}/revoke/", {"reason": "x"}).status_code == 404
    # Naming people of another centre as holders reads as "does not exist".
    response = client.post(URL, body(world, centre=world.other_centre.pk), format="json")
    assert response.status_code == 400 and "holders" in response.json()
    assert PostEvent.objects.count() == events


def test_bad_input_is_a_chinese_400_and_changes_nothing(api, world, posts):
    client = api(world.office)
    count = VanguardPost.objects.count()
    response = client.post(URL, body(world, holders=[{"person": world.public_person.pk}]), format="json")
    assert response.status_code == 400 and "党员" in response.json()["holders"][0]
    response = client.post(URL, body(world, pledge_quality="长" * 51), format="json")
    assert response.status_code == 400 and "公示牌" in response.json()["pledge_quality"][0]
    assert VanguardPost.objects.count() == count
    response = client.post(f"{URL}{posts.disclosed.pk}/name/", {"organization": world.root.pk,
                                                                "named_on": "2026-02-01"})
    assert response.status_code == 400 and "证书编号" in response.json()["certificate_number"][0]
    client.post(f"{URL}{posts.named.pk}/revoke/", {"reason": "两次测评不合格"})
    response = client.post(f"{URL}{posts.named.pk}/name/", {"organization": world.root.pk, "named_on": "2026-02-01",
                                                            "certificate_number": "NEW-1"})
    assert response.status_code == 400 and "测评" in response.json()["override_reason"][0]
    assert VanguardPost.objects.get(pk=posts.named.pk).status == "revoked"
    evaluation = run_quarter(world, posts.named, 3, 5)
    response = client.post(f"{URL}{posts.named.pk}/name/", {"named_on": "2026-02-01",
                                                            "certificate_number": "NEW-1", "evaluation": evaluation.pk})
    assert response.status_code == 200 and response.json()["status"] == "named"
    # Without an organisation, the post's naming authority (here the centre's root) names it.
    assert response.json()["named_by"] == world.root.name


def test_projects_api(api, world, posts):
    client = api(world.office)
    response = client.post("/api/v1/projects/", {"name": "接口项目", "category": "public_benefit", "district": "东区",
                                                 "units": [world.home_unit.pk]}, format="json")
    assert response.status_code == 201, response.content
    data = client.get(f"/api/v1/projects/{posts.project.pk}/").json()
    assert data["posts"] == [posts.disclosed.pk] and data["category_display"] == "重点项目"
    assert api(world.member).post("/api/v1/projects/", {"name": "x", "district": "y"}, format="json"
                                  ).status_code == 403
