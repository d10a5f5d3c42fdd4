"""The sending loop is set-based: a chunk of messages is claimed, recorded and
its receipts applied in a fixed number of statements, whatever its size, and
without weakening "handed over at most once"."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.messaging import dispatch, services
from vanguard.messaging.channels import ReceiptEvent, Result, local
from vanguard.messaging.models import Message, Receipt
from vanguard.messaging.receipts import apply_events
from vanguard.org.models import Person


def broadcast_to(world, extra):
    """A started broadcast to the centre's six staff plus `extra` more people."""
    Person.objects.bulk_create([Person(centre=world.centre, name=f"群众{i}", mobile=f"137{i:08d}")
                                for i in range(extra)])
    broadcast = services.create_broadcast(world.office, world.centre, title="通知", text="请按时参加学习。")
    assert dispatch.start_due() == [broadcast.pk]
    return broadcast


def queries_to_send(world, extra):
    broadcast_to(world, extra)
    with CaptureQueriesContext(connection) as ctx:
        sent = dispatch.send_pending(budget_seconds=30)
    assert sent == 6 + extra
    return len(ctx.captured_queries)


def test_sending_a_chunk_takes_the_same_statements_for_6_or_300(world):
    few = queries_to_send(world, 0)
    Message.objects.all().delete()
    many = queries_to_send(world, 294)
    assert many == few, (few, many)
    assert len(local.outbox) == 306 and len({o.ref for o in local.outbox}) == 306
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    assert not Message.objects.exclude(claim_token="").exists()


class Mixed(local.LocmemBackend):
    """Answers each message by its position: ok, throttled, unknown, refused, no answer."""

    def send(self, batch):
        results = []
        for i, item in enumerate(batch):
            kind = i % 5
            if kind == 0:
                results.append(Result(ref=item.ref, ok=True, gateway_id=f"gw-{item.ref}"))
            elif kind == 1:
                results.append(Result(ref=item.ref, transient=True, error="SMPP status 0x58"))
            elif kind == 2:
                results.append(Result(ref=item.ref, unknown=True, error="SMPP: timed out"))
            elif kind == 3:
                results.append(Result(ref=item.ref, error="SMPP status 0x0b"))
        return results


def test_every_outcome_of_a_chunk_is_recorded_in_few_statements(world):
    broadcast = broadcast_to(world, 44)
    token, messages = dispatch.claim([broadcast.pk], limit=50)
    assert len(messages) == 50 and [m.pk for m in messages] == sorted(m.pk for m in messages)
    assert Message.objects.filter(claim_token=token, state="sending").count() == 50
    results = Mixed().send([dispatch.Outgoing(ref=m.client_ref, mobile=m.mobile, text=m.text) for m in messages])
    now = timezone.now()
    with CaptureQueriesContext(connection) as ctx:
        dispatch.record_results(token, messages, results, now=now)
    # One UPDATE for what went, one per other outcome (+ savepoint handling).
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]) == 5
    rows = {m.pk: m for m in Message.objects.filter(broadcast=broadcast)}
    for i, claimed in enumerate(messages):
        row = rows[claimed.pk]
        assert row.claim_token == "" and row.attempts == 1
        expected = ["sent", "retry", "unknown", "failed", "unknown"][i % 5]
        assert row.state == expected, (i, row.state)
        if expected == "sent":
            assert row.gateway_id == f"gw-vg{row.pk}a1" and row.sent_at == now and row.error == ""
        elif expected == "retry":
            assert row.next_attempt_at == now + datetime.timedelta(seconds=dispatch.backoff(1))
            assert row.error == "SMPP status 0x58"
        elif i % 5 == 2:
            assert row.error == "SMPP: timed out"
        elif i % 5 == 4:
            assert row.error == "no result from channel"
        else:
            assert row.error == "SMPP status 0x0b"


