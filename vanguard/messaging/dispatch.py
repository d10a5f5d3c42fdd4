"""Sending broadcasts, once.

The guarantee: a message is handed to the gateway AT MOST ONCE per attempt,
and a queued message is never lost, even when a worker is killed at any point
or several workers run at once. How:

1. Resolving: at send time the audience becomes one `queued` Message per
   person with a valid mobile, in one INSERT ... SELECT (set-based); the
   broadcast moves to `sending` in the same transaction, so a crash leaves
   either no messages or all of them.
2. Claiming: a worker claims a small batch with one UPDATE that moves rows
   from queued/retry to `sending`, stamps its claim token and time, and
   counts the attempt. On PostgreSQL the rows are picked with
   `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint batches; on
   SQLite writers are serialised, so the conditional UPDATE is the claim.
   The claim COMMITS before the gateway is called.
3. Handing over: the gateway is called with our client reference
   (`vg<id>a<attempt>`). The outcome is written back conditionally on the
   claim token: sent / failed / retry (only when the gateway certainly did
   not take it) / unknown (it may have).
4. Recovering: a message still `sending` after the claim lease
   (SMS["CLAIM_LEASE_SECONDS"], longer than any gateway call may take) belongs
   to a dead worker. It is never re-sent blindly: where the channel can be
   asked by client reference (file, locmem, Aliyun OutId via
   QuerySendDetails, Tencent SessionContext via PullSmsSendStatus), a handoff
   the gateway has becomes `sent`, and one it certainly lacks goes back to
   `queued`. Where it cannot (SMPP has no query by client reference), the
   message becomes `unknown` and is shown to the office, who may re-send it
   deliberately ("re-send failures" does not touch unknown ones).

So per message: no duplicate handoff, and nothing queued stays unsent
except what a channel cannot reconcile, which is listed as unknown."""

import datetime
import logging
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from .channels import Outgoing, Result, get_backend
from .models import Broadcast, Message

logger = logging.getLogger(__name__)

BATCH = 100
BATCH_UNLIMITED = 500
ACTIVE = (Message.State.QUEUED, Message.State.RETRY, Message.State.SENDING)


def backoff(attempts):
    """Seconds before retry number `attempts`: 30 s, 60 s, 120 s ... at most 15 minutes."""
    return min(30 * 2 ** max(attempts - 1, 0), 900)


def parse_quiet_hours(text):
    if not text or "-" not in text:
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in text.split("-", 1))
    return start, end


def in_quiet_hours(moment=None, text=None):
    window = parse_quiet_hours(settings.SMS["QUIET_HOURS"] if text is None else text)
    if window is None:
        return False
    start, end = window
    local = timezone.localtime(moment or timezone.now()).time()
    return (start <= local < end) if start < end else (local >= start or local < end)


# 1. Resolving --------------------------------------------------------------------------


def start_due(now=None):
    """Resolve every scheduled broadcast whose time has come. Returns their ids."""
    from .audience import resolve

    now = now or timezone.now()
    started = []
    for pk in Broadcast.objects.filter(state=Broadcast.State.SCHEDULED, send_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            # Only one worker resolves a broadcast: the row lock (PostgreSQL) or the
            # conditional state change (SQLite) decides.
            won = Broadcast.objects.filter(pk=pk, state=Broadcast.State.SCHEDULED).update(
                state=Broadcast.State.SENDING, resolved_at=timezone.now())
            if not won:
                continue
            broadcast = Broadcast.objects.get(pk=pk)
            resolve(broadcast)
            if broadcast.lesson_id:
                from .models import Lesson
                Lesson.objects.filter(pk=broadcast.lesson_id, status=Lesson.Status.SCHEDULED).exclude(
                    broadcasts__state=Broadcast.State.SCHEDULED).update(status=Lesson.Status.SENT)
        started.append(pk)
    return started


# 2. Claiming ------------------------------------------------------------------------------


def sendable_broadcasts(now=None):
    """Broadcasts whose messages may be claimed now (not paused or cancelled; urgent only in quiet hours)."""
    qs = Broadcast.objects.filter(state=Broadcast.State.SENDING)
    if in_quiet_hours(now):
        qs = qs.filter(urgent=True)
    return list(qs.values_list("pk", flat=True))


def claim(broadcast_ids, limit=BATCH, now=None):
    """Claim up to `limit` due messages of these broadcasts; returns (token, messages)."""
    if not broadcast_ids:
        return None, []
    now = now or timezone.now()
    token = uuid.uuid4().hex
    table = Message._meta.db_table
    ids = ",".join(str(int(pk)) for pk in broadcast_ids)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {table} SET state = %s, claim_token = %s, claimed_at = %s, attempts = attempts + 1 "
        f"WHERE state IN (%s, %s) AND id IN ("
        f"SELECT id FROM {table} WHERE broadcast_id IN ({ids}) AND state IN (%s, %s) "
        f"AND (next_attempt_at IS NULL OR next_attempt_at <= %s) LIMIT %s{lock}) RETURNING id"
    )
    params = [Message.State.SENDING, token, now, Message.State.QUEUED, Message.State.RETRY,
              Message.State.QUEUED, Message.State.RETRY, now, limit]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    # By primary key (RETURNING), not by token: no scan of the claim index's dead entries.
    messages = list(Message.objects.filter(pk__in=ids).select_related("broadcast")
                    .only("pk", "mobile", "attempts", "broadcast__text")) if ids else []
    return token, messages


