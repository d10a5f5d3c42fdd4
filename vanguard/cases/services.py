"""The use cases of cases (诉求件), following the 12345 hotline's rules:

- intake (`intake_case`): from the signboard, a phone call or letter, a rating's or an
  evaluation's comment, the review campaign, another system (API) or a public notice's
  objection. The case is dispatched at once when what it is about names its unit
  (the post's, the window's or the person's); otherwise the office dispatches it.
- dispatch (派单) / accept (签收) / return (退单): the unit accepts within the centre's
  accept days or returns it with a reason; the office decides (re-dispatch, here or to
  another unit, or close).
- deadlines in working days by kind (core/workdays.py, official holidays skipped),
  reminders (催办) before them and overdue recorded once, by the sweep (`sweep`);
  supervision (督办) with its own deadline and a note to the unit's leader; an
  extension (延期) asked with a reason and granted or refused by the office.
- answer, call-back (回访): dissatisfied sends the case back (重办) with a new deadline,
  up to the centre's redo limit, after which the office decides.
- praise closes at once with thanks to the person, and counts in their record.

Every function is one transaction, checks the actor's right first, writes its audit
row and the case's step. Bad input is a ValidationError naming the field, in Chinese."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.system import SYSTEM, actor_name, is_system
from vanguard.core.text import has_control
from vanguard.core.upload_checks import EXTENSIONS, check_upload
from vanguard.core.workdays import WorkingCalendar
from vanguard.org.models import ServiceCentre, Unit
from vanguard.org.phones import normalise_mobile

from .models import (
    Callback,
    Case,
    CaseAttachment,
    CaseRules,
    CaseStep,
    Extension,
    Kind,
    Source,
    Status,
    new_number,
)

Step = CaseStep.Action
CONTENT_MAX = 2000
PHOTO_KINDS = ("jpeg", "png")
PHOTO_MAX_FILES = 3
PHOTO_MAX_BYTES = getattr(settings, "CASE_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# Sources the public files through (no account); the others are entered by staff or systems.
PUBLIC_SOURCES = (Source.SIGNBOARD, Source.CAMPAIGN, Source.OBJECTION)
STAFF_SOURCES = (Source.PHONE, Source.LETTER)
OFFICE_SOURCES = (Source.RATING_COMMENT, Source.EVALUATION_COMMENT, Source.API)
# An earlier complaint of the same mobile about the same unit within this many days makes a repeat.
REPEAT_DAYS = 365


# Rules and calendar -------------------------------------------------------------------

def rules_for(centre):
    """The centre's case rules (an unsaved row of defaults when the office set none)."""
    centre_id = getattr(centre, "pk", centre)
    return CaseRules.objects.filter(centre_id=centre_id).first() or CaseRules(centre_id=centre_id)


def calendar():
    return WorkingCalendar()


# Personal data out of public text --------------------------------------------------------

MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text, names=()):
    """The citizen's words with mobiles, phone numbers, identity numbers, e-mail addresses
    and the names they gave replaced by a mark: what public pages show."""
    text = ID_RE.sub(_("[ID number removed]"), text or "")
    text = MOBILE_RE.sub(_("[phone removed]"), text)
    text = PHONE_RE.sub(_("[phone removed]"), text)
    text = EMAIL_RE.sub(_("[e-mail removed]"), text)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            text = text.replace(name, _("[name removed]"))
    return text


# Permissions ----------------------------------------------------------------------------

def is_office(user, centre_id):
    return is_office_of(user, centre_id)


def is_handler(user, unit_id):
    scope = scope_for(user)
    return scope.is_admin or (unit_id is not None and unit_id in scope.units(Role.HANDLER))


def can_see_contact(user, case):
    """The citizen's name and mobile: the handling unit's handlers and the office only."""
    return is_office(user, case.centre_id) or (case.unit_id is not None and is_handler(user, case.unit_id))


def _is_staff_of(user, centre_id):
    scope = scope_for(user)
    return scope.is_admin or centre_id in scope.centres(Role.OFFICE, Role.HANDLER)


def _require_office(actor, case, message=None):
    require(is_office(actor, case.centre_id), message or _("Only the party-building office may do this."))


def _require_handler(actor, case):
    require(case.unit_id is not None and is_handler(actor, case.unit_id),
            _("Only the responsible unit's case handlers may do this."))