def test_results_of_a_claim_taken_over_are_not_written(world, settings):
    broadcast = broadcast_to(world, 0)
    token, messages = dispatch.claim([broadcast.pk], limit=6)
    # The worker stalls past the lease; a recoverer settles its claim as unknown (SMPP cannot be asked).
    later = timezone.now() + datetime.timedelta(seconds=settings.SMS["CLAIM_LEASE_SECONDS"] + 1)

    class CannotAsk(local.LocmemBackend):
        can_reconcile = False

    assert dispatch.recover_stale(CannotAsk(), now=later) == 6
    assert dispatch.recover_stale(CannotAsk(), now=later) == 0  # nothing left to take over
    dispatch.record_results(token, messages, [Result(ref=m.client_ref, ok=True, gateway_id="late")
                                              for m in messages])
    assert set(Message.objects.filter(broadcast=broadcast).values_list("state", "gateway_id")) == {("unknown", "")}
    assert dispatch.send_pending(budget_seconds=5) == 0  # never re-sent by itself


def test_limit_hands_over_exactly_that_many(world):
    broadcast_to(world, 10)
    assert dispatch.send_pending(budget_seconds=5, limit=7) == 7
    assert len(local.outbox) == 7
    assert Message.objects.filter(state="queued").count() == 9


def test_receipts_are_applied_in_bulk(world):
    broadcast = broadcast_to(world, 94)
    dispatch.send_pending(budget_seconds=5)
    messages = list(Message.objects.filter(broadcast=broadcast).order_by("pk"))
    assert all(m.gateway_id == m.client_ref for m in messages)  # locmem's gateway id
    Receipt.objects.create(channel="smpp", key=f"{messages[0].gateway_id}:DELIVRD", message=messages[0],
                           status="delivered")
    events = [ReceiptEvent(key=f"{m.gateway_id}:DELIVRD", gateway_id=m.gateway_id, status="delivered")
              for m in messages[:60]]
    events += [ReceiptEvent(key=f"{m.gateway_id}:UNDELIV", gateway_id=m.gateway_id, status="failed",
                            error="UNDELIV err:001") for m in messages[60:]]
    events += [events[1], ReceiptEvent(key="nobody:DELIVRD", gateway_id="nobody", status="delivered"),
               # Delivered wins over a failure reported for the same message.
               ReceiptEvent(key=f"{messages[1].gateway_id}:UNDELIV", gateway_id=messages[1].gateway_id,
                            status="failed", error="late")]
    with CaptureQueriesContext(connection) as ctx:
        summary = apply_events("smpp", events)
    assert len(ctx.captured_queries) <= 8
    # messages[0]'s receipt was recorded before: a replay; events[1] twice in the batch: a replay.
    assert summary == {"applied": 100, "replayed": 2, "unknown": ["nobody:DELIVRD"]}
    states = dict(Message.objects.filter(broadcast=broadcast).values_list("pk", "state"))
    assert [states[m.pk] for m in messages] == ["sent"] + ["delivered"] * 59 + ["failed"] * 40
    assert Message.objects.get(pk=messages[70].pk).error == "UNDELIV err:001"
    assert Receipt.objects.count() == 101
    assert apply_events("smpp", events[:3]) == {"applied": 0, "replayed": 3, "unknown": []}


def test_receipt_by_our_reference(world):
    broadcast = broadcast_to(world, 0)
    dispatch.send_pending(budget_seconds=5)
    message = Message.objects.filter(broadcast=broadcast).first()
    wrong = ReceiptEvent(key="k1", ref=message.client_ref, gateway_id="someone-else", status="delivered")
    right = ReceiptEvent(key="k2", ref=message.client_ref, status="delivered")
    assert apply_events("aliyun", [wrong])["unknown"] == ["k1"]
    assert apply_events("aliyun", [right])["applied"] == 1
    assert Message.objects.get(pk=message.pk).state == "delivered"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent claims with SKIP LOCKED: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_hand_over_disjoint_chunks(world):
    broadcast_to(world, 1994)
    barrier = threading.Barrier(3)
    errors = []

    def sender():
        try:
            barrier.wait()
            dispatch.send_pending(budget_seconds=30, backend=local.LocmemBackend(), limit=None)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    refs = [o.ref for o in local.outbox]
    assert len(refs) == len(set(refs)) == 2000
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
