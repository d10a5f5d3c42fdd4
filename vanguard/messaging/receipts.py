"""Delivery receipts: from SMPP deliver_sm, Aliyun's push, Tencent's callback.

Each receipt is recorded once (channel + key unique): a replayed receipt is
recognised and changes nothing; a receipt naming no message we sent is
refused. A receipt never causes a re-send.

Receipts arrive by the hundred on an SMPP session during a broadcast, so a
batch is applied set-based: one lookup by reference, one by gateway id, one
INSERT ... ON CONFLICT DO NOTHING RETURNING (the keys it returns are the new
receipts, the rest are replays) and one UPDATE per outcome."""

import re
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from .models import Message, Receipt

REF_RE = re.compile(r"^vg(\d+)a(\d+)$")
CHUNK = 1000


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def find_messages(events):
    """{event index: message id} for the events naming a message we sent.

    By our reference when the channel echoes it (and its gateway id, if any,
    does not contradict the message's), else by gateway id (the newest message
    holding it)."""
    by_ref = {}
    for i, event in enumerate(events):
        match = REF_RE.match(event.ref) if event.ref else None
        if match:
            by_ref[i] = int(match[1])
    known = {}
    for part in _chunks(set(by_ref.values())):
        known.update(Message.objects.filter(pk__in=part).values_list("pk", "gateway_id"))
    found = {}
    for i, pk in by_ref.items():
        if pk in known and (not events[i].gateway_id or known[pk] in ("", events[i].gateway_id)):
            found[i] = pk
    wanted = {e.gateway_id for i, e in enumerate(events) if i not in found and e.gateway_id}
    newest = {}
    for part in _chunks(wanted):
        for pk, gateway_id in Message.objects.filter(gateway_id__in=part).values_list("pk", "gateway_id"):
            newest[gateway_id] = max(pk, newest.get(gateway_id, 0))
    for i, event in enumerate(events):
        if i not in found and event.gateway_id in newest:
            found[i] = newest[event.gateway_id]
    return found


def _insert_new(channel, rows, now):
    """Record the receipts; returns the keys that were new (not replays)."""
    table, key_column = Receipt._meta.db_table, connection.ops.quote_name("key")
    new = set()
    with connection.cursor() as cursor:
        for part in _chunks(rows):
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
            params = [value for key, pk, status in part for value in (channel, key, pk, status, now)]
            cursor.execute(f"INSERT INTO {table} (channel, {key_column}, message_id, status, received_at) VALUES {values} "
                           f"ON CONFLICT (channel, {key_column}) DO NOTHING RETURNING {key_column}", params)
            new.update(row[0] for row in cursor.fetchall())
    return new


def apply_events(channel, events):
    """Returns {"applied": n, "replayed": n, "unknown": [keys]}."""
    summary = {"applied": 0, "replayed": 0, "unknown": []}
    if not events:
        return summary
    now = timezone.now()
    found = find_messages(events)
    rows, seen = [], set()
    for i, event in enumerate(events):
        if i not in found:
            summary["unknown"].append(event.key)
            continue
        key = event.key[:150]
        if key in seen:  # the same report twice in one batch is a replay too
            summary["replayed"] += 1
            continue
        seen.add(key)
        rows.append((i, key))
    with transaction.atomic():
        new = _insert_new(channel, [(key, found[i], events[i].status) for i, key in rows], now)
        delivered, failed = set(), defaultdict(set)
        for i, key in rows:
            if key not in new:
                summary["replayed"] += 1
                continue
            summary["applied"] += 1
            if events[i].status == "delivered":
                delivered.add(found[i])
            else:
                failed[(events[i].error or "undelivered")[:200]].add(found[i])
        # Failures first, then deliveries: as one by one, "delivered" is final whatever the order.
        for error, pks in failed.items():
            for part in _chunks(pks - delivered):
                Message.objects.filter(pk__in=part).exclude(state=Message.State.DELIVERED).update(
                    state=Message.State.FAILED, error=error)
        for part in _chunks(delivered):
            Message.objects.filter(pk__in=part).exclude(state=Message.State.DELIVERED).update(
                state=Message.State.DELIVERED, delivered_at=now, error="")
    return summary
