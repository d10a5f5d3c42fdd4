"""Routing and deadlines: dispatch (派单), accept (签收), return (退单) with a reason; the
office's supervision (督办) with its own deadline; an extension (延期) asked with a reason and
granted or refused by the office; the centre's deadlines and limits (`set_rules`)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.org.models import Unit

from .base import (
    Step,
    _expect,
    _locked,
    _log,
    _notice,
    _optional,
    _require_handler,
    _require_office,
    _save,
    _text,
    calendar,
    is_office,
)
from .intake import _dispatch
from .models import CaseRules, Extension, Status

# Routing: dispatch, accept, return ----------------------------------------------------

@transaction.atomic
def dispatch_case(actor, case, *, unit, note=""):
    """The office sends a case to a unit (派单): a new case, a returned one (to the same unit,
    insisting, or to another), or one it re-routes. The deadlines start again from today."""
    _require_office(actor, case, _("Only the party-building office dispatches cases."))
    case = _locked(case)
    _expect(case, [Status.NEW, Status.RETURNED, Status.DISPATCHED, Status.ACCEPTED])
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that must answer.")})
    if not isinstance(unit, Unit):
        unit = Unit.objects.filter(pk=unit).first()
    if unit is None or unit.centre_id != case.centre_id:
        raise ValidationError({"unit": _("This unit does not belong to the service centre of the case.")})
    note = _optional(note, "note")
    action = Step.DISPATCH if case.status == Status.NEW else Step.REDISPATCH
    return _dispatch(actor, case, unit, now=timezone.now(), action=action, note=note)


@transaction.atomic
def accept_case(actor, case):
    """The unit takes the case (签收)."""
    _require_handler(actor, case)
    case = _locked(case)
    _expect(case, [Status.DISPATCHED])
    before = audit.snapshot(case)
    case.status, case.accepted_at = Status.ACCEPTED, timezone.now()
    _save(actor, case, before, audit.Event.CASE_ACCEPTED)
    _log(actor, case, Step.ACCEPT, public_note=_("Accepted by the unit."))
    return case


@transaction.atomic
def return_case(actor, case, *, reason):
    """The unit sends the case back (退单) with a reason: not its business, for instance.
    The office decides what follows."""
    _require_handler(actor, case)
    case = _locked(case)
    _expect(case, [Status.DISPATCHED], _("A case can be returned only before it is accepted."))
    reason = _text(reason, "reason", _("Say why the case is returned."))
    before = audit.snapshot(case)
    case.status, case.return_reason = Status.RETURNED, reason
    _save(actor, case, before, audit.Event.CASE_RETURNED)
    _log(actor, case, Step.RETURN, note=reason, public=False)
    return case


# Supervision and extension --------------------------------------------------------------

@transaction.atomic
def supervise_case(actor, case, *, due, note):
    """The office puts a case under supervision (督办): its own deadline (which the answer's
    cannot exceed) and a note to the unit's leader."""
    _require_office(actor, case, _("Only the party-building office supervises cases."))
    case = _locked(case)
    _expect(case, [Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED, Status.OFFICE_DECIDES])
    note = _text(note, "note", _("Write the note to the unit's leader."))
    if not isinstance(due, datetime.date):
        raise ValidationError({"due": _("Give the supervision deadline.")})
    if due < timezone.localdate():
        raise ValidationError({"due": _("The supervision deadline cannot be in the past.")})
    before = audit.snapshot(case)
    case.supervised_at = timezone.now()
    case.supervision_due, case.supervision_note = due, note
    if case.due is None or due < case.due:
        case.due = due
    _save(actor, case, before, audit.Event.CASE_SUPERVISED)
    _log(actor, case, Step.SUPERVISE, note=note, deadline=due, public_note=_(
        "Under the office's supervision; to be answered by %(due)s.") % {"due": case.due.isoformat()})
    _notice(case, _("Supervised case %(number)s: answer by %(due)s") % {
        "number": case.number, "due": case.due.isoformat()}, note)
    return case


@transaction.atomic
def ask_extension(actor, case, *, days, reason):
    """The unit asks for more working days (延期) with a reason; the office decides."""
    _require_handler(actor, case)
    case = _locked(case)
    _expect(case, [Status.ACCEPTED], _("An extension can be asked only while the case is being handled."))
    if case.extension == Extension.REQUESTED:
        raise ValidationError({"days": _("An extension was already asked and is waiting for the office.")})
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("Ask for 1 to 30 working days.")})
    reason = _text(reason, "reason", _("Say why more time is needed."))
    before = audit.snapshot(case)
    case.extension, case.extension_days, case.extension_reason = Extension.REQUESTED, days, reason
    _save(actor, case, before, audit.Event.CASE_EXTENSION_ASKED)
    _log(actor, case, Step.ASK_EXTENSION, note=_("%(days)s working days: %(reason)s") % {
        "days": days, "reason": reason}, public=False)
    return case


@transaction.atomic
def decide_extension(actor, case, *, grant, note=""):
    """The office grants the extension (the deadline moves by the working days asked, from
    the current deadline) or refuses it with a reason."""
    _require_office(actor, case, _("Only the party-building office decides extensions."))
    case = _locked(case)
    if case.extension != Extension.REQUESTED or case.status != Status.ACCEPTED:
        raise ValidationError({"extension": _("There is no extension request to decide.")})
    note = (note or "").strip()
    if not grant:
        note = _text(note, "note", _("Say why the extension is refused."))
    before = audit.snapshot(case)
    if grant:
        base = max(case.due or timezone.localdate(), timezone.localdate())
        case.due = calendar().add_working_days(base, case.extension_days)
        case.extension = Extension.GRANTED
        case.reminded_for = None
        _save(actor, case, before, audit.Event.CASE_EXTENSION_GRANTED)
        _log(actor, case, Step.GRANT_EXTENSION, note=note, deadline=case.due, public_note=_(
            "More time granted; to be answered by %(due)s.") % {"due": case.due.isoformat()})
    else:
        case.extension = Extension.REFUSED
        _save(actor, case, before, audit.Event.CASE_EXTENSION_REFUSED)
        _log(actor, case, Step.REFUSE_EXTENSION, note=note, public=False)
    return case



@transaction.atomic
def set_rules(actor, centre, **values):
    """The office sets its centre's deadlines and limits."""
    require(is_office(actor, centre.pk), _("Only the party-building office sets the case rules."))
    rules = CaseRules.objects.select_for_update().filter(centre=centre).first()
    created = rules is None
    rules = rules or CaseRules(centre=centre)
    before = audit.snapshot(rules)
    limits = {"help_days": (1, 60), "complaint_days": (1, 60), "suggestion_days": (1, 60), "accept_days": (1, 10),
              "remind_days": (0, 10), "redo_limit": (0, 10), "warn_upheld": (1, 100)}
    for name, value in values.items():
        if name not in limits:
            raise ValidationError({name: _("Unknown setting.")})
        low, high = limits[name]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            raise ValidationError({name: _("Give a whole number from %(low)s to %(high)s.") % {
                "low": low, "high": high}})
        setattr(rules, name, number)
    rules.save()
    if created:
        audit.record_create(actor, rules, verb=audit.Event.CASE_RULES, centre_id=centre.pk)
    else:
        audit.record_update(actor, rules, before, verb=audit.Event.CASE_RULES, centre_id=centre.pk)
    return rules

