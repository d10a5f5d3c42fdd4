"""The API (/api/v1/cases/) and the Open311 GeoReport v2 endpoint, the latter driven by the
GeoReport v2 specification's own examples (https://wiki.open311.org/GeoReport_v2)."""

from urllib.parse import urlencode

import pytest
from rest_framework.authtoken.models import Token

from vanguard.cases import services
from vanguard.cases.models import Case

from .conftest import complaint


def test_an_integration_transfers_a_12345_work_order(api, world, post):
    response = api(world.office).post("/api/v1/cases/", {
        "kind": "complaint", "content": "市民来电反映窗口排队时间过长", "source_ref": "12345-20261102-0088",
        "post": post.code, "contact_mobile": "13912345678"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "api" and body["unit"] == world.home_unit.pk and body["status"] == "dispatched"
    assert body["contact_mobile"] == "13912345678" and body["public_url"].endswith(f"/c/{body['number']}/")
    # The handler's token, a member and anonymous cannot create.
    assert api(world.handler).post("/api/v1/cases/", {"kind": "complaint", "content": "x"}, format="json"
                                   ).status_code == 403
    assert api(world.member).post("/api/v1/cases/", {"kind": "complaint", "content": "x"}, format="json"
                                  ).status_code == 403
    assert api().post("/api/v1/cases/", {"kind": "complaint", "content": "x"}, format="json").status_code == 401
    bad = api(world.office).post("/api/v1/cases/", {"kind": "complaint", "content": "  "}, format="json")
    assert bad.status_code == 400 and Case.objects.count() == 1


def test_list_detail_and_actions_by_role(api, world, post):
    case = complaint(world, post=post, contact_mobile="13912345678")
    other = complaint(world, unit=world.home_unit2)
    office, handler, liaison = api(world.office), api(world.handler), api(world.liaison)
    assert {c["number"] for c in office.get("/api/v1/cases/").json()["results"]} == {case.number, other.number}
    assert [c["number"] for c in handler.get("/api/v1/cases/?queue=1").json()["results"]] == [case.number]
    assert liaison.get(f"/api/v1/cases/{case.pk}/").json()["contact_mobile"] == ""
    assert handler.get(f"/api/v1/cases/{case.pk}/").json()["contact_mobile"] == "13912345678"
    assert api(world.outsider).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api(world.member).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert handler.get(f"/api/v1/cases/{other.pk}/").status_code == 404
    assert handler.get("/api/v1/cases/abc/").status_code == 404
    # Return without a reason: 400 in Chinese; with one: the office re-dispatches.
    response = handler.post(f"/api/v1/cases/{case.pk}/return/", {"reason": ""}, format="json",
                            HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "退单理由" in str(response.json())
    assert handler.post(f"/api/v1/cases/{case.pk}/return/", {"reason": "非本单位事项"}, format="json"
                        ).json()["status"] == "returned"
    assert handler.post(f"/api/v1/cases/{case.pk}/dispatch/", {"unit": world.home_unit.pk}, format="json"
                        ).status_code == 403
    assert office.post(f"/api/v1/cases/{case.pk}/dispatch/", {"unit": world.home_unit.pk}, format="json"
                       ).json()["status"] == "dispatched"
    assert liaison.post(f"/api/v1/cases/{case.pk}/accept/").status_code == 403
    assert handler.post(f"/api/v1/cases/{case.pk}/accept/").json()["status"] == "accepted"
    body = handler.post(f"/api/v1/cases/{case.pk}/answer/", {"answer": "已处理", "upheld": True,
                                                                "broken_pledge": "time"}, format="json").json()
    assert body["status"] == "answered" and body["upheld"] is True
    assert office.post(f"/api/v1/cases/{case.pk}/call-back/", {"result": "satisfied"}, format="json"
                       ).json()["status"] == "closed"
    late = handler.post(f"/api/v1/cases/{case.pk}/answer/", {"answer": "补充"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert late.status_code == 400 and "已办结" in str(late.json())


# Open311 GeoReport v2 -------------------------------------------------------------------

# The specification's example of "POST Service Request" (its api_key, jurisdiction and service
# code replaced by ours: a jurisdiction's own codes come from its services.json).
SPEC_POST = ("api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
             "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
             "&first_name=john&last_name=smith&phone=111111111"
             "&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fexample.com%2Fimage.jpg"
             "&attribute[WHISQU]=1234")


def _ours(body, **replace):
    from urllib.parse import parse_qsl

    pairs = [(k, replace.get(k, v)) for k, v in parse_qsl(body, keep_blank_values=True)]
    return urlencode(pairs)


@pytest.fixture
def token(world):
    return Token.objects.create(user=world.office).key


def test_open311_services_follow_the_spec(client, world):
    services_ = client.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services_} == {"complaint", "suggestion", "help", "praise"}
    for service in services_:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords",
                                "group"}
        assert service["type"] == "realtime" and service["metadata"] is False


def test_the_specs_example_request_is_accepted_and_can_be_followed(client, world, token):
    body = _ours(SPEC_POST, api_key=token, jurisdiction_id=world.centre.code, service_code="complaint")
    response = client.post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert isinstance(answer, list) and set(answer[0]) == {"service_request_id", "service_notice", "account_id"}
    number = answer[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.source == "api" and case.kind == "complaint" and case.source_ref == "tt222111"
    assert "A large sinkhole is destroying the street" in case.content and "1234 5th street" in case.content
    assert case.contact_name == "smith john" and case.contact_mobile == ""  # 111111111 is no mainland mobile
    # Followed: the spec's "GET Service Request" and "GET Service Requests" by id.
    one = client.get(f"/open311/v2/requests/{number}.json").json()
    assert len(one) == 1 and one[0]["service_request_id"] == number and one[0]["status"] == "open"
    for field in ("status_notes", "service_name", "service_code", "description", "agency_responsible",
                  "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "zipcode", "lat", "long", "media_url"):
        assert field in one[0]
    assert "smith" not in str(one) and "john" not in str(one)
    listed = client.get("/open311/v2/requests.json", {"service_request_id": number}).json()
    assert [r["service_request_id"] for r in listed] == [number]
    # The spec's list example, with the api_key of the office: open requests in a period.
    now = case.received_at.strftime("%Y-%m-%dT00:00:00Z")
    found = client.get(f"/open311/v2/requests.json?api_key={token}&start_date={now}&status=open").json()
    assert number in [r["service_request_id"] for r in found]
    # The unit answers; the follower sees it closed with the answer as its status notes.
    assert one[0]["agency_responsible"] == ""  # no post named: the office dispatches it
    case = services.accept_case(world.handler, services.dispatch_case(world.office, case, unit=world.home_unit))
    services.answer_case(world.handler, case, answer="路面已修复", upheld=True)
    row = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert row["status"] == "closed" and row["status_notes"]  # no mobile to call back: closed with its answer
    assert "路面已修复" in client.get(f"/c/{number}/").content.decode()
    assert row["agency_responsible"] == world.home_unit.name


def test_open311_errors_use_its_format(client, world, token):
    unknown = client.post("/open311/v2/requests.json", _ours(
        SPEC_POST, api_key=token, jurisdiction_id=world.centre.code),  # service_code=001 is not ours
        content_type="application/x-www-form-urlencoded")
    assert unknown.status_code == 400
    assert unknown.json()[0]["code"] == 400 and "service_code" in unknown.json()[0]["description"]
    no_key = client.post("/open311/v2/requests.json", _ours(SPEC_POST, service_code="complaint"),
                         content_type="application/x-www-form-urlencoded")
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    empty = client.post("/open311/v2/requests.json", _ours(
        SPEC_POST, api_key=token, jurisdiction_id=world.centre.code, service_code="complaint", description=""),
        content_type="application/x-www-form-urlencoded")
    assert empty.status_code == 400 and Case.objects.count() == 0
    assert client.get("/open311/v2/requests/AAAA-BBBB-CCCC.json").json()[0]["code"] == 404
    assert client.get("/open311/v2/requests.json").status_code == 403  # no key, no ids: no list
    bad_date = client.get(f"/open311/v2/requests.json?api_key={token}&start_date=yesterday")
    assert bad_date.status_code == 400 and bad_date.json()[0]["code"] == 400
