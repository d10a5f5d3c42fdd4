import pytest

from vanguard.ratings import figures
from vanguard.ratings.models import Rating, Transaction

from .conftest import import_one, rate

ITEM = {"number": "API-1", "service_item": "企业设立登记", "window": "A01", "person": "李党员",
        "accepted_at": "2026-09-30T09:00:00+08:00", "kind": "immediate", "user_kind": "company"}


def test_transactions_bulk_idempotent(world, api):
    client = api(world.office)
    response = client.post("/api/v1/transactions/", [ITEM, {**ITEM, "number": "API-2"}], format="json")
    assert response.status_code == 201 and response.json()["created"] == 2
    response = client.post("/api/v1/transactions/", [ITEM], format="json")
    assert response.status_code == 200 and response.json()["existing"] == ["API-1"]
    assert Transaction.objects.count() == 2


def test_transactions_unknown_window(world, api):
    response = api(world.office).post("/api/v1/transactions/", [{**ITEM, "window": "ZZ"}], format="json")
    assert response.status_code == 400 and "ZZ" in str(response.json())
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("who, status", [("handler", 403), ("member", 403), ("outsider", 400)])
def test_transactions_create_access(world, api, who, status):
    response = api(getattr(world, who)).post("/api/v1/transactions/", [ITEM], format="json")
    assert response.status_code == status
    assert not Transaction.objects.filter(centre=world.centre).exists()


def test_anonymous_api(world, api):
    for url in ("/api/v1/transactions/", "/api/v1/ratings/", "/api/v1/ratings/figures/", "/api/v1/rectifications/",
                "/api/v1/evaluations/"):
        assert api().get(url).status_code == 401


def test_transaction_list_scoping_and_rater_data(world, api, txn):
    Transaction.objects.filter(pk=txn.pk).update(rater_phone="13711112222")
    assert api(world.handler).get("/api/v1/transactions/").json()["results"][0]["rater_phone"] == "13711112222"
    assert "rater_phone" not in api(world.office).get("/api/v1/transactions/").json()["results"][0]
    assert api(world.outsider).get("/api/v1/transactions/").json()["results"] == []
    assert api(world.outsider).get(f"/api/v1/transactions/{txn.pk}/").status_code == 404


def test_rating_with_idempotency_key(world, api, txn):
    client = api(world.office)
    body = {"transaction": txn.number, "level": 5, "channel": "device", "scores": {"attitude": 5}}
    first = client.post("/api/v1/ratings/", body, format="json", HTTP_IDEMPOTENCY_KEY="dev-1-0001")
    again = client.post("/api/v1/ratings/", body, format="json", HTTP_IDEMPOTENCY_KEY="dev-1-0001")
    assert first.status_code == 201 and again.status_code == 200 and first.json()["id"] == again.json()["id"]
    other = client.post("/api/v1/ratings/", body, format="json", HTTP_IDEMPOTENCY_KEY="dev-1-0002")
    assert other.status_code == 400 and Rating.objects.count() == 1


@pytest.mark.parametrize("body", [
    {"level": 7, "channel": "device"}, {"level": 0, "channel": "device"}, {"level": 3, "channel": "pigeon"},
    {"level": 3, "channel": "device", "reasons": ["bribe"]},
])
def test_rating_bad_input(world, api, txn, body):
    response = api(world.office).post("/api/v1/ratings/", {"transaction": txn.number, **body}, format="json")
    assert response.status_code == 400 and not Rating.objects.exists()


def test_rating_unknown_transaction_and_access(world, api, txn):
    body = {"transaction": "NOPE", "level": 5, "channel": "device"}
    assert api(world.office).post("/api/v1/ratings/", body, format="json").status_code == 400
    body["transaction"] = txn.number
    assert api(world.handler).post("/api/v1/ratings/", body, format="json").status_code == 403
    assert api(world.outsider).post("/api/v1/ratings/", body, format="json").status_code == 400
    assert not Rating.objects.exists()


def test_rating_batch_all_or_nothing(world, api, post):
    t1, t2 = import_one(world), import_one(world)
    batch = [{"transaction": t1.number, "level": 5, "channel": "device"},
             {"transaction": t2.number, "level": 8, "channel": "device"}]
    assert api(world.office).post("/api/v1/ratings/", batch, format="json").status_code == 400
    assert not Rating.objects.exists()
    batch[1]["level"] = 4
    assert api(world.office).post("/api/v1/ratings/", batch, format="json").status_code == 201
    assert Rating.objects.count() == 2


def test_figures_endpoint(world, api, post):
    rate(import_one(world), 5)
    rate(import_one(world), 2)
    figures.fold_all()
    data = api(world.office).get(f"/api/v1/ratings/figures/?unit={world.home_unit.pk}&period=year").json()
    assert data["rows"][0]["total"] == 2 and data["rows"][0]["rate"] == "50.00" and data["definition"]
    assert api(world.handler).get(f"/api/v1/ratings/figures/?unit={world.home_unit.pk}").status_code == 200
    assert api(world.handler).get(f"/api/v1/ratings/figures/?unit={world.home_unit2.pk}").status_code == 403
    assert api(world.outsider).get(f"/api/v1/ratings/figures/?unit={world.home_unit.pk}").status_code == 404
    assert api(world.office).get("/api/v1/ratings/figures/?period=week").status_code == 400
    assert api(world.member).get(f"/api/v1/ratings/figures/?post={post.pk}").status_code == 403


def test_rectifications_endpoint(world, api, post):
    rating = rate(import_one(world), 1)
    pk = rating.case.pk
    assert api(world.outsider).get(f"/api/v1/rectifications/{pk}/").status_code == 404
    assert api(world.member).get(f"/api/v1/rectifications/{pk}/").status_code == 404
    assert api(world.office).post(f"/api/v1/rectifications/{pk}/verify/", {"verification": "x"}).status_code == 403
    response = api(world.handler).post(f"/api/v1/rectifications/{pk}/verify/", {"verification": "属实"})
    assert response.status_code == 200 and response.json()["state"] == "rectifying"
    assert api(world.handler).post(f"/api/v1/rectifications/{pk}/verify/", {"verification": "x"}).status_code == 400
    response = api(world.handler).post(f"/api/v1/rectifications/{pk}/request-set-aside/", {"reason": "恶意"})
    assert response.json()["state"] == "requested"
    response = api(world.office).post(f"/api/v1/rectifications/{pk}/decide/", {"approve": True}, format="json")
    assert response.json()["state"] == "set_aside"


def test_rating_batch_replay_and_second_rating(world, api, post):
    t1, t2 = import_one(world), import_one(world)
    batch = [{"transaction": t1.number, "level": 5, "channel": "device", "idempotency_key": "b-1"},
             {"transaction": t2.number, "level": 2, "channel": "device", "idempotency_key": "b-2"}]
    first = api(world.office).post("/api/v1/ratings/", batch, format="json").json()
    again = api(world.office).post("/api/v1/ratings/", batch, format="json").json()
    assert [r["created"] for r in first] == [True, True] and [r["created"] for r in again] == [False, False]
    assert [r["id"] for r in first] == [r["id"] for r in again]
    other_key = [{**batch[0], "idempotency_key": "b-3"}]
    response = api(world.office).post("/api/v1/ratings/", other_key, format="json")
    assert response.status_code == 400 and t1.number in str(response.json())
    assert Rating.objects.count() == 2 and Rating.objects.get(transaction=t2).case.state == "verifying"
