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
    return {"started": started, "recovered": recovered, "sent": sent}


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
