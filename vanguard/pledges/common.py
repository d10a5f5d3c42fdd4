"""What the pledges' use cases share: the actor stored on a row, required text, the
masking of personal numbers in public text, and the recount of the pre-aggregated figures."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.system import is_system

from .models import Pledge, PledgeStat, Result

Status = Pledge.Status


def _user(actor):
    return None if is_system(actor) else actor


def _text(value, field, message, max_length=None):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if max_length and len(value) > max_length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_length}})
    return value


# Masking of personal numbers in public text ------------------------------------------

# An 18-digit resident ID number (last may be X) or a 15-digit old one; a mainland mobile.
ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])|(?<!\d)(\d{6})(\d{6})(\d{3})(?![\dXx])")
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
# Full-width digits (typed on a phone's Chinese keyboard) read as digits before masking.
FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋", "0123456789Xx+")


def _mask_id(m):
    head, middle, tail = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    return head + "*" * len(middle) + tail


def mask_numbers(text):
    """Mobile and ID numbers in a comment masked before it is stored or shown:
    13812345678 -> 138****5678, 110105199001011234 -> 110105********1234, the old 15-digit
    110105900101123 -> 110105******123; full-width digits too."""
    text = ID_RE.sub(_mask_id, text.translate(FULL_WIDTH))
    return MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


# Figures ------------------------------------------------------------------------------

def refresh_stats(year, branch_ids):
    """Recount PledgeStat for these branches in this year (one grouped query per call)."""
    branch_ids = sorted({b for b in branch_ids if b})
    if not branch_ids:
        return
    PledgeStat.objects.filter(year=year, branch_id__in=branch_ids).delete()
    rows = (Pledge.objects.filter(year=year, branch_id__in=branch_ids).order_by()
            .values("centre_id", "branch_id", "unit_id")
            .annotate(members=Count("person_id", distinct=True), made=Count("pk"),
                      approved=Count("pk", filter=Q(status=Status.APPROVED)),
                      kept=Count("pk", filter=Q(result=Result.KEPT)),
                      partly=Count("pk", filter=Q(result=Result.PARTLY)),
                      not_kept=Count("pk", filter=Q(result=Result.NOT_KEPT))))
    PledgeStat.objects.bulk_create([PledgeStat(year=year, **row) for row in rows])


def _touch_signboards(person_id):
    """Approved pledges show on the holder's signboards: a new version of each, so their cache renews."""
    from vanguard.posts.models import VanguardPost
    from vanguard.posts.signcache import forget_signboard

    posts = VanguardPost.objects.filter(post_holders__person_id=person_id)
    codes = list(posts.values_list("code", flat=True))
    if codes:
        VanguardPost.objects.filter(code__in=codes).update(updated_at=timezone.now())
        transaction.on_commit(lambda: [forget_signboard(c) for c in codes])


