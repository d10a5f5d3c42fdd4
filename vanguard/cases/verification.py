"""One-time SMS codes proving a citizen's mobile before a case is filed with it, on the
rules every public form shares (vanguard/core/sms_codes.py: the signboard's limits, keyed
hashes, nothing stored in clear). A verified code proves the number for one case.

Unlike the signboard, a code is sent to every well-formed number: anyone may file a case."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from vanguard.core import sms_codes
from vanguard.core.sms_codes import OTP
from vanguard.org.phones import normalise_mobile

from .models import MobileCheck

# A verified code may be used to file a case for this long.
PROOF_MINUTES = 30


def _mobile(raw):
    try:
        return normalise_mobile(raw)
    except ValidationError as e:
        raise ValidationError({"contact_mobile": e.messages}) from None


def _hash(purpose, value):
    # The signboard's namespace, kept so the checks already stored still verify.
    return sms_codes.keyed_hash("vanguard.ratings.signboard", purpose, value)


def _key(mobile):
    return _hash("case-mobile", mobile)


def _recent(now, **filters):
    return sms_codes.within_hour(MobileCheck.objects.filter(**filters), now)


def send_code(mobile, *, ip=None, now=None):
    """Write a one-time code for this number and text it; limited per number and per address."""
    now = now or timezone.now()
    mobile = _mobile(mobile)
    key = _key(mobile)
    with transaction.atomic():
        sms_codes.check_send_limits(_recent(now, key_hash=key), _recent(now, ip_address=ip) if ip else None,
                                    now=now, field="contact_mobile")
        code = sms_codes.new_sms_code()
        check = MobileCheck.objects.create(
            key_hash=key, code_hash=_hash("case-code", f"{key}:{code}"), ip_address=ip, created_at=now,
            expires_at=sms_codes.expires(now))
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
    code = sms_codes.clean_code(code)
    key = _key(mobile)
    with transaction.atomic():
        check = MobileCheck.objects.select_for_update().filter(key_hash=key).order_by("-created_at", "-pk").first()
        problem = sms_codes.check_code(check, _hash("case-code", f"{key}:{code}"),
                                       used=bool(check and check.verified_at), now=now)
        if not problem:
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
