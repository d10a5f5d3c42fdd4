"""One-time SMS codes that prove a citizen's mobile: the rules every public form shares.

Used by the signboard's rating codes (ratings/signboard.py) and the cases' mobile proofs
(cases/verification.py); each keeps its own table of checks (a row per code sent, with
`key_hash`, `code_hash`, `created_at`, `expires_at`, `attempts`, `ip_address`) and its own
text. What they share lives here:

- the limits (`OTP`, overridable with settings.VANGUARD_SIGNBOARD_OTP): a code is valid a
  few minutes, allows a few wrong attempts and works once; codes per number and per
  address per hour, a pause between two codes to one number - counted in the database,
  so they hold across workers;
- keyed hashes (`keyed_hash`): numbers and codes are never stored in clear;
- the checks before sending (`check_send_limits`) and when verifying (`check_code`), with
  the same Chinese messages everywhere.

The quarterly evaluation's invitation codes (surveys) are printed, not texted: they share
only the random code maker (`random_code`)."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

OTP = {
    "code_minutes": 10,          # a code is valid this long
    "max_attempts": 5,           # wrong codes before it is dead
    "per_number_per_hour": 3,    # codes per mobile number per hour
    "resend_seconds": 60,        # between two codes to one number
    "per_address_per_hour": 10,  # codes asked from one address per hour
    "lookups_per_address_per_hour": 20,  # transaction-number lookups from one address per hour
    "verified_minutes": 30,      # how long a verified visitor may rate from the list
}
OTP.update(getattr(settings, "VANGUARD_SIGNBOARD_OTP", {}))


def keyed_hash(namespace, purpose, value):
    """A keyed hash (HMAC with the secret key) of `value`; `namespace.purpose` salts it, so the
    same number hashes differently for different uses."""
    return salted_hmac(f"{namespace}.{purpose}", value).hexdigest()


def random_code(alphabet="0123456789", length=6):
    """A random code from `alphabet` (six digits by default: what an SMS carries)."""
    return "".join(secrets.choice(alphabet) for _i in range(length))


def new_sms_code():
    return f"{secrets.randbelow(10 ** 6):06d}"


def too_many():
    return _("Too many attempts; please try again in an hour.")


def expires(now):
    return now + datetime.timedelta(minutes=OTP["code_minutes"])


def within_hour(queryset, now):
    """The rows of `queryset` created in the last hour (what the limits count)."""
    return queryset.filter(created_at__gte=now - datetime.timedelta(hours=1))


def check_send_limits(for_number, for_address, *, now, field):
    """Refuse a new code (ValidationError on `field`) when one was just sent to this number,
    the number had its codes this hour, or the address asked too many. `for_number` and
    `for_address` are the last hour's checks (`for_address` None when the address is unknown)."""
    last = for_number.order_by("-created_at").values_list("created_at", flat=True).first()
    if last and (now - last).total_seconds() < OTP["resend_seconds"]:
        wait = OTP["resend_seconds"] - int((now - last).total_seconds())
        raise ValidationError({field: _("A code was just sent; you can ask again in %(seconds)s seconds.") % {
            "seconds": wait}})
    if for_number.count() >= OTP["per_number_per_hour"]:
        raise ValidationError({field: too_many()})
    if for_address is not None and for_address.count() >= OTP["per_address_per_hour"]:
        raise ValidationError({field: too_many()})


def clean_code(code):
    """The six digits typed, or ValidationError on "code"."""
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError({"code": _("Enter the 6-digit code from the text message.")})
    return code


def check_code(check, expected_hash, *, used, now):
    """Why the code typed (whose keyed hash is `expected_hash`) does not prove the number, or
    "" when it does. `check` is the number's latest check, locked (select_for_update);
    `used` says whether it was used already. A wrong code counts as an attempt (saved here)."""
    if check is None or check.expires_at < now:
        return _("The code has expired or was never sent; ask for a new one.")
    if used:
        return _("This code has already been used; ask for a new one.")
    if check.attempts >= OTP["max_attempts"]:
        return _("Too many wrong codes; ask for a new one.")
    if not constant_time_compare(check.code_hash, expected_hash):
        check.attempts += 1
        check.save(update_fields=["attempts"])
        left = OTP["max_attempts"] - check.attempts
        return _("The code is not right; %(left)s attempts left.") % {"left": left} if left else _(
            "Too many wrong codes; ask for a new one.")
    return ""
