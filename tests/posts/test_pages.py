"""Staff pages by role: the office (owner) reads and acts, members of the centre
read, the outsider (office of another centre) sees nothing of this centre and
cannot edit, the anonymous public is sent to log in."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from tests.surveys.conftest import run_quarter
from vanguard.posts.models import KeyProject, PostEvent, PostStandard, VanguardPost

from .conftest import PLEDGES

READERS = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member"]
NOT_MANAGERS = ["secretary", "scorer", "liaison", "handler", "member"]


def pages(posts):
    named, project, standard = posts.named, posts.project, posts.standard
    return [
        "/posts/", f"/posts/{named.pk}/", "/posts/projects/", "/posts/projects/map/", "/posts/projects/map.geojson", "/posts/standards/",
    ] + [f"/posts/projects/{project.pk}/", f"/posts/standards/{standard.pk}/"]


def test_anonymous_is_sent_to_log_in(client, posts):
    for url in pages(posts) + [f"/posts/{posts.named.pk}/certificate.pdf", "/posts/signboards.pdf?floor=1","/posts/new/", f"/posts/{posts.draft.pk}/edit/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/posts/{posts.disclosed.pk}/name/", {"certificate_number": "X"})
    assert response.status_code == 302
    assert VanguardPost.objects.get(pk=posts.disclosed.pk).status == "disclosed"


@pytest.mark.parametrize("role", READERS)
def test_centre_staff_read_every_page(login, world, posts, role):
    client = login(getattr(world, role))
    manager = role in ("admin", "office")
    for url in pages(posts)[:-2]:
        response = client.get(url)
        assert response.status_code == 200, (role, url)
    for url in pages(posts)[-2:]:  # the edit forms of projects and standards
        assert client.get(url).status_code == (200 if manager else 403), (role, url)
    html = client.get("/posts/").content.decode()
    assert all(name in html for name in ("草稿岗", "B01社保先锋岗", "A01企业开办先锋岗"))
    detail = client.get(f"/posts/{posts.named.pk}/").content.decode()
    assert ("/edit/" in detail) == manager and ("/revoke/" in detail) == manager
    assert "岗位履历" in detail


def test_outsider_sees_nothing_and_cannot_edit(login, world, posts):
    client = login(world.outsider)
    html = client.get("/posts/").content.decode()
    assert "A01企业开办先锋岗" not in html and "草稿岗" not in html
    for url in [f"/posts/{posts.named.pk}/", f"/posts/{posts.draft.pk}/edit/", *pages(posts)[-2:],
                f"/posts/{posts.named.pk}/certificate.pdf"]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/posts/signboards.pdf?floor={posts.named.floor_id}").status_code == 404
    assert "新区管廊工程" not in client.get("/posts/projects/map/").content.decode()
    assert client.get("/posts/projects/map.geojson").json()["features"] == []
    before = PostEvent.objects.count()
    for action, data in [("disclose", {}), ("name", {"organization": world.root.pk, "named_on": "2026-01-01",
                                                      "certificate_number": "X-9"}), ("revoke", {"reason": "x"})]:
        assert client.post(f"/posts/{posts.named.pk}/{action}/", data).status_code == 404
    assert client.post(f"/posts/{posts.draft.pk}/edit/", {"name": "黑"}).status_code == 404
    assert PostEvent.objects.count() == before


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_staff_who_are_not_the_office_cannot_edit(login, world, posts, role):
    client = login(getattr(world, role))
    before = PostEvent.objects.count()
    assert client.get("/posts/new/").status_code == 403
    assert client.get(f"/posts/{posts.draft.pk}/edit/").status_code == 403
    assert client.post(f"/posts/{posts.draft.pk}/disclose/").status_code == 403
    assert client.post(f"/posts/{posts.named.pk}/revoke/", {"reason": "x"}).status_code == 403
    assert client.get("/posts/projects/new/").status_code == 403
    assert client.get("/posts/standards/new/").status_code == 403
    assert PostEvent.objects.count() == before


def _form(world, **extra):
    return {"name": "页面新建岗", "kind": "window", "holders": [world.member_person.pk, world.secretary_person.pk],
            "window": world.window1.pk, "service_scope": "企业开办", "complaint_phone": "010-12345", **PLEDGES,
            **extra}


def test_office_creates_edits_and_walks_the_lifecycle(login, world, posts):
    client = login(world.office)
    response = client.post("/posts/new/", _form(world))
    assert response.status_code == 302
    post = VanguardPost.objects.get(name="页面新建岗")
    assert list(post.post_holders.values_list("person_id", flat=True)) == [world.member_person.pk,
                                                                            world.secretary_person.pk]
    response = client.post(f"/posts/{post.pk}/edit/", _form(world, name="页面改名岗"))
    assert response.status_code == 302
    assert client.post(f"/posts/{post.pk}/disclose/", {"reason": "公示"}).status_code == 302
    response = client.post(f"/posts/{post.pk}/name/", {"organization": world.root.pk, "named_on": "2026-02-01",
                                                       "certificate_number": "PAGE-1", "reason": "测评合格",
                                                       "override_reason": "首批创建，党组研究决定"})
    assert response.status_code == 302
    assert client.post(f"/posts/{post.pk}/revoke/", {"reason": "两次不合格", "revoked_on": "2026-03-01"}
                       ).status_code == 302
    post.refresh_from_db()
    assert post.status == "revoked" and post.revoked_by == world.office and post.revoked_on == datetime.date(
        2026, 3, 1)
    # Named again: only with a new evaluation.
    again = {"organization": world.root.pk, "named_on": "2026-04-01", "certificate_number": "PAGE-2"}
    response = client.post(f"/posts/{post.pk}/name/", again)
    assert response.status_code == 400 and "通过的季度测评" in response.content.decode()
    evaluation = run_quarter(world, post, 2, 5)
    assert client.post(f"/posts/{post.pk}/name/", {**again, "evaluation": evaluation.pk}).status_code == 302
    post.refresh_from_db()
    assert post.status == "named" and post.naming_evaluation == f"surveys.evaluation:{evaluation.pk}"
    assert post.naming_override_reason == ""
    html = client.get(f"/posts/{post.pk}/").content.decode()
    for text in ("创建", "修改", "公示", "命名", "撤销", "两次不合格", "测评合格", "office"):
        assert text in html, text


def test_bad_input_on_pages_shows_chinese_and_changes_nothing(login, world, posts):
    client = login(world.office)
    count = VanguardPost.objects.count()
    response = client.post("/posts/new/", _form(world, holders=[world.public_person.pk]))
    assert response.status_code == 400 and "陈群众：不是党员" in response.content.decode()
    response = client.post("/posts/new/", _form(world, pledge_work="长" * 60))
    assert response.status_code == 400 and "公示牌最多容纳" in response.content.decode()
    assert VanguardPost.objects.count() == count
    response = client.post(f"/posts/{posts.disclosed.pk}/name/", {
        "organization": world.root.pk, "named_on": "2026-02-01", "certificate_number": ""})
    assert response.status_code == 400 and "证书编号" in response.content.decode()
    assert VanguardPost.objects.get(pk=posts.disclosed.pk).status == "disclosed"


def test_list_filters_and_htmx_partial(login, world, posts):
    client = login(world.office)
    html = client.get("/posts/", {"status": "named"}).content.decode()
    assert "A01企业开办先锋岗" in html and "草稿岗" not in html
    html = client.get("/posts/", {"q": "张二层"}).content.decode()
    assert "B01社保先锋岗" in html and "A01企业开办先锋岗" not in html
    partial = client.get("/posts/", {"project": posts.project.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "B01社保先锋岗" in partial and "<html" not in partial


def test_office_edits_projects_and_standards(login, world, posts):
    client = login(world.office)
    response = client.post("/posts/projects/new/", {"name": "路桥工程", "category": "road_bridge", "district": "北区",
                                                    "units": [world.home_unit.pk]})
    assert response.status_code == 302
    assert KeyProject.objects.get(name="路桥工程").units.get() == world.home_unit
    response = client.post("/posts/projects/new/", {"name": "半坐标", "category": "key", "district": "北区",
                                                    "latitude": "25.1"})
    assert response.status_code == 400 and "经度" in response.content.decode()
    response = client.post("/posts/standards/new/", {"industry": "税务", "post_kind": "window", "title": "办税岗",
                                                     "text": "一次办好", "is_active": "on"})
    assert response.status_code == 302 and PostStandard.objects.filter(title="办税岗").exists()


def test_project_map_and_geojson(login, world, posts):
    client = login(world.office)
    html = client.get("/posts/projects/map/").content.decode()
    assert "echarts-5.6.0/echarts.min.js" in html and "新区管廊工程" in html and "测试区" in html
    data = client.get("/posts/projects/map.geojson").json()
    feature = data["features"][0]
    assert feature["geometry"]["coordinates"] == [102.71, 25.04]
    assert [p["name"] for p in feature["properties"]["posts"]] == ["B01社保先锋岗"]


@pytest.mark.parametrize("role", ["office", "member"])
def test_certificate_and_batch_signboards(login, world, posts, role):
    client = login(getattr(world, role))
    response = client.get(f"/posts/{posts.named.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert "XFG-2026-001" in text and "共产党员先锋岗" in text and "测试局党组" in text
    assert client.get(f"/posts/{posts.draft.pk}/certificate.pdf").status_code == 404
    # Floor 1 holds one public post, the home unit of window 1 the same; floor 2 the disclosed one.
    for query, count in [(f"floor={world.floor1.pk}&layout=a5", 1), (f"unit={world.home_unit2.pk}", 1)]:
        response = client.get(f"/posts/signboards.pdf?{query}")
        assert response.status_code == 200, query
        assert len(PdfReader(io.BytesIO(response.content)).pages) == count



def test_naming_and_revoking_ask_first(login, world, posts):
    """The name and revoke forms say what will happen before it happens (confirm.js asks)."""
    client = login(world.office)
    body = client.get(f"/posts/{posts.disclosed.pk}/").content.decode()
    assert "js/confirm.js" in body
    assert f"确定命名“{posts.disclosed.name}”吗" in body and f"确定撤销“{posts.disclosed.name}”吗" in body
