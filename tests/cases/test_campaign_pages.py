"""Pages and API of review campaigns: the office (owner) manages its campaigns; a unit's handler
(member of the centre) is refused; the office of another centre (outsider) sees nothing. The
public questionnaire on a phone. The list costs no more queries with more rows."""

import datetime

import pytest
from django.utils import timezone

from tests.list_queries import assert_flat
from vanguard.cases import campaigns
from vanguard.cases.models import Campaign, Case

from .test_campaign import codes, make_campaign

pytestmark = pytest.mark.django_db


def test_the_office_creates_opens_and_closes_a_campaign_from_its_pages(client, world):
    client.force_login(world.office)
    today = timezone.localdate()
    response = client.post("/cases/campaigns/", {
        "title": "窗口作风评议", "starts_on": today.isoformat(), "ends_on": (today + datetime.timedelta(days=20)).isoformat(),
        "units": [world.home_unit.pk, world.department.pk], "quota_deputies": "3", "quota_enterprise": "2",
        "quota_public": "0", "quota_users": "5", "recent_days": "60"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/campaigns/{campaign.pk}/"
    action = f"/cases/campaigns/{campaign.pk}/action/"
    client.post(action, {"action": "open"})
    client.post(action, {"action": "codes", "kind": "deputies", "count": "2"})
    page = client.get(f"/cases/campaigns/{campaign.pk}/").content.decode()
    assert "窗口作风评议" in page and world.home_unit.name in page
    assert client.get(f"/cases/campaigns/{campaign.pk}/progress/").status_code == 200
    pdf = client.get(f"/cases/campaigns/{campaign.pk}/codes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Bad input comes back in Chinese, nothing applied.
    response = client.post(action, {"action": "codes", "kind": "deputies", "count": "9"}, follow=True)
    assert "名额" in response.content.decode()
    assert campaign.evaluation.invitations.count() == 2
    client.post(action, {"action": "close"})
    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.results.count() == 2


def test_creating_with_bad_input_says_why_in_chinese(client, world):
    client.force_login(world.office)
    response = client.post("/cases/campaigns/", {"title": "", "starts_on": "2026-13-40", "units": []}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "评议活动" in body and not Campaign.objects.exists()
    assert "标题" in body or "title" not in body


@pytest.mark.parametrize("path", ["/cases/campaigns/", "/cases/campaigns/{pk}/", "/cases/campaigns/{pk}/progress/",
                                  "/cases/campaigns/{pk}/codes.pdf"])
def test_owner_member_outsider(client, world, path):
    campaign = make_campaign(world)
    url = path.format(pk=campaign.pk)
    client.force_login(world.office)
    assert client.get(url).status_code == 200
    client.force_login(world.handler)
    assert client.get(url).status_code == (403 if path == "/cases/campaigns/" else 404)
    client.force_login(world.outsider)
    response = client.get(url)
    if path == "/cases/campaigns/":
        assert response.status_code == 200 and campaign.title not in response.content.decode()
    else:
        assert response.status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_members_and_outsiders_cannot_act(client, world):
    campaign = make_campaign(world, open_it=False)
    for user, status in ((world.handler, 404), (world.outsider, 404)):
        client.force_login(user)
        assert client.post(f"/cases/campaigns/{campaign.pk}/action/", {"action": "open"}).status_code == status
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_the_campaign_list_costs_no_more_queries_with_more_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    make_campaign(world, title="第一次评议")

    def grow():
        for i in range(3):
            make_campaign(world, title=f"追加评议{i}", open_it=bool(i % 2))
        return "追加评议2"

    assert_flat(client, "/cases/campaigns/", grow, django_assert_max_num_queries)


def test_the_questionnaire_on_a_phone(client, world):
    campaign = make_campaign(world)
    code, = codes(world, campaign, "public")
    home, dept = world.home_unit, world.department
    page = client.get(f"/review/{code}/", HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10) Mobile")
    body = page.content.decode()
    assert page.status_code == 200 and home.name in body and f'name="i_{home.pk}"' in body
    assert "viewport" in body
    # A missing rating: the page comes back with what was typed, the message beside the unit.
    response = client.post(f"/review/{code}/", {f"u_{home.pk}": "4", f"i_{home.pk}": "大厅太冷。"})
    assert response.status_code == 400 and "大厅太冷。" in response.content.decode()
    assert not Case.objects.filter(source_ref=campaign.ref).exists()
    response = client.post(f"/review/{code}/", {f"u_{home.pk}": "4", f"u_{dept.pk}": "dont_know",
                                                f"i_{home.pk}": "大厅太冷。"})
    assert response.status_code == 200
    assert Case.objects.get(source_ref=campaign.ref).unit_id == home.pk
    assert client.get(f"/review/{code}/").status_code == 400  # used
    assert client.get("/review/ZZZZZZZZZZ/").status_code == 400
    assert client.get(f"/review/{code}/stop/").status_code == 404  # not an SMS invitation


def test_api_owner_member_outsider(world, api):
    today = timezone.localdate()
    office = api(world.office)
    response = office.post("/api/v1/campaigns/", {
        "title": "API评议", "starts_on": today.isoformat(), "ends_on": today.isoformat(),
        "units": [world.home_unit.pk], "groups": {"deputies": 2, "public": 1}}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert office.post(f"/api/v1/campaigns/{pk}/open/").json()["status"] == "open"
    issued = office.post(f"/api/v1/campaigns/{pk}/codes/", {"kind": "deputies", "count": 2}, format="json")
    assert issued.status_code == 201 and len(issued.json()["codes"]) == 2
    campaigns.submit_review(issued.json()["codes"][0], levels={world.home_unit.pk: "2"},
                            issues={world.home_unit.pk: "服务态度差。"})
    detail = office.get(f"/api/v1/campaigns/{pk}/").json()
    assert detail["figures"]["reviewers"] == 1 and detail["figures"]["routed"] == 1
    assert detail["results"][0]["unit"] == world.home_unit.pk and detail["results"][0]["rank"] == 1
    bad = office.post(f"/api/v1/campaigns/{pk}/codes/", {"kind": "deputies", "count": 5}, format="json")
    assert bad.status_code == 400 and "名额" in str(bad.json())
    assert office.post("/api/v1/campaigns/", {"title": "x", "starts_on": today.isoformat(),
                                              "ends_on": today.isoformat(), "units": [world.other_person.pk + 999]},
                       format="json").status_code == 400
    assert len(office.get("/api/v1/campaigns/").json()["results"]) == 1
    assert api(world.handler).get(f"/api/v1/campaigns/{pk}/").status_code == 404
    assert api(world.handler).post("/api/v1/campaigns/", {}, format="json").status_code == 403
    assert api(world.outsider).get(f"/api/v1/campaigns/{pk}/").status_code == 404
    assert api(world.outsider).get("/api/v1/campaigns/").json()["results"] == []
    assert office.post(f"/api/v1/campaigns/{pk}/close/").json()["status"] == "closed"
    schema = office.get("/api/schema/", {"format": "json"})
    assert "/api/v1/campaigns/{id}/invite/" in schema.content.decode()
