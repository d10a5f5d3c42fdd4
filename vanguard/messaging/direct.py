"""One message now, to one number, through the configured channel: for one-time
codes that cannot wait for the broadcast worker (a citizen is looking at the form).
Broadcasts keep their sent-once machinery in dispatch.py; a lost code is simply
asked for again."""

import logging
import uuid

from .audience import compose
from .channels import Outgoing, get_backend

log = logging.getLogger(__name__)


def send_now(mobile, text, *, ref_prefix="otp"):
    """Hand `text` (signed 【…】 like every SMS) to the gateway; True when it took it."""
    item = Outgoing(ref=f"{ref_prefix}-{uuid.uuid4().hex[:20]}", mobile=mobile, text=compose(text))
    try:
        with get_backend() as backend:
            results = backend.send([item])
    except Exception:  # a gateway down must not break the page; the citizen may ask again
        log.exception("one-time SMS to the gateway failed")
        return False
    ok = bool(results and results[0].ok)
    if not ok:
        log.warning("one-time SMS refused by the gateway: %s", results[0].error if results else "no result")
    return ok
