"""/api/v1/pledges/ and /api/v1/letters/: the same services and scoping as the pages."""

import pytest

from vanguard.pledges import services
from vanguard.pledges.models import Pledge

from .conftest import deadline, make, this_year


@pytest.fixture
def api(client):
    from rest_framework.test import APIClient

    def _api(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    return _api


def test_member_makes_and_reads_own(api, world):
    c = api(world.member)
    r = c.post("/api/v1/pledges/", {"year": this_year(), "what": "帮老人", "deadline": deadline().isoformat(),
                                    "measure": ""}, format="json")
    assert r.status_code == 400 and "measure" in r.json()
    r = c.post("/api/v1/pledges/", {"year": this_year(), "what": "帮老人", "deadline": deadline().isoformat(),
                                    "measure": "20位"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    pk = r.json()["id"]
    assert c.get(f"/api/v1/pledges/{pk}/").status_code == 200
    assert api(world.outsider).get(f"/api/v1/pledges/{pk}/").status_code == 404
    assert c.post(f"/api/v1/pledges/{pk}/review/", {"approve": True}, format="json").status_code == 403
    assert c.post(f"/api/v1/pledges/{pk}/progress/", {"text": "x"}, format="json").status_code == 400


def test_secretary_reviews_judges_and_figures(api, world):
    pledge = make(world)
    c = api(world.secretary)
    assert c.post(f"/api/v1/pledges/{pledge.pk}/review/", {"approve": True}, format="json").status_code == 200
    r = c.post(f"/api/v1/pledges/{pledge.pk}/judge/", {"stage": "year_end", "result": "kept", "reason": ""},
               format="json")
    assert r.status_code == 400
    r = c.post(f"/api/v1/pledges/{pledge.pk}/judge/", {"stage": "year_end", "result": "kept", "reason": "已兑现"},
               format="json")
    assert r.json()["result"] == "kept"
    figures = api(world.office).get(f"/api/v1/pledges/figures/?year={this_year()}&by=branch").json()
    assert figures["total"]["kept"] == 1 and figures["total"]["rate"] == "100.0"
    assert api(world.member).get("/api/v1/pledges/figures/").status_code == 403
    assert api(world.outsider).get("/api/v1/pledges/figures/").json()["total"]["made"] == 0


def test_letters_api(api, world):
    c = api(world.office)
    body = {"year": this_year(), "unit": world.home_unit.pk, "targets": [
        {"section": "party", "text": "三会一课", "measure": "按时", "weight": 60},
        {"section": "integrity", "text": "廉洁", "measure": "无违纪", "weight": 30}]}
    r = c.post("/api/v1/letters/", body, format="json")
    assert r.status_code == 400 and "targets" in r.json()
    body["targets"][1]["weight"] = 40
    r = c.post("/api/v1/letters/", body, format="json")
    assert r.status_code == 201
    pk = r.json()["id"]
    r = c.post(f"/api/v1/letters/{pk}/sign/", {"signatory": "张局长", "signed_on": "2026-01-01"}, format="json")
    assert r.status_code == 400
    assert c.post(f"/api/v1/letters/{pk}/send/").json()["status"] == "sent"
    assert api(world.member).post(f"/api/v1/letters/{pk}/send/").status_code in (403, 404)
    assert api(world.outsider).get(f"/api/v1/letters/{pk}/").status_code == 404
    assert api(world.liaison).get(f"/api/v1/letters/{pk}/").status_code == 200
    assert Pledge.objects.count() == 0 and services  # nothing else touched