# Steps and state -------------------------------------------------------------------------

def _user(actor):
    return actor if getattr(actor, "pk", None) and not is_system(actor) else None


def _log(actor, case, action, *, note="", public_note="", public=True, deadline=None, at=None):
    return CaseStep.objects.create(
        case=case, round=case.round, action=action, at=at or timezone.now(), actor=_user(actor),
        actor_name=actor_name(actor) if _user(actor) or is_system(actor) else "", unit_id=case.unit_id,
        note=note or "", public_note=public_note or "", public=public, deadline=deadline)


def _locked(case):
    return Case.objects.select_for_update().get(pk=case.pk)


def _expect(case, statuses, message=None):
    if case.status not in statuses:
        raise ValidationError({"status": message or _(
            "This case is “%(status)s”; this step is not possible now.") % {"status": case.get_status_display()}})


def _text(value, field, message, limit=CONTENT_MAX):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
    if has_control(value, multiline=True):
        raise ValidationError({field: _("Contains an invisible control character; retype the text without it.")})
    return value


def _optional(value, field, limit=CONTENT_MAX):
    value = (value or "").strip()
    if value:
        return _text(value, field, "", limit)
    return ""


def _save(actor, case, before, verb):
    case.save()
    audit.record_update(actor, case, before, verb=verb)
    return case


# Intake --------------------------------------------------------------------------------

def route(*, unit=None, post=None, window=None, person=None):
    """The unit that owns what a case is about: the one named, else the person's, the
    window's, the post's (its unit, else its window's unit)."""
    if unit is not None:
        return unit
    if person is not None and person.unit_id:
        return person.unit
    if window is not None:
        return window.unit
    if post is not None:
        if post.unit_id:
            return post.unit
        if post.window_id:
            return post.window.unit
    return None


def _check_places(centre, unit, post, window, person):
    for field, obj in (("unit", unit), ("post", post), ("window", window), ("person", person)):
        if obj is not None and obj.centre_id != centre.pk:
            raise ValidationError({field: _("This does not belong to the service centre of the case.")})


def _photos(photos):
    photos = [p for p in (photos or []) if p]
    if len(photos) > PHOTO_MAX_FILES:
        raise ValidationError({"photos": _("At most %(n)s photos may be attached.") % {"n": PHOTO_MAX_FILES}})
    checked = []
    for photo in photos:
        kind = check_upload(photo, kinds=PHOTO_KINDS, field="photos", limit=PHOTO_MAX_BYTES)
        checked.append((photo, kind))
    return checked


def _repeat_of(centre_id, kind, mobile, unit, today):
    if kind != Kind.COMPLAINT or not mobile or unit is None:
        return None
    since = today - datetime.timedelta(days=REPEAT_DAYS)
    return (Case.objects.filter(contact_mobile=mobile, received_on__gte=since, unit=unit, kind=Kind.COMPLAINT,
                                centre_id=centre_id).order_by("received_at").values_list("pk", flat=True).first())


def _may_intake(actor, centre, source):
    if is_system(actor) or source in PUBLIC_SOURCES:
        return
    if source in STAFF_SOURCES:
        require(_is_staff_of(actor, centre.pk), _("Only the office or a unit's case handler may enter a case."))
        return
    require(is_office(actor, centre.pk), _("Only the party-building office may turn this into a case."))


