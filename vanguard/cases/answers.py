"""Answer and call-back: the unit's answer (the citizen told by SMS), the call-back (回访),
dissatisfied sending the case back (重办) up to the centre's redo limit, the office's decision
and its closing of a case."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require

from .base import (
    Step,
    _expect,
    _locked,
    _log,
    _optional,
    _require_handler,
    _require_office,
    _save,
    _text,
    calendar,
    is_handler,
    is_office,
    redact,
    rules_for,
)
from .models import Callback, Extension, Kind, Status

# Answer, call-back, redo, close -------------------------------------------------------------

@transaction.atomic
def answer_case(actor, case, *, answer, action_taken="", upheld=None, broken_pledge=""):
    """The unit's answer and what it did. A complaint says whether it was upheld; an upheld
    complaint about a post names the signboard pledge it broke, or "none" (pledges.breaches). The citizen
    who gave a mobile is told by SMS with the link to the tracking page; a case without a
    contact cannot be called back and closes with its answer."""
    _require_handler(actor, case)
    case = _locked(case)
    if case.status == Status.CLOSED:
        raise ValidationError({"status": _("This case is closed; it cannot be answered any more.")})
    _expect(case, [Status.ACCEPTED], _("Accept the case before answering it."))
    answer = _text(answer, "answer", _("Write the answer to the citizen."))
    action_taken = _optional(action_taken, "action_taken")
    if case.kind == Kind.COMPLAINT and upheld is None:
        raise ValidationError({"upheld": _("Say whether the complaint was found justified.")})
    from vanguard.pledges import breaches

    broken_pledge = breaches.check_case_pledge(case, upheld, broken_pledge)
    now = timezone.now()
    before = audit.snapshot(case)
    newly_upheld = case.kind == Kind.COMPLAINT and bool(upheld) and case.upheld is not True
    case.answer, case.action_taken, case.answered_at = answer, action_taken, now
    case.upheld = bool(upheld) if case.kind == Kind.COMPLAINT else None
    if case.round == 1 and case.answered_on_time is None:
        case.answered_on_time = case.due is None or timezone.localdate(now) <= case.due
    case.status = Status.ANSWERED
    case.extension = "" if case.extension == Extension.REQUESTED else case.extension
    _save(actor, case, before, audit.Event.CASE_ANSWERED)
    _log(actor, case, Step.ANSWER, note="\n".join(filter(None, [action_taken, breaches.case_pledge_note(broken_pledge)])),
         public_note=redact(answer, [case.contact_name]))
    breaches.record_case_breach(actor, case, broken_pledge)
    if case.contact_mobile:
        _tell_citizen(case)
    else:
        _close(actor, case, now, _("No contact to call back: closed with the answer."))
    if newly_upheld and case.post_id:
        from .accountability import check_post_warning

        check_post_warning(actor, case)
    return case


def _tell_citizen(case):
    mobile, text = case.contact_mobile, _(
        "Your case %(number)s has been answered. See the answer at %(url)s") % {
        "number": case.number, "url": case.public_url}

    def send():
        from vanguard.messaging.direct import send_now

        send_now(mobile, text, ref_prefix=f"case{case.pk}")

    transaction.on_commit(send)


def _close(actor, case, now, public_note, note=""):
    before = audit.snapshot(case)
    case.status, case.closed_at = Status.CLOSED, now
    _save(actor, case, before, audit.Event.CASE_CLOSED)
    _log(actor, case, Step.CLOSE, at=now, note=note, public_note=public_note)
    return case


@transaction.atomic
def call_back(actor, case, *, result, note=""):
    """The call-back (回访): satisfied or basically satisfied closes the case; dissatisfied
    sends it back (重办) with a new deadline, until the centre's redo limit, after which
    the office decides."""
    require(is_office(actor, case.centre_id) or is_handler(actor, case.unit_id),
            _("Only the office or the responsible unit may record the call-back."))
    case = _locked(case)
    _expect(case, [Status.ANSWERED], _("A call-back follows an answer."))
    if result not in Callback.values:
        raise ValidationError({"result": _("Choose the result of the call-back.")})
    note = _optional(note, "note")
    now = timezone.now()
    before = audit.snapshot(case)
    case.callback, case.called_back_at = result, now
    _save(actor, case, before, audit.Event.CASE_CALLED_BACK)
    _log(actor, case, Step.CALL_BACK, note=note, public_note=Callback(result).label)
    if result != Callback.DISSATISFIED:
        return _close(actor, case, now, _("Closed after the call-back."))
    rules = rules_for(case.centre_id)
    if case.round > rules.redo_limit:
        before = audit.snapshot(case)
        case.status = Status.OFFICE_DECIDES
        _save(actor, case, before, audit.Event.CASE_REFERRED)
        _log(actor, case, Step.TO_OFFICE, public_note=_("Still dissatisfied after %(n)s rounds: the office "
                                                        "decides.") % {"n": case.round})
        return case
    return _redo(actor, case, now, rules)


def _redo(actor, case, now, rules, note=""):
    before = audit.snapshot(case)
    case.round += 1
    case.status = Status.ACCEPTED
    case.due = calendar().add_working_days(timezone.localdate(now), rules.days_for(case.kind))
    case.answer, case.action_taken, case.answered_at = "", "", None
    case.callback, case.called_back_at = "", None
    case.extension, case.reminded_for = "", None
    _save(actor, case, before, audit.Event.CASE_REDONE)
    _log(actor, case, Step.REDO, at=now, note=note, deadline=case.due, public_note=_(
        "Round %(round)s: to be answered again by %(due)s.") % {"round": case.round, "due": case.due.isoformat()})
    return case


@transaction.atomic
def decide_case(actor, case, *, redo, note):
    """The office decides a case the call-backs could not close: one more round, or close
    with its written decision."""
    _require_office(actor, case, _("Only the party-building office decides."))
    case = _locked(case)
    _expect(case, [Status.OFFICE_DECIDES])
    note = _text(note, "note", _("Write the office's decision."))
    now = timezone.now()
    case.decision_note = note
    if redo:
        return _redo(actor, case, now, rules_for(case.centre_id), note)
    return _close(actor, case, now, _("Closed by the office's decision."), note)


@transaction.atomic
def close_case(actor, case, *, note):
    """The office closes an open case by its decision, with a reason (a returned case that is
    no one's business, a duplicate, a citizen who withdrew)."""
    _require_office(actor, case, _("Only the party-building office may close a case by decision."))
    case = _locked(case)
    if case.status == Status.CLOSED:
        raise ValidationError({"status": _("This case is already closed.")})
    note = _text(note, "note", _("Give the reason for closing the case."))
    case.decision_note = note
    return _close(actor, case, timezone.now(), _("Closed by the office's decision."), note)


