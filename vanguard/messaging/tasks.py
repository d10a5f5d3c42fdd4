"""Background work of messaging; `vanguard worker` runs these (see core/schedule.py)."""

import logging

from django.conf import settings
from django_tasks import task

from . import dispatch as engine

logger = logging.getLogger(__name__)


@task(queue_name="messages")
def dispatch():
    """Start due broadcasts, settle stale handoffs, then send for most of one schedule period."""
    started = engine.start_due()
    recovered = engine.recover_stale()
    budget = max(settings.SMS["DISPATCH_SECONDS"] * 0.9, 1.0)
    sent = engine.send_pending(budget_seconds=budget)
    chained = _chain_if_work_remains()
    return {"started": started, "recovered": recovered, "sent": sent, "chained": chained}


def _chain_if_work_remains():
    """Keep a broadcast going without waiting for the schedule: enqueue one successor
    while messages wait, unless one is already waiting to run. (The schedule alone is
    not enough: it skips a job whose last run is still marked running, which is
    forever when the worker running it was killed.)"""
    import datetime

    from django.utils import timezone

    from .models import Message

    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.SMS["CLAIM_LEASE_SECONDS"])
    waiting = Message.objects.filter(
        broadcast_id__in=engine.sendable_broadcasts(now), state__in=[Message.State.QUEUED, Message.State.RETRY],
        next_attempt_at__lte=now).exists() or Message.objects.filter(
        state=Message.State.SENDING, claimed_at__lt=now - lease).exists()
    if not waiting:
        return False
    try:
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=dispatch.module_path, status="READY").exists():
            return False
    except ImportError:  # another task backend: the schedule drives sending
        return False
    dispatch.enqueue()
    return True


@task(queue_name="messages")
def reconcile():
    """Ask the gateway about messages of unknown outcome (where the channel can answer)."""
    return engine.reconcile_unknown()


@task(queue_name="messages")
def poll_receipts():
    """SMPP receipts that arrive while no broadcast is sending: bind briefly and read them."""
    from .channels import get_backend
    from .receipts import apply_events

    backend = get_backend()
    if backend.name != "smpp":
        return 0
    try:
        backend.open()
        events = backend.poll_receipts(2.0)
    except Exception as e:  # noqa: BLE001 - gateway unreachable now; receipts wait at the SMSC
        logger.warning("SMPP receipt poll failed: %s", e)
        return 0
    finally:
        backend.close()
    return apply_events("smpp", events)["applied"]
