"""Intake (`intake_case`): from the signboard, a phone call or letter, a rating's or an
evaluation's comment, the review campaign, another system (API) or a public notice's
objection. The case is dispatched at once when what it is about names its unit (the post's,
the window's or the person's); otherwise the office dispatches it. Praise closes at once with
thanks to the person, and counts in their record."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.system import is_system
from vanguard.core.text import has_control
from vanguard.core.upload_checks import EXTENSIONS, check_upload
from vanguard.org.models import ServiceCentre
from vanguard.org.phones import normalise_mobile

from .base import Step, _is_staff_of, _log, _save, _text, _user, calendar, is_office, redact, rules_for
from .models import Case, CaseAttachment, Kind, Source, Status, new_number

PHOTO_KINDS = ("jpeg", "png")
PHOTO_MAX_FILES = 3
PHOTO_MAX_BYTES = getattr(settings, "CASE_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# Sources the public files through (no account); the others are entered by staff or systems.
PUBLIC_SOURCES = (Source.SIGNBOARD, Source.CAMPAIGN, Source.OBJECTION)
STAFF_SOURCES = (Source.PHONE, Source.LETTER)
OFFICE_SOURCES = (Source.RATING_COMMENT, Source.EVALUATION_COMMENT, Source.API)
# An earlier complaint of the same mobile about the same unit within this many days makes a repeat.
REPEAT_DAYS = 365


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
    audit.record_create(actor, case, verb=audit.Event.CASE_RECEIVED, centre_id=centre.pk)
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
    _save(actor, case, before, audit.Event.CASE_CLOSED)
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
    _save(actor, case, before, audit.Event.CASE_DISPATCHED)
    _log(actor, case, action, at=now, note=note, deadline=case.due,
         public_note=_("Sent to %(unit)s; to be answered by %(due)s.") % {"unit": unit.name,
                                                                         "due": case.due.isoformat()})
    return case



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