# 3. Handing over ----------------------------------------------------------------------------


def record_results(token, messages, results, now=None):
    """Write each result back, only where our claim still holds."""
    now = now or timezone.now()
    max_attempts = settings.SMS["MAX_ATTEMPTS"]
    by_ref = {r.ref: r for r in results}
    changed = []
    for message in messages:
        result = by_ref.get(message.client_ref)
        if result is None:  # the backend did not answer for it: we cannot know
            message.state, message.error = Message.State.UNKNOWN, "no result from channel"
        elif result.ok:
            message.state, message.gateway_id, message.sent_at, message.error = (
                Message.State.SENT, result.gateway_id[:64], now, "")
        elif result.unknown:
            message.state, message.error = Message.State.UNKNOWN, result.error[:200]
        elif result.transient and message.attempts < max_attempts:
            message.state, message.error = Message.State.RETRY, result.error[:200]
            message.next_attempt_at = now + datetime.timedelta(seconds=backoff(message.attempts))
        else:
            message.state, message.error = Message.State.FAILED, result.error[:200] or "failed"
        message.claim_token = ""
        changed.append(message)
    Message.objects.filter(claim_token=token).bulk_update(
        changed, ["state", "gateway_id", "sent_at", "error", "next_attempt_at", "claim_token"], batch_size=500)


def send_pending(budget_seconds=50.0, backend=None, limit=None):
    """Claim and send until nothing is due, the budget is spent or `limit` messages went.
    Returns the number of messages handed over. Applies delivery receipts the
    channel hands back on its connection (SMPP)."""
    from .receipts import apply_events

    started = time.monotonic()
    rate = backend.rate_per_second if backend else settings.SMS["RATE_PER_SECOND"]
    sent = 0
    own_backend = backend is None
    backend = backend or get_backend()
    opened = False
    try:
        while time.monotonic() - started < budget_seconds and (limit is None or sent < limit):
            broadcast_ids = sendable_broadcasts()
            # Unlimited: bigger claims, fewer round trips; limited: about one second's worth.
            size = BATCH_UNLIMITED if not rate else max(1, min(BATCH, int(rate)))
            token, messages = claim(broadcast_ids, size)
            if not messages:
                break
            if not opened:
                try:
                    backend.open()
                    opened = True
                except Exception as e:  # noqa: BLE001 - gateway down: nothing was handed over
                    logger.warning("SMS channel unavailable: %s", e)
                    release(token, messages, f"channel unavailable: {e}")
                    break
            batch_started = time.monotonic()
            outgoing = [Outgoing(ref=m.client_ref, mobile=m.mobile, text=m.broadcast.text) for m in messages]
            try:
                results = backend.send(outgoing)
            except Exception as e:  # noqa: BLE001 - the outcome of this batch is not known
                logger.exception("SMS channel failed mid-batch")
                results = [Result(ref=o.ref, unknown=True, error=str(e)[:200]) for o in outgoing]
            record_results(token, messages, results)
            sent += len(messages)
            events = backend.poll_receipts(0)
            if events:
                apply_events(backend.name, events)
            if getattr(backend, "client", True) is None:  # SMPP session broke: reconnect next batch
                opened = False
            if rate:
                pause = len(messages) / rate - (time.monotonic() - batch_started)
                if pause > 0:
                    time.sleep(pause)
        if opened:
            events = backend.poll_receipts(0.5)
            if events:
                apply_events(backend.name, events)
    finally:
        if opened and own_backend:
            backend.close()
            # Receipts read while unbinding (SMPP).
            leftover, backend.receipts = getattr(backend, "receipts", []), []
            if leftover:
                apply_events(backend.name, leftover)
    finish_done()
    return sent


def release(token, messages, reason):
    """Give a claim back untouched (the gateway was never called): the attempt does not count."""
    Message.objects.filter(claim_token=token, state=Message.State.SENDING).update(
        state=Message.State.RETRY, claim_token="", attempts=F("attempts") - 1, error=reason[:200],
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=30))


