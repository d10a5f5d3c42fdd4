"""The audit trail. Services call `record` inside their transaction, so a
change and its audit row commit or roll back together."""

import datetime
import decimal
import uuid

from django.db import models

from .middleware import current_ip
from .models import AuditEntry

Action = AuditEntry.Action
# Never copied into the audit trail.
SECRET_FIELDS = {"password", "key"}


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields=None):
    """Field values of `obj` as JSON-safe data, for before/after comparison."""
    result = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.primary_key or f.name in SECRET_FIELDS:
            continue
        value = getattr(obj, f.attname)
        result[f.name] = _plain(value)
    return result


def diff(before, after):
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _centre_id(obj):
    for attr in ("centre_id",):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    return None


def record(actor, action, obj, changes=None, verb="", centre_id=None):
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        ip_address=current_ip(),
        action=action,
        verb=verb,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        centre_id=centre_id if centre_id is not None else _centre_id(obj),
    )


def record_create(actor, obj, verb="", centre_id=None):
    return record(actor, Action.CREATE, obj, {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "")},
                  verb=verb, centre_id=centre_id)


def record_update(actor, obj, before, verb="", centre_id=None):
    changes = diff(before, snapshot(obj, fields=set(before)))
    if changes:
        return record(actor, Action.UPDATE, obj, changes, verb=verb, centre_id=centre_id)
    return None


def record_delete(actor, obj, verb="", centre_id=None):
    return record(actor, Action.DELETE, obj, {k: [v, None] for k, v in snapshot(obj).items() if v not in (None, "")},
                  verb=verb, centre_id=centre_id)
