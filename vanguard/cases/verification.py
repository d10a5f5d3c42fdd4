"""One-time SMS codes proving a citizen's mobile before a case is filed with it, on the
rules of the signboard's rating codes (ratings/signboard.py: same limits, same keyed
hashes, nothing stored in clear). A verified code proves the number for one case.

Unlike the signboard, a code is sent to every well-formed number: anyone may file a case."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from vanguard.org.phones import normalise_mobile
from vanguard.ratings.signboard import OTP, _hash

from .models import MobileCheck

# A verified code may be used to file a case for this long.
PROOF_MINUTES = 30


def _mobile(raw):
    try:
        return normalise_mobile(raw)
    except ValidationError as e:
        raise ValidationError({"contact_mobile": e.messages}) from None


def _key(mobile):
    return _hash("case-mobile", mobile)


def _recent(now, **filters):
    return MobileCheck.objects.filter(created_at__gte=now - datetime.timedelta(hours=1), **filters)


def _too_many():
    return _("Too many attempts; please try again in an hour.")


def send_code(mobile, *, ip=None, now=None):
    """Write a one-time code for this number and text it; limited per number and per address."""
    now = now or timezone.now()
    mobile = _mobile(mobile)
    key = _key(mobile)
    with transaction.atomic():
        mine = _recent(now, key_hash=key)
        last = mine.order_by("-created_at").values_list("created_at", flat=True).first()
        if last and (now - last).total_seconds() < OTP["resend_seconds"]:
            wait = OTP["resend_seconds"] - int((now - last).total_seconds())
            raise ValidationError({"contact_mobile": _(
                "A code was just sent; you can ask again in %(seconds)s seconds.") % {"seconds": wait}})
        if mine.count() >= OTP["per_number_per_hour"]:
            raise ValidationError({"contact_mobile": _too_many()})
        if ip and _recent(now, ip_address=ip).count() >= OTP["per_address_per_hour"]:
            raise ValidationError({"contact_mobile": _too_many()})
        code = f"{secrets.randbelow(10 ** 6):06d}"
        check = MobileCheck.objects.create(
            key_hash=key, code_hash=_hash("case-code", f"{key}:{code}"), ip_address=ip, created_at=now,
            expires_at=now + datetime.timedelta(minutes=OTP["code_minutes"]))
    from vanguard.messaging.direct import send_now

    text = _("Your code to file a case is %(code)s, valid for %(minutes)s minutes. If you did not ask for it, "
             "ignore this message.") % {"code": code, "minutes": OTP["code_minutes"]}
    if send_now(mobile, text, ref_prefix=f"casecode{check.pk}"):
        MobileCheck.objects.filter(pk=check.pk).update(sent=True)
    check.code_for_tests = code
    return check


def verify_code(mobile, code, *, now=None):
    """The verified check (the proof to pass to intake_case), or ValidationError. A wrong
    code counts as an attempt even though the call fails."""
    now = now or timezone.now()
    mobile = _mobile(mobile)
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError({"code": _("Enter the 6-digit code from the text message.")})
    key = _key(mobile)
    problem = None
    with transaction.atomic():
        check = MobileCheck.objects.select_for_update().filter(key_hash=key).order_by("-created_at", "-pk").first()
        if check is None or check.expires_at < now:
            problem = _("The code has expired or was never sent; ask for a new one.")
        elif check.verified_at:
            problem = _("This code has already been used; ask for a new one.")
        elif check.attempts >= OTP["max_attempts"]:
            problem = _("Too many wrong codes; ask for a new one.")
        elif not constant_time_compare(check.code_hash, _hash("case-code", f"{key}:{code}")):
            check.attempts += 1
            check.save(update_fields=["attempts"])
            left = OTP["max_attempts"] - check.attempts
            problem = _("The code is not right; %(left)s attempts left.") % {"left": left} if left else _(
                "Too many wrong codes; ask for a new one.")
        else:
            check.verified_at = now
            check.save(update_fields=["verified_at"])
    if problem:
        raise ValidationError({"code": problem})
    return check


def consume_proof(proof, mobile, now=None):
    """Use a verified check for one case (inside intake_case's transaction)."""
    now = now or timezone.now()
    pk = getattr(proof, "pk", proof)
    check = MobileCheck.objects.select_for_update().filter(pk=pk).first()
    if (check is None or check.verified_at is None or check.consumed_at is not None
            or not constant_time_compare(check.key_hash, _key(mobile))
            or check.verified_at < now - datetime.timedelta(minutes=PROOF_MINUTES)):
        raise ValidationError({"contact_mobile": _(
            "The mobile is not verified (or its code was used already); ask for a new code.")})
    check.consumed_at = now
    check.save(update_fields=["consumed_at"])
    return check