# 4. Recovering ------------------------------------------------------------------------------


def recover_stale(backend=None, now=None):
    """Settle messages left `sending` by a dead worker (see the module docstring)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.SMS["CLAIM_LEASE_SECONDS"])
    stale = list(Message.objects.filter(state=Message.State.SENDING, claimed_at__lt=now - lease)
                 .values_list("pk", "claim_token")[:5000])
    if not stale:
        return 0
    token = uuid.uuid4().hex
    settled = 0
    # Take the stale claims over (only those still held by their old token).
    for pk, old in stale:
        settled += Message.objects.filter(pk=pk, state=Message.State.SENDING, claim_token=old).update(
            claim_token=token, claimed_at=now)
    messages = list(Message.objects.filter(claim_token=token).select_related("broadcast"))
    backend = backend or get_backend()
    answers = {}
    if backend.can_reconcile:
        try:
            answers = backend.reconcile([Outgoing(ref=m.client_ref, mobile=m.mobile, text=m.broadcast.text)
                                         for m in messages])
        except Exception as e:  # noqa: BLE001 - cannot ask now: they stay unknown and are asked again later
            logger.warning("reconciliation failed: %s", e)
    requeue, changed = [], []
    for m in messages:
        if m.client_ref in answers and answers[m.client_ref] is None:
            requeue.append(m.pk)
            continue
        found = answers.get(m.client_ref)
        if found is not None:
            m.state, m.gateway_id, m.sent_at, m.error = Message.State.SENT, found.gateway_id[:64], now, ""
        else:
            m.state, m.error = Message.State.UNKNOWN, "worker stopped during handoff; outcome unknown"
        m.claim_token = ""
        changed.append(m)
    Message.objects.filter(claim_token=token).bulk_update(changed, ["state", "gateway_id", "sent_at", "error",
                                                                    "claim_token"])
    # Certainly not at the gateway: queued again; the lost attempt is not counted.
    Message.objects.filter(pk__in=requeue, claim_token=token).update(
        state=Message.State.QUEUED, claim_token="", attempts=F("attempts") - 1)
    if settled:
        logger.warning("recovered %d stale messages (%d requeued)", settled, len(requeue))
    return settled


def reconcile_unknown(backend=None):
    """Ask the gateway about `unknown` messages where the channel can answer."""
    backend = backend or get_backend()
    if not backend.can_reconcile:
        return 0
    messages = list(Message.objects.filter(state=Message.State.UNKNOWN).select_related("broadcast")[:1000])
    if not messages:
        return 0
    answers = backend.reconcile([Outgoing(ref=m.client_ref, mobile=m.mobile, text=m.broadcast.text)
                                 for m in messages])
    now = timezone.now()
    fixed = 0
    for m in messages:
        if m.client_ref not in answers:
            continue
        found = answers[m.client_ref]
        if found is None:
            fixed += Message.objects.filter(pk=m.pk, state=Message.State.UNKNOWN).update(
                state=Message.State.QUEUED, error="")
        else:
            fixed += Message.objects.filter(pk=m.pk, state=Message.State.UNKNOWN).update(
                state=Message.State.SENT, gateway_id=found.gateway_id[:64], sent_at=now, error="")
    return fixed


def finish_done():
    """Broadcasts with nothing left to hand over are finished."""
    done = Broadcast.objects.filter(state=Broadcast.State.SENDING).exclude(
        pk__in=Message.objects.filter(state__in=ACTIVE).values("broadcast_id"))
    return done.update(state=Broadcast.State.DONE, finished_at=timezone.now())


def progress(broadcast):
    """{state: count} plus the derived figures shown live."""
    counts = dict(Message.objects.filter(broadcast=broadcast).values_list("state").annotate(n=Count("pk"))
                  .values_list("state", "n"))
    total = sum(counts.values())
    handed = counts.get("sent", 0) + counts.get("delivered", 0)
    return {
        "total": total,
        "queued": counts.get("queued", 0) + counts.get("retry", 0) + counts.get("sending", 0),
        "sent": handed,
        "delivered": counts.get("delivered", 0),
        "failed": counts.get("failed", 0),
        "unknown": counts.get("unknown", 0),
        "cancelled": counts.get("cancelled", 0),
        "retrying": counts.get("retry", 0),
        "skipped": broadcast.skipped.count(),
        "percent": round(100 * (total - counts.get("queued", 0) - counts.get("retry", 0)
                                - counts.get("sending", 0)) / total) if total else 100,
        "state": broadcast.state,
    }
