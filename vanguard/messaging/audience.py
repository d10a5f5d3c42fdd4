"""Who a lesson or broadcast reaches, and exactly what each phone receives."""

import math

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from vanguard.org.models import Person

from .models import Audience, Message, SkippedRecipient

MOBILE_REGEX = r"^1[3-9][0-9]{9}$"
SINGLE = 70  # characters in one SMS (UCS-2)
PART = 67  # characters per part of a long SMS (the rest is the concatenation header)


def people(centre, audience, branch=None, unit=None, floor=None, person_ids=None):
    """The active people of the audience (with or without a mobile)."""
    qs = Person.objects.filter(centre=centre, is_active=True)
    if audience == Audience.MEMBERS:
        qs = qs.members()
    elif audience == Audience.BRANCH:
        qs = qs.filter(branch__path__startswith=branch.path) if branch else qs.none()
    elif audience == Audience.UNIT:
        qs = qs.filter(unit=unit) if unit else qs.none()
    elif audience == Audience.FLOOR:
        qs = qs.filter(Q(window__floor=floor) | Q(branch__floor=floor)).distinct() if floor else qs.none()
    elif audience == Audience.PEOPLE:
        qs = qs.filter(pk__in=person_ids or [])
    return qs


def people_of(obj):
    return people(obj.centre, obj.audience, obj.branch, obj.unit, obj.floor, getattr(obj, "person_ids", None))


def reachable(qs):
    return qs.filter(mobile__regex=MOBILE_REGEX)


def resolve(broadcast):
    """Turn the audience into queued messages, set-based: one INSERT ... SELECT for
    the messages and one for the people without a valid mobile. Call inside the
    transaction that moves the broadcast to `sending`."""
    audience = people_of(broadcast).order_by()
    if broadcast.audience == Audience.FLOOR:
        # .distinct() over a join cannot feed INSERT ... SELECT on every database: go through ids.
        audience = Person.objects.filter(pk__in=audience.values("pk")).order_by()
    # Every column is an annotation, so the SELECT lists them in exactly this order.
    select = reachable(audience).annotate(
        _b=Value(broadcast.pk), _p=F("pk"), _m=F("mobile"), _st=Value(Message.State.QUEUED), _a=Value(0),
        _e=Value(""), _t=Value(""), _g=Value(""), _now=Now(),
    ).values_list("_b", "_p", "_m", "_st", "_a", "_e", "_t", "_g", "_now")
    sql, params = select.query.sql_with_params()
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (broadcast_id, person_id, mobile, state, attempts, error, "
                       f"claim_token, gateway_id, next_attempt_at) {sql}", params)
        total = cursor.rowcount
    skipped = audience.exclude(mobile__regex=MOBILE_REGEX)
    SkippedRecipient.objects.bulk_create(
        [SkippedRecipient(broadcast=broadcast, person_id=pk,
                          reason=SkippedRecipient.Reason.NO_MOBILE if not mobile else SkippedRecipient.Reason.INVALID)
         for pk, mobile in skipped.values_list("pk", "mobile")], batch_size=2000)
    if total is None or total < 0:
        total = Message.objects.filter(broadcast=broadcast).count()
    broadcast.total = total
    broadcast.save(update_fields=["total"])
    return total


def short_link(code):
    return f"{settings.PUBLIC_BASE_URL}/s/{code}"


def compose(sms_text, *, link_code=None, sign=None):
    """The exact text a phone shows: 【sign】text, plus the short link of the web version."""
    sign = settings.SMS["SIGN"] if sign is None else sign
    text = f"【{sign}】{sms_text.strip()}" if sign else sms_text.strip()
    if link_code:
        text += " " + short_link(link_code)
    return text


def count_parts(text):
    n = len(text)
    return 1 if n <= SINGLE else math.ceil(n / PART)


def preview(sms_text, *, link_code=None, sign=None):
    text = compose(sms_text, link_code=link_code, sign=sign)
    limit = settings.SMS["MAX_CHARS"]
    return {
        "text": text, "chars": len(text), "parts": count_parts(text), "limit": limit,
        "too_long": len(text) > limit,
        "message": _("%(chars)d characters, %(parts)d SMS per phone") % {"chars": len(text),
                                                                          "parts": count_parts(text)},
    }
