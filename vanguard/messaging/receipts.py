"""Delivery receipts: from SMPP deliver_sm, Aliyun's push, Tencent's callback.

Each receipt is recorded once (channel + key unique): a replayed receipt is
recognised and changes nothing; a receipt naming no message we sent is
refused. A receipt never causes a re-send."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Message, Receipt

REF_RE = re.compile(r"^vg(\d+)a(\d+)$")


def find_message(event):
    if event.ref:
        match = REF_RE.match(event.ref)
        if match:
            message = Message.objects.filter(pk=int(match[1])).first()
            if message is not None and (not event.gateway_id or message.gateway_id in ("", event.gateway_id)):
                return message
    if event.gateway_id:
        return Message.objects.filter(gateway_id=event.gateway_id).order_by("-pk").first()
    return None


def apply_events(channel, events):
    """Returns {"applied": n, "replayed": n, "unknown": [keys]}."""
    summary = {"applied": 0, "replayed": 0, "unknown": []}
    now = timezone.now()
    for event in events:
        message = find_message(event)
        if message is None:
            summary["unknown"].append(event.key)
            continue
        try:
            with transaction.atomic():
                Receipt.objects.create(channel=channel, key=event.key[:150], message=message, status=event.status)
        except IntegrityError:
            summary["replayed"] += 1
            continue
        if event.status == "delivered":
            Message.objects.filter(pk=message.pk).exclude(state=Message.State.DELIVERED).update(
                state=Message.State.DELIVERED, delivered_at=now, error="")
        else:
            Message.objects.filter(pk=message.pk).exclude(state=Message.State.DELIVERED).update(
                state=Message.State.FAILED, error=(event.error or "undelivered")[:200])
        summary["applied"] += 1
    return summary
