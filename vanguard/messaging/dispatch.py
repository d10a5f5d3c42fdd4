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
   Its RETURNING gives all sending needs (no second read). The claim COMMITS
   before the gateway is called.
3. Handing over: the gateway is called with our client reference
   (`vg<id>a<attempt>`), the whole chunk at once (SMPP pipelines it in a
   window). The outcome is written back conditionally on the claim token, set-
   based: one UPDATE ... FROM (VALUES (id, gateway id) ...) for what went
   `sent`, one UPDATE per other outcome: failed / retry (only when the gateway
   certainly did not take it) / unknown (it may have). Receipts read on the
   session are applied in bulk (receipts.py).
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


def sendable(now=None):
    """{pk: text} of the broadcasts whose messages may be claimed now (not paused or
    cancelled; urgent only in quiet hours)."""
    qs = Broadcast.objects.filter(state=Broadcast.State.SENDING)
    if in_quiet_hours(now):
        qs = qs.filter(urgent=True)
    return dict(qs.values_list("pk", "text"))


def sendable_broadcasts(now=None):
    return list(sendable(now))


class Claimed:
    """A claimed message, as much of it as sending needs (built from RETURNING, no model load)."""

    __slots__ = ("pk", "broadcast_id", "mobile", "attempts", "text")

    def __init__(self, pk, broadcast_id, mobile, attempts, text):
        self.pk, self.broadcast_id, self.mobile, self.attempts, self.text = pk, broadcast_id, mobile, attempts, text

    client_ref = Message.client_ref

    def __repr__(self):
        return f"<Claimed {self.client_ref}>"


def claim(broadcast_ids, limit=BATCH, now=None, texts=None):
    """Claim up to `limit` due messages of these broadcasts; returns (token, messages).

    One statement, committed on its own before anything is handed over: the
    rows are `sending` under our token from then on, so a crash leaves them
    visibly in hand (recover_stale), never silently queued again."""
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
        f"AND (next_attempt_at IS NULL OR next_attempt_at <= %s) LIMIT %s{lock}) "
        f"RETURNING id, broadcast_id, mobile, attempts"
    )
    params = [Message.State.SENDING, token, now, Message.State.QUEUED, Message.State.RETRY,
              Message.State.QUEUED, Message.State.RETRY, now, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return token, _claimed(rows, texts)


def _claimed(rows, texts=None):
    """Claimed messages from RETURNING (id, broadcast_id, mobile, attempts) rows, in id
    order: no second read of the rows, only the texts of broadcasts not given."""
    texts = texts or {}
    missing = {row[1] for row in rows} - texts.keys()
    if missing:
        texts = {**texts, **dict(Broadcast.objects.filter(pk__in=missing).values_list("pk", "text"))}
    return [Claimed(pk, broadcast_id, mobile, attempts, texts[broadcast_id])
            for pk, broadcast_id, mobile, attempts in sorted(rows)]


# 3. Handing over ----------------------------------------------------------------------------


def _record_sent(token, sent, now):
    """Mark handed-over messages `sent` with their gateway ids: one UPDATE ... FROM (VALUES ...)."""
    table = Message._meta.db_table
    changed = 0
    with connection.cursor() as cursor:
        for i in range(0, len(sent), 1000):
            part = sent[i:i + 1000]
            values = ", ".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"UPDATE {table} SET state = %s, gateway_id = v.column2, sent_at = %s, error = '', claim_token = '' "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1 "
                f"AND {table}.claim_token = %s AND {table}.state = %s",
                [Message.State.SENT, now, *(value for row in part for value in row), token, Message.State.SENDING])
            changed += cursor.rowcount
    return changed


def record_results(token, messages, results, now=None):
    """Write the results back, only where our claim still holds: one UPDATE for all
    that went (per gateway id, from a VALUES list) and one per other outcome."""
    now = now or timezone.now()
    max_attempts = settings.SMS["MAX_ATTEMPTS"]
    by_ref = {r.ref: r for r in results}
    sent = []
    other = {}  # (state, error, next_attempt_at) -> [pk]
    for message in messages:
        result = by_ref.get(message.client_ref)
        if result is None:  # the backend did not answer for it: we cannot know
            key = (Message.State.UNKNOWN, "no result from channel", None)
        elif result.ok:
            sent.append((message.pk, result.gateway_id[:64]))
            continue
        elif result.unknown:
            key = (Message.State.UNKNOWN, result.error[:200], None)
        elif result.transient and message.attempts < max_attempts:
            key = (Message.State.RETRY, result.error[:200],
                   now + datetime.timedelta(seconds=backoff(message.attempts)))
        else:
            key = (Message.State.FAILED, result.error[:200] or "failed", None)
        other.setdefault(key, []).append(message.pk)
    with transaction.atomic():
        if sent:
            _record_sent(token, sent, now)
        for (state, error, next_attempt_at), pks in other.items():
            fields = {"state": state, "error": error, "claim_token": ""}
            if next_attempt_at is not None:
                fields["next_attempt_at"] = next_attempt_at
            Message.objects.filter(pk__in=pks, claim_token=token, state=Message.State.SENDING).update(**fields)


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
            texts = sendable()
            # Unlimited: bigger claims, fewer round trips; limited: about one second's worth.
            size = BATCH_UNLIMITED if not rate else max(1, min(BATCH, int(rate)))
            if limit is not None:
                size = min(size, limit - sent)
            token, messages = claim(list(texts), size, texts=texts)
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
            outgoing = [Outgoing(ref=m.client_ref, mobile=m.mobile, text=m.text) for m in messages]
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
    token = uuid.uuid4().hex
    table = Message._meta.db_table
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    # Take the stale claims over in one statement: a row is re-checked (still sending,
    # still stale) as it is taken, so a claim another recoverer took first is skipped.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claim_token = %s, claimed_at = %s WHERE state = %s AND claimed_at < %s AND id IN ("
            f"SELECT id FROM {table} WHERE state = %s AND claimed_at < %s LIMIT 5000{lock}) "
            f"RETURNING id, broadcast_id, mobile, attempts",
            [token, now, Message.State.SENDING, now - lease, Message.State.SENDING, now - lease])
        rows = cursor.fetchall()
    if not rows:
        return 0
    messages = _claimed(rows)
    backend = backend or get_backend()
    answers = {}
    if backend.can_reconcile:
        try:
            answers = backend.reconcile([Outgoing(ref=m.client_ref, mobile=m.mobile, text=m.text)
                                         for m in messages])
        except Exception as e:  # noqa: BLE001 - cannot ask now: they stay unknown and are asked again later
            logger.warning("reconciliation failed: %s", e)
    requeue, found, unknown = [], [], []
    for m in messages:
        if m.client_ref in answers and answers[m.client_ref] is None:
            requeue.append(m.pk)
        elif answers.get(m.client_ref) is not None:
            found.append((m.pk, answers[m.client_ref].gateway_id[:64]))
        else:
            unknown.append(m.pk)
    with transaction.atomic():
        if found:
            _record_sent(token, found, now)
        Message.objects.filter(pk__in=unknown, claim_token=token).update(
            state=Message.State.UNKNOWN, error="worker stopped during handoff; outcome unknown", claim_token="")
        # Certainly not at the gateway: queued again; the lost attempt is not counted.
        Message.objects.filter(pk__in=requeue, claim_token=token).update(
            state=Message.State.QUEUED, claim_token="", attempts=F("attempts") - 1)
    logger.warning("recovered %d stale messages (%d requeued)", len(rows), len(requeue))
    return len(rows)


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
