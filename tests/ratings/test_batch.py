"""The batch path of POST /api/v1/ratings/ and services_batch.record_ratings_bulk."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from vanguard.core.models import AuditEntry
from vanguard.ratings import figures, services, services_batch
from vanguard.ratings.models import Rating, RectificationCase, SatisfactionStat, Transaction

from .conftest import import_one, rate

COUNT_FIELDS = ("dimension", "key", "period", "start", *figures.COUNTS)


def stats():
    return sorted(SatisfactionStat.objects.values_list(*COUNT_FIELDS))


def item(txn, level=5, **extra):
    return {"transaction": txn.number, "level": level, "channel": "device", **extra}


def test_batch_partial_refusals_are_answered_per_item(world, api, post):
    t1, t2, t3 = import_one(world), import_one(world), import_one(world)
    rate(t2, 4)
    batch = [item(t1), item(t2), {"transaction": "NOPE", "level": 5, "channel": "device"}, item(t3, 2),
             item(t1, 3)]
    response = api(world.office).post("/api/v1/ratings/", batch, format="json")
    assert response.status_code == 207
    results = response.json()
    assert [("id" in r, r.get("created")) for r in results] == [
        (True, True), (False, None), (False, None), (True, True), (False, None)]
    # Each refusal says why, in Chinese, naming the transaction.
    assert t2.number in results[1]["error"] and "已" in results[1]["error"]
    assert "NOPE" in results[2]["error"]
    assert t1.number in results[4]["error"] and "已" in results[4]["error"]
    assert Rating.objects.count() == 3
    assert Rating.objects.get(transaction=t1).level == 5
    assert Transaction.objects.filter(rated=True).count() == 3
    assert RectificationCase.objects.filter(rating__transaction=t3).exists()


def test_batch_all_refused_is_a_400_and_malformed_is_all_or_nothing(world, api, post):
    t1, t2 = import_one(world), import_one(world)
    rate(t1)
    response = api(world.office).post("/api/v1/ratings/", [item(t1)], format="json")
    assert response.status_code == 400 and t1.number in str(response.json())
    response = api(world.office).post("/api/v1/ratings/", [item(t2), item(t1, "x")], format="json")
    assert response.status_code == 400 and "2" in str(response.json())
    assert Rating.objects.count() == 1 and not Transaction.objects.get(pk=t2.pk).rated


def test_batch_replays_answer_with_the_first_rating(world, api, post):
    t1, t2 = import_one(world), import_one(world)
    first = api(world.office).post("/api/v1/ratings/", [item(t1, idempotency_key="k1")], format="json")
    assert first.status_code == 201
    batch = [item(t1, idempotency_key="k1"), item(t2, idempotency_key="k2")]
    response = api(world.office).post("/api/v1/ratings/", batch, format="json")
    assert response.status_code == 201
    again = response.json()
    assert again[0] == {"transaction": t1.number, "id": first.json()[0]["id"], "created": False}
    assert again[1]["created"] is True
    # Everything a replay: 200, nothing new.
    assert api(world.office).post("/api/v1/ratings/", batch, format="json").status_code == 200
    # A key reused for another transaction is refused for that item only.
    t3 = import_one(world)
    response = api(world.office).post("/api/v1/ratings/", [item(t3, idempotency_key="k1")], format="json")
    assert response.status_code == 400 and Rating.objects.count() == 2


def test_batch_figures_equal_per_item_figures(world, post):
    levels = [5, 4, 3, 2, 1, 5, 5, 3]
    one_by_one = [import_one(world) for _ in levels]
    batched = [import_one(world) for _ in levels]
    for txn, level in zip(one_by_one, levels, strict=True):
        services.record_rating(world.office, txn, level=level, channel="device")
    figures.fold_all()  # single ratings are counted by the fold
    per_item = stats()
    SatisfactionStat.objects.all().delete()
    services_batch.record_ratings_bulk(world.office, [world.centre.pk],
                                 [item(t, lv) for t, lv in zip(batched, levels, strict=True)])
    # Only the batch's ratings are in the figures now: the same counts as the one-by-one ratings.
    assert stats() == per_item
    # The batch is counted as it is written (the single ones by the fold), and the rebuild agrees.
    assert not Rating.objects.filter(counted=False).exists()
    figures.rebuild()
    doubled = [(*row[:4], *(2 * n for n in row[4:])) for row in per_item]
    assert stats() == doubled


def test_batch_places_and_signals_match_single_ratings(world, post, settings):
    single, batched = import_one(world), import_one(world)
    services.record_rating(world.office, single, level=5, channel="device")
    services_batch.record_ratings_bulk(world.office, [world.centre.pk], [item(batched)])
    fields = ("centre_id", "unit_id", "window_id", "floor_id", "person_id", "post_id", "branch_id", "flagged")
    assert Rating.objects.filter(transaction=single).values(*fields).get() == \
        Rating.objects.filter(transaction=batched).values(*fields).get()
    # The device signal, set-based: the earlier ratings and then the batch's own, in order.
    txns = [import_one(world) for _ in range(4)]
    limit = services.CONFIG["address_limit"]
    services.CONFIG["address_limit"] = 2
    try:
        services_batch.record_ratings_bulk(world.office, [world.centre.pk], [
            {**item(t), "channel": "web", "device": "kiosk-1"} for t in txns])
    finally:
        services.CONFIG["address_limit"] = limit
    flagged = [Rating.objects.get(transaction=t).flags for t in txns]
    assert flagged == [[], [], ["device"], ["device"]]


def test_batch_is_audited_and_only_for_the_office(world, post):
    t1, t2 = import_one(world), import_one(world)
    with pytest.raises(PermissionDenied):
        services_batch.record_ratings_bulk(world.handler, [world.centre.pk], [item(t1)])
    results = services_batch.record_ratings_bulk(world.office, [world.centre.pk], [item(t1), item(t2)])
    entry = AuditEntry.objects.get(verb="record-ratings")
    assert entry.actor == world.office and entry.centre_id == world.centre.pk
    assert entry.changes["ratings"][1] == [r["id"] for r in results]


def test_single_rating_is_audited_without_rater_data(world, post):
    txn = import_one(world)
    services.record_rating(world.office, txn, level=4, channel="device", rater_phone="13700001111")
    entry = AuditEntry.objects.get(verb="record-rating")
    assert entry.actor == world.office and "13700001111" not in str(entry.changes)


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_store_each_transaction_once(world, post):
    """Two batches racing over the same transactions: each transaction gets exactly one
    rating, every item is answered (stored by one, refused or replayed by the other),
    and the figures count each rating once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    txns = [import_one(world) for _ in range(30)]
    answers, barrier = {}, threading.Barrier(2)

    def send(name, order):
        try:
            barrier.wait()
            answers[name] = services_batch.record_ratings_bulk(world.office, [world.centre.pk],
                                                         [item(t, idempotency_key=f"{name}-{t.number}") for t in order])
        except ValidationError as e:
            answers[name] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=("a", txns)), threading.Thread(target=send, args=("b", txns[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [r for name in "ab" if isinstance(answers[name], list) for r in answers[name] if r.get("created")]
    assert len(created) == 30 and Rating.objects.count() == 30
    for answer in answers.values():  # a batch with every item refused is a ValidationError
        assert isinstance(answer, ValidationError) or len(answer) == 30
    assert figures.period_figures("centre", world.centre.pk, "year",
                                  Rating.objects.first().day)["total"] == 30


def test_batch_by_token_costs_a_fixed_number_of_queries(world, post, django_assert_max_num_queries):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.office).key}")
    batch = [item(import_one(world), 1 if i in (0, 20) else 5, idempotency_key=f"q{i}") for i in range(21)]
    # Steady state (a bad review first): the per-process maps of posts and branches and the working
    # calendar are loaded.
    assert client.post("/api/v1/ratings/", batch[20:], format="json").status_code == 201
    # The token (with the user and person), the grants, the transactions (with their ratings and
    # centres), the insert (marking the transactions on PostgreSQL), the case, two audit rows, the
    # figures, and the savepoint pair of the test's transaction: nothing per item or per key.
    # (SQLite: the key lookup, the insert, the update and the figures' read and upsert apart.)
    # Each audit row also reads the head of the audit trail's hash chain, under the chain's
    # advisory lock on PostgreSQL (vanguard.core.audit): two more queries each.
    limit = 14 if connection.vendor == "postgresql" else 15
    with django_assert_max_num_queries(limit):
        response = client.post("/api/v1/ratings/", batch[:20], format="json")
    assert response.status_code == 201 and Rating.objects.count() == 21
