"""Honours' use cases: one-time vote codes and anonymous ballots."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit

from .base import (
    State,
    Status,
    _office,
    _reviewable,
)
from .models import (
    Ballot,
    Nomination,
    VoteCode,
)


@transaction.atomic
def issue_vote_codes(actor, selection, *, count, valid_days=14):
    _office(actor, selection.centre_id)
    if not selection.public_vote:
        raise ValidationError(_("This selection has no vote."))
    _reviewable(selection)
    try:
        count, valid_days = int(count), int(valid_days)
    except (TypeError, ValueError):
        raise ValidationError({"count": _("Issue 1 to 5000 codes.")}) from None
    if not 1 <= count <= 5000:
        raise ValidationError({"count": _("Issue 1 to 5000 codes.")})
    if not 1 <= valid_days <= 120:
        raise ValidationError({"valid_days": _("A code is valid for 1 to 120 days.")})
    until = timezone.now() + datetime.timedelta(days=valid_days)
    made = VoteCode.objects.bulk_create([VoteCode(selection=selection, valid_until=until) for _i in range(count)])
    audit.record(actor, audit.Action.CREATE, selection, {"vote_codes": [None, count]}, verb=audit.Event.VOTE_CODES_ISSUED)
    return made


def vote_code_problem(code_row, now=None):
    now = now or timezone.now()
    if code_row is None:
        return _("This vote code does not exist.")
    if code_row.used:
        return _("This vote code has already been used.")
    if code_row.selection.status not in (Status.NOMINATING, Status.REVIEW):
        return _("Voting in this selection has closed.")
    if code_row.valid_until < now:
        return _("This vote code has expired.")
    return ""


def find_vote_code(code):
    code = (code or "").strip().upper()
    return VoteCode.objects.select_related("selection").filter(code=code).first()


@transaction.atomic
def cast_vote(code, *, nomination_ids, now=None):
    """Anonymous: one vote per code, at most `quota` choices. The code is used up with
    a conditional UPDATE (used = false -> true), so of two submissions exactly one counts."""
    now = now or timezone.now()
    code_row = find_vote_code(code)
    problem = vote_code_problem(code_row, now)
    if problem:
        raise ValidationError({"code": problem})
    selection = code_row.selection
    try:
        ids = {int(i) for i in nomination_ids or ()}
    except (TypeError, ValueError):
        ids = set()
    if not ids:
        raise ValidationError({"nominations": _("Choose at least one candidate.")})
    if len(ids) > selection.quota:
        raise ValidationError({"nominations": _("Choose at most %(quota)s candidates.") % {"quota": selection.quota}})
    valid = set(selection.nominations.exclude(state=State.REJECTED).filter(pk__in=ids).values_list("pk", flat=True))
    if valid != ids:
        raise ValidationError({"nominations": _("Choose among the candidates of this selection.")})
    if not VoteCode.objects.filter(pk=code_row.pk, used=False).update(used=True):
        raise ValidationError({"code": _("This vote code has already been used.")})
    Ballot.objects.bulk_create([Ballot(selection=selection, nomination_id=i, voted_on=timezone.localdate(now))
                                for i in sorted(ids)])
    Nomination.objects.filter(pk__in=ids).update(votes=F("votes") + 1)
    # Anonymous: the audit row names the selection, never the code nor the choices.
    audit.record(None, audit.Action.CREATE, selection, {"ballots": [None, 1]}, verb=audit.Event.VOTE_CAST)
    return len(ids)
