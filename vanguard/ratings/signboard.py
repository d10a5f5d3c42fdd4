"""Rating from a post's signboard (/r/post/<code>/): the citizen proves which recent
transaction at this post is theirs, by the transaction number on the receipt or by a
one-time SMS code sent to the mobile they gave when served; then the ordinary rating
form of that transaction opens, and the one-rating-per-transaction rules hold.

Nothing here tells whether a mobile number is known: a code is "sent" for every
well-formed number (a row is written and counted alike; the SMS only goes out when
the number has a transaction to rate), and a wrong code reads the same either way.
Codes and numbers are stored only as keyed hashes; a code expires, allows a few
attempts, and works once. Limits per number and per address hold across workers
because they are counted in the database."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import sms_codes
from vanguard.org.phones import normalise_mobile

from .models import SignboardCheck, Transaction
from .services import CONFIG, already_rated

OTP = sms_codes.OTP  # the shared limits (vanguard/core/sms_codes.py)
Kind = SignboardCheck.Kind


def _hash(purpose, value):
    return sms_codes.keyed_hash("vanguard.ratings.signboard", purpose, value)


def post_transactions(post, now=None):
    """Recent transactions served at this post: at its window, or by one of its holders."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=CONFIG["link_max_age_days"])
    q = Q(person_id__in=post.post_holders.values("person_id"))
    if post.window_id:
        q |= Q(window_id=post.window_id)
    return Transaction.objects.filter(q, centre_id=post.centre_id, accepted_at__gte=since, accepted_at__lte=now)


def _recent(kind, now, **filters):
    return sms_codes.within_hour(SignboardCheck.objects.filter(kind=kind, **filters), now)


_too_many = sms_codes.too_many


def find_by_number(post, number, *, ip=None, now=None):
    """The unrated recent transaction of this post with this number, or ValidationError.
    Not atomic on purpose: the lookup is counted (for the per-address limit) even when
    it fails, which is when it matters."""
    now = now or timezone.now()
    number = (number or "").strip().upper()
    if not number:
        raise ValidationError({"number": _("Give the transaction number printed on your receipt.")})
    if len(number) > 40:
        raise ValidationError({"number": _("The transaction number is longer than 40 characters.")})
    if ip and _recent(Kind.NUMBER, now, ip_address=ip).count() >= OTP["lookups_per_address_per_hour"]:
        raise ValidationError({"number": _too_many()})
    SignboardCheck.objects.create(kind=Kind.NUMBER, post=post, key_hash=_hash("number", number), ip_address=ip,
                                  created_at=now, expires_at=now, used_at=now)
    txn = post_transactions(post, now).filter(number__iexact=number).select_related("window").first()
    if txn is None:
        raise ValidationError({"number": _(
            "No recent transaction with this number was served at this post. Check the number on your receipt.")})
    if txn.rated:
        raise ValidationError({"number": already_rated(txn.number)})
    return txn


def _mobile(raw):
    try:
        return normalise_mobile(raw)
    except ValidationError as e:
        raise ValidationError({"mobile": e.messages}) from None


def send_code(post, mobile, *, ip=None, now=None):
    """Write a one-time code for this number at this post and text it, when the number has
    a transaction to rate here. The answer is the same either way."""
    now = now or timezone.now()
    mobile = _mobile(mobile)
    key = _hash("mobile", mobile)
    with transaction.atomic():
        sms_codes.check_send_limits(_recent(Kind.SMS, now, key_hash=key),
                                    _recent(Kind.SMS, now, ip_address=ip) if ip else None, now=now, field="mobile")
        code = sms_codes.new_sms_code()
        check = SignboardCheck.objects.create(
            kind=Kind.SMS, post=post, key_hash=key, code_hash=_hash("code", f"{key}:{code}"), ip_address=ip,
            created_at=now, expires_at=sms_codes.expires(now))
        servable = post_transactions(post, now).filter(rater_phone=mobile, rated=False).exists()
    if servable:
        from vanguard.messaging.direct import send_now

        text = _("Your code to rate the service at %(post)s is %(code)s, valid for %(minutes)s minutes. "
                 "If you did not ask for it, ignore this message.") % {
            "post": post.name, "code": code, "minutes": OTP["code_minutes"]}
        if send_now(mobile, text, ref_prefix=f"otp{check.pk}"):
            SignboardCheck.objects.filter(pk=check.pk).update(sent=True)
    return check


def verify_code(post, mobile, code, *, now=None):
    """The ids of the number's unrated recent transactions at this post, once the code is
    right; otherwise ValidationError. A wrong code counts as an attempt (kept even though
    the call fails); a right code is used up."""
    now = now or timezone.now()
    mobile = _mobile(mobile)
    code = sms_codes.clean_code(code)
    key = _hash("mobile", mobile)
    with transaction.atomic():
        check = (SignboardCheck.objects.select_for_update().filter(kind=Kind.SMS, post=post, key_hash=key)
                 .order_by("-created_at", "-pk").first())
        problem = sms_codes.check_code(check, _hash("code", f"{key}:{code}"), used=bool(check and check.used_at),
                                       now=now)
        if not problem:
            check.used_at = now
            check.save(update_fields=["used_at"])
    if problem:
        raise ValidationError({"code": problem})
    return list(post_transactions(post, now).filter(rater_phone=mobile, rated=False).order_by(
        "-accepted_at").values_list("pk", flat=True))