def check_public_input(*, kind, content):
    """The checks of a citizen's words that intake_case makes first (the form runs them before
    spending the SMS code)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose what the case is: complaint, suggestion, request for help or "
                                         "praise.")})
    return _text(content, "content", _("Say what the case is about."))


@transaction.atomic
def intake_case(actor, *, centre, kind, content, source, unit=None, post=None, person=None, source_ref="",
                contact_name="", contact_mobile="", anonymous=True, window=None, photos=(), mobile_proof=None,
                received_at=None):
    """Register a case and dispatch it to the unit that owns what it is about (when that is
    known; the office dispatches the others). Praise closes at once with thanks.

    The citizen stays anonymous unless they give a name or a mobile (`anonymous` is kept for
    callers' clarity: a contact given is a contact kept). A mobile given on a
    public form must be proved by a one-time SMS code (`mobile_proof`, from
    cases.verification.verify_code); staff entering a call or a letter take it as given."""
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source of a case.")})
    if not isinstance(centre, ServiceCentre):
        centre = ServiceCentre.objects.get(pk=centre)
    _may_intake(actor, centre, source)
    content = check_public_input(kind=kind, content=content)
    source_ref = (source_ref or "").strip()
    if len(source_ref) > 64 or has_control(source_ref):
        raise ValidationError({"source_ref": _("The original number is at most 64 characters.")})
    contact_name = (contact_name or "").strip()
    if len(contact_name) > 50 or has_control(contact_name):
        raise ValidationError({"contact_name": _("The name is at most 50 characters.")})
    mobile, verified = "", False
    if (contact_mobile or "").strip():
        try:
            mobile = normalise_mobile(contact_mobile)
        except ValidationError as e:
            raise ValidationError({"contact_mobile": e.messages}) from None
        if mobile_proof is not None:
            from .verification import consume_proof

            consume_proof(mobile_proof, mobile)
            verified = True
        elif source == Source.SIGNBOARD and not _is_staff_of(actor, centre.pk):
            raise ValidationError({"contact_mobile": _(
                "Verify the mobile with the code sent to it, or file the case anonymously.")})
    if post is not None and window is None and post.window_id:
        window = post.window
    _check_places(centre, unit, post, window, person)
    checked_photos = _photos(photos)
    unit = route(unit=unit, post=post, window=window, person=person)
    now = received_at or timezone.now()
    today = timezone.localdate(now)
    number = new_number()
    while Case.objects.filter(number=number).exists():  # 60 random bits: practically never
        number = new_number()
    names = [contact_name] if contact_name else []
    case = Case(
        number=number, centre=centre, kind=kind, source=source, source_ref=source_ref, content=content,
        public_content=redact(content, names), post=post, window=window, person=person, unit=None,
        anonymous=not (contact_name or mobile),
        contact_name=contact_name, contact_mobile=mobile, mobile_verified=verified, received_at=now,
        received_on=today, created_by=_user(actor),
        repeat_of_id=_repeat_of(centre.pk, kind, mobile, unit, today))
    case.save()
    audit.record_create(actor, case, verb="receive case", centre_id=centre.pk)
    _log(actor, case, Step.RECEIVE, at=now, public_note=case.get_source_display())
    for photo, photo_kind in checked_photos:
        attachment = CaseAttachment(case=case, kind=photo_kind, size=photo.size)
        attachment.file.save(f"photo{EXTENSIONS[photo_kind]}", photo, save=False)
        attachment.save()
    if kind == Kind.PRAISE:
        return _close_praise(actor, case, unit, now)
    if unit is not None:
        _dispatch(actor, case, unit, now=now, action=Step.DISPATCH)
    return case


def _close_praise(actor, case, unit, now):
    """Praise: passed on with thanks to the person (or unit) and closed; it counts in their record."""
    before = audit.snapshot(case)
    case.unit = unit
    case.status, case.closed_at = Status.CLOSED, now
    _save(actor, case, before, "close case")
    who = str(case.person) if case.person_id else (str(unit) if unit is not None else str(case.centre))
    _log(actor, case, Step.THANKS, at=now, public_note=_("Thank you. Your praise was passed on to %(who)s.") % {
        "who": who if not case.person_id else _("the member of staff")}, note=who)
    return case


def _dispatch(actor, case, unit, *, now, action, note=""):
    rules = rules_for(case.centre_id)
    cal = calendar()
    today = timezone.localdate(now)
    before = audit.snapshot(case)
    case.unit = unit
    case.status = Status.DISPATCHED
    case.dispatched_at = now
    case.accept_due = cal.add_working_days(today, rules.accept_days)
    case.due = cal.add_working_days(today, rules.days_for(case.kind))
    case.accepted_at = None
    case.return_reason = ""
    case.reminded_for = None
    _save(actor, case, before, "dispatch case")
    _log(actor, case, action, at=now, note=note, deadline=case.due,
         public_note=_("Sent to %(unit)s; to be answered by %(due)s.") % {"unit": unit.name,
                                                                         "due": case.due.isoformat()})
    return case


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
    _save(actor, case, before, "accept case")
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
    _save(actor, case, before, "return case")
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
    _save(actor, case, before, "supervise case")
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
    _save(actor, case, before, "ask extension")
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
        _save(actor, case, before, "grant extension")
        _log(actor, case, Step.GRANT_EXTENSION, note=note, deadline=case.due, public_note=_(
            "More time granted; to be answered by %(due)s.") % {"due": case.due.isoformat()})
    else:
        case.extension = Extension.REFUSED
        _save(actor, case, before, "refuse extension")
        _log(actor, case, Step.REFUSE_EXTENSION, note=note, public=False)
    return case


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
    _save(actor, case, before, "answer case")
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
    _save(actor, case, before, "close case")
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
    _save(actor, case, before, "call back")
    _log(actor, case, Step.CALL_BACK, note=note, public_note=Callback(result).label)
    if result != Callback.DISSATISFIED:
        return _close(actor, case, now, _("Closed after the call-back."))
    rules = rules_for(case.centre_id)
    if case.round > rules.redo_limit:
        before = audit.snapshot(case)
        case.status = Status.OFFICE_DECIDES
        _save(actor, case, before, "refer to office")
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
    _save(actor, case, before, "redo case")
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
        audit.record_create(actor, rules, verb="case rules", centre_id=centre.pk)
    else:
        audit.record_update(actor, rules, before, verb="case rules", centre_id=centre.pk)
    return rules


# Notices to units -----------------------------------------------------------------------

def _notice(case, subject, body):
    """Urgent: the unit's handlers (and liaison) in their inboxes and by SMS."""
    from vanguard.notices.services import notify

    notify(SYSTEM, recipients=[case.unit], kind="escalation", urgency="urgent", centre=case.centre,
           title=subject[:200], body=body, url=f"/cases/{case.pk}/")


# Comments of ratings and evaluations, turned into cases by the office ------------------------

def _kind_for_level(level):
    return Kind.COMPLAINT if level <= 2 else Kind.SUGGESTION if level == 3 else Kind.PRAISE


def _existing(centre_id, source, ref):
    return Case.objects.filter(centre_id=centre_id, source=source, source_ref=ref).values_list(
        "number", flat=True).first()


def _already(number):
    return ValidationError({"source_ref": _("This comment is already case %(number)s.") % {"number": number}})


@transaction.atomic
def case_from_rating(actor, rating, *, kind=None):
    """The office turns a rating's comment into a case about its window, person and post; the
    rater's mobile (given when served) comes along so the unit can answer."""
    require(is_office(actor, rating.centre_id), _("Only the party-building office may turn this into a case."))
    if not (rating.comment or "").strip():
        raise ValidationError({"content": _("This rating has no comment to turn into a case.")})
    txn = rating.transaction
    ref = txn.number
    found = _existing(rating.centre_id, Source.RATING_COMMENT, ref)
    if found:
        raise _already(found)
    mobile = ""
    for raw in (rating.rater_phone, txn.rater_phone):
        try:
            mobile = normalise_mobile(raw) if raw else ""
        except ValidationError:
            mobile = ""
        if mobile:
            break
    return intake_case(actor, centre=rating.centre, kind=kind or _kind_for_level(rating.level),
                       content=rating.comment, source=Source.RATING_COMMENT, source_ref=ref, post=rating.post,
                       window=rating.window, person=rating.person, unit=rating.unit,
                       contact_name=rating.rater_name or txn.rater_name, contact_mobile=mobile)


@transaction.atomic
def case_from_evaluation(actor, item, *, kind=Kind.SUGGESTION):
    """The office turns an evaluation answer's comment into a case (anonymous, like the answer),
    about the post it was written for when there is one."""
    evaluation = item.sheet.evaluation
    require(is_office(actor, evaluation.centre_id), _("Only the party-building office may turn this into a case."))
    if not (item.text or "").strip():
        raise ValidationError({"content": _("This answer has no comment to turn into a case.")})
    ref = str(item.pk)
    found = _existing(evaluation.centre_id, Source.EVALUATION_COMMENT, ref)
    if found:
        raise _already(found)
    return intake_case(actor, centre=evaluation.centre, kind=kind, content=item.text,
                       source=Source.EVALUATION_COMMENT, source_ref=ref, post=item.post)
