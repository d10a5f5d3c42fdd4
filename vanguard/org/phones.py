"""Mainland mobile numbers: accepted as people type them, stored as 11 digits."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(raw):
    """'+86 138-0013-8000', '１３８００１３８０００', '0086 13800138000' -> '13800138000'.
    Raises ValidationError with a Chinese reason when it is not a mainland mobile."""
    if raw is None:
        raise ValidationError(_("The mobile number is missing."), code="missing")
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        raise ValidationError(_("The mobile number is missing."), code="missing")
    if re.search(r"[^\d\s\-+()（）.]", text):
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": raw}, code="invalid")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+86") or (digits.startswith("0086") and len(digits) == 15):
        digits = digits[-11:] if len(digits) in (13, 15) else digits
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MOBILE_RE.match(digits):
        raise ValidationError(
            _("“%(value)s” is not a mainland mobile number (11 digits starting with 13–19).") % {"value": raw},
            code="invalid",
        )
    return digits


def mask_mobile(mobile):
    """138****8000: what public pages show, if they show a number at all."""
    if not mobile or len(mobile) != 11:
        return ""
    return f"{mobile[:3]}****{mobile[-4:]}"
