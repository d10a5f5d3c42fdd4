"""Use cases of organisational life: meetings, attendance, sign-in, leave and make-up
study, service activities. Every function checks the actor's right, validates the whole
input before writing anything, and writes its audit row in the same transaction."""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.core.upload_checks import EXTENSIONS, check_upload
from vanguard.org.models import Organization, Person

from .models import (
    DEFAULT_ACTIVITY_KINDS,
    DEFAULT_CADENCE,
    Activity,
    ActivityKind,
    ActivityParticipant,
    Attendance,
    Cadence,
    Meeting,
    MeetingFile,
    MeetingKind,
    SignIn,
)
from .permissions import manages, require_manager, require_office

# The sign-in window: from this long before the meeting starts to its end.
SIGNIN_OPENS_BEFORE = datetime.timedelta(minutes=getattr(settings, "LIFE_SIGNIN_OPENS_MINUTES", 30))
# A code is valid for its own slot and the one after: 30 to 60 seconds.
CODE_SECONDS = getattr(settings, "LIFE_SIGNIN_CODE_SECONDS", 30)
MAX_HOURS_A_DAY = Decimal("24")
DEFAULT_LENGTH = datetime.timedelta(hours=2)
ORGANISATION_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH, Organization.Kind.GROUP,
                      Organization.Kind.COMMITTEE)


# Cadence ---------------------------------------------------------------------------------------------


def cadence_for(centre):
    """{kind: months} for this centre (0 = not required)."""
    result = {k.value if hasattr(k, "value") else k: v for k, v in DEFAULT_CADENCE.items()}
    for kind, months in Cadence.objects.filter(centre=centre).values_list("kind", "months"):
        result[kind] = months
    return result


@transaction.atomic
def set_cadence(actor, centre, kind, months):
    require_office(actor, centre.pk)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose a meeting kind.")})
    if months not in (0, 1, 3, 6, 12):
        raise ValidationError({"months": _("A cadence is monthly, quarterly, half-yearly, yearly or not required.")})
    before = cadence_for(centre)[kind]
    Cadence.objects.update_or_create(centre=centre, kind=kind, defaults={"months": months})
    audit.record(actor, audit.Action.UPDATE, centre, {f"cadence:{kind}": [before, months]},
                 verb=Event.MEETING_CADENCE_SET, centre_id=centre.pk)


# Meetings -------------------------------------------------------------------------------------------


def members_of(organization):
    """The active party members registered in the organisation's subtree."""
    return Person.objects.members().filter(is_active=True, centre_id=organization.centre_id,
                                           branch__path__startswith=organization.path)


def _check_people(organization, people, field):
    """Person objects for ids or people, all members of the organisation; else a message naming them."""
    ids = [getattr(p, "pk", p) for p in people]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose people from the list.")}) from None
    found = {p.pk: p for p in members_of(organization).filter(pk__in=ids)}
    strangers = [i for i in ids if i not in found]
    if strangers:
        names = ", ".join(Person.objects.filter(pk__in=strangers).values_list("name", flat=True)[:5]) or _("unknown")
        raise ValidationError({field: _("%(names)s: not a member of %(organization)s.")
                               % {"names": names, "organization": organization.name}})
    return [found[i] for i in dict.fromkeys(ids)]


def _local_date(moment):
    return timezone.localtime(moment).date()


def _validate_meeting(organization, kind, topic, starts_at, ends_at):
    errors = {}
    if organization.kind not in ORGANISATION_KINDS:
        errors["organization"] = _("Meetings are held by a branch, a general branch, a group or a committee.")
    if kind not in MeetingKind.values:
        errors["kind"] = _("Choose a meeting kind.")
    if not (topic or "").strip():
        errors["topic"] = _("Give the meeting's topic.")
    if starts_at is None:
        errors["starts_at"] = _("Give the meeting's time.")
    elif ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif ends_at is not None and ends_at - starts_at > datetime.timedelta(hours=24):
        errors["ends_at"] = _("A meeting lasts at most one day.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_meeting(actor, organization, *, kind, topic, starts_at, ends_at=None, place="", host=None, recorder=None,
                 expected=None, minutes="", resolutions=""):
    """A planned meeting with its expected members (all the organisation's members unless named)."""
    require_manager(actor, organization)
    ends_at = ends_at or (starts_at + DEFAULT_LENGTH if starts_at else None)
    _validate_meeting(organization, kind, topic, starts_at, ends_at)
    people = _check_people(organization, expected, "expected") if expected is not None else list(members_of(organization))
    if not people:
        raise ValidationError({"expected": _("Name at least one member expected at the meeting.")})
    officers = _check_people(organization, [p for p in (host, recorder) if p is not None], "host")
    meeting = Meeting(centre_id=organization.centre_id, organization=organization, kind=kind, topic=topic.strip(),
                      starts_at=starts_at, ends_at=ends_at, date=_local_date(starts_at), place=place,
                      host=host and officers[0], recorder=recorder and officers[-1], minutes=minutes,
                      resolutions=resolutions, created_by=actor if getattr(actor, "pk", None) else None)
    meeting.save()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p) for p in people], batch_size=1000)
    audit.record_create(actor, meeting, verb=Event.MEETING_PLANNED, centre_id=meeting.centre_id)
    return meeting


MEETING_FIELDS = ("kind", "topic", "starts_at", "ends_at", "place", "host", "recorder", "minutes", "resolutions")


@transaction.atomic
def update_meeting(actor, meeting, *, expected=None, **fields):
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_manager(actor, meeting.organization)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    if "starts_at" in fields and "ends_at" not in fields:
        meeting.ends_at = meeting.starts_at + DEFAULT_LENGTH
    _validate_meeting(meeting.organization, meeting.kind, meeting.topic, meeting.starts_at, meeting.ends_at)
    _check_people(meeting.organization, [p for p in (meeting.host, meeting.recorder) if p is not None], "host")
    if meeting.is_held:
        _check_not_future(meeting)
    meeting.date = _local_date(meeting.starts_at)
    changes = {}
    if expected is not None:
        people = _check_people(meeting.organization, expected, "expected")
        if not people:
            raise ValidationError({"expected": _("Name at least one member expected at the meeting.")})
        wanted = {p.pk for p in people}
        current = dict(meeting.attendances.values_list("person_id", "status"))
        removed = set(current) - wanted
        kept_records = [pid for pid in removed if current[pid] != Attendance.Status.PENDING]
        if kept_records:
            raise ValidationError({"expected": _("%(names)s already have attendance recorded and stay on the list.")
                                   % {"names": ", ".join(Person.objects.filter(pk__in=kept_records)
                                                         .values_list("name", flat=True)[:5])}})
        meeting.attendances.filter(person_id__in=removed).delete()
        SignIn.objects.filter(meeting=meeting, person_id__in=removed).delete()
        Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=pid) for pid in wanted - set(current)])
        if removed or wanted - set(current):
            changes["expected"] = [sorted(current), sorted(wanted)]
    meeting.save()
    after = audit.snapshot(meeting)
    changes.update(audit.diff(before, after))
    if changes:
        audit.record(actor, audit.Action.UPDATE, meeting, changes, verb=Event.MEETING_CHANGED,
                     centre_id=meeting.centre_id)
    return meeting


def _check_not_future(meeting, now=None):
    if meeting.starts_at > (now or timezone.now()):
        raise ValidationError({"status": _("A meeting dated in the future (%(time)s) cannot be recorded as held.")
                               % {"time": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")}})


@transaction.atomic
def record_held(actor, meeting, *, minutes=None, resolutions=None, now=None):
    """The meeting took place: its minutes and resolutions; it now counts."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_manager(actor, meeting.organization)
    _check_not_future(meeting, now)
    before = audit.snapshot(meeting, fields={"status", "minutes", "resolutions"})
    if minutes is not None:
        meeting.minutes = minutes
    if resolutions is not None:
        meeting.resolutions = resolutions
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes of the meeting before recording it as held.")})
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status", "minutes", "resolutions", "updated_at"])
    audit.record_update(actor, meeting, before, verb=Event.MEETING_HELD, centre_id=meeting.centre_id)
    return meeting


@transaction.atomic
def add_meeting_file(actor, meeting, file, kind=MeetingFile.Kind.ATTACHMENT):
    require_manager(actor, meeting.organization)
    kinds = ("jpeg", "png") if kind == MeetingFile.Kind.PHOTO else ("pdf", "docx", "jpeg", "png")
    sniffed = check_upload(file, kinds=kinds, field="file")
    item = MeetingFile(meeting=meeting, kind=kind, name=(file.name or "")[:200])
    item.file.save(f"meeting-{meeting.pk}{EXTENSIONS[sniffed]}", file, save=False)
    item.save()
    audit.record(actor, audit.Action.CREATE, meeting, {"file": [None, item.name]}, verb=Event.MEETING_FILE_ADDED,
                 centre_id=meeting.centre_id)
    return item


# Attendance -----------------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(actor, meeting, marks, reasons=None, now=None):
    """The secretary's tick-list: {person id: status}; a leave needs its reason (in `reasons`).
    The whole list is checked before anything is written."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_manager(actor, meeting.organization)
    reasons = reasons or {}
    now = now or timezone.now()
    if meeting.starts_at - SIGNIN_OPENS_BEFORE > now:
        raise ValidationError({"status": _("Attendance can be recorded once the meeting has begun.")})
    try:
        marks = {int(k): v for k, v in marks.items()}
    except (TypeError, ValueError):
        raise ValidationError({"marks": _("Choose people from the list.")}) from None
    rows = {a.person_id: a for a in meeting.attendances.select_related("person").filter(person_id__in=list(marks))}
    strangers = [pid for pid in marks if pid not in rows]
    if strangers:
        names = list(Person.objects.filter(pk__in=strangers).values_list("name", "branch__name"))
        other = [f"{n}（{b or _('no branch')}）" for n, b in names] or [str(s) for s in strangers]
        raise ValidationError({"marks": _("%(names)s: not expected at this meeting of %(organization)s.")
                               % {"names": ", ".join(other[:5]), "organization": meeting.organization.name}})
    errors = []
    allowed = {Attendance.Status.PRESENT, Attendance.Status.LEAVE, Attendance.Status.ABSENT, Attendance.Status.PENDING}
    for pid, status in marks.items():
        if status not in allowed:
            errors.append(_("%(name)s: choose present, on leave or absent.") % {"name": rows[pid].person.name})
        elif status == Attendance.Status.LEAVE and not (reasons.get(pid) or reasons.get(str(pid))
                                                        or rows[pid].leave_reason).strip():
            errors.append(_("%(name)s: give the reason for leave.") % {"name": rows[pid].person.name})
    if errors:
        raise ValidationError({"marks": errors})
    changed, cells = [], []
    for pid, status in marks.items():
        row = rows[pid]
        before = (row.status, row.leave_reason)
        row.status = status
        if status == Attendance.Status.LEAVE:
            row.leave_reason = (reasons.get(pid) or reasons.get(str(pid)) or row.leave_reason).strip()[:200]
            if row.leave_approved_at is None:
                row.leave_approved_by = actor if getattr(actor, "pk", None) else None
                row.leave_approved_at = now
        if status == Attendance.Status.PRESENT and not row.method:
            row.method = Attendance.Method.SECRETARY
            row.signed_in_at = row.signed_in_at or now
        if before != (row.status, row.leave_reason):
            changed.append(row)
            cells.append({"person": row.person.name, "status": [before[0], status]})
    Attendance.objects.bulk_update(changed, ["status", "leave_reason", "leave_approved_by", "leave_approved_at",
                                             "method", "signed_in_at"])
    if changed:
        audit.record(actor, audit.Action.UPDATE, meeting, {"attendance": cells}, verb=Event.ATTENDANCE_RECORDED,
                     centre_id=meeting.centre_id)
    return len(changed)


@transaction.atomic
def request_leave(actor, meeting, reason):
    person = getattr(actor, "person", None)
    row = Attendance.objects.select_for_update().filter(meeting=meeting, person=person).first() if person else None
    if row is None:
        raise ValidationError(_("You are not on the list of members expected at this meeting."))
    if not (reason or "").strip():
        raise ValidationError({"leave_reason": _("Give the reason for leave.")})
    if row.status == Attendance.Status.PRESENT:
        raise ValidationError(_("You have already signed in to this meeting."))
    row.leave_reason = reason.strip()[:200]
    row.leave_requested_at = timezone.now()
    row.save(update_fields=["leave_reason", "leave_requested_at"])
    audit.record(actor, audit.Action.ACTION, row, {"leave_reason": [None, row.leave_reason]},
                 verb=Event.LEAVE_REQUESTED, centre_id=meeting.centre_id)
    return row


@transaction.atomic
def decide_leave(actor, attendance, approve):
    row = Attendance.objects.select_for_update().select_related("meeting__organization").get(pk=attendance.pk)
    require_manager(actor, row.meeting.organization)
    if row.leave_requested_at is None:
        raise ValidationError(_("No leave was asked for."))
    if row.status == Attendance.Status.PRESENT:
        raise ValidationError(_("The member was present: there is no leave to decide."))
    before = row.status
    if approve:
        row.status = Attendance.Status.LEAVE
        row.leave_approved_by = actor if getattr(actor, "pk", None) else None
        row.leave_approved_at = timezone.now()
    else:
        row.status = Attendance.Status.PENDING if not row.meeting.is_held else Attendance.Status.ABSENT
        row.leave_requested_at = None
    row.save(update_fields=["status", "leave_approved_by", "leave_approved_at", "leave_requested_at"])
    audit.record(actor, audit.Action.UPDATE, row, {"status": [before, row.status], "approved": [None, bool(approve)]},
                 verb=Event.LEAVE_DECIDED, centre_id=row.meeting.centre_id)
    return row


@transaction.atomic
def record_makeup(actor, attendance, *, on, note):
    """补学: the member (or the secretary for them) records the make-up study of a missed meeting."""
    row = Attendance.objects.select_for_update().select_related("meeting__organization").get(pk=attendance.pk)
    own = scope_for(actor).person_id == row.person_id
    require(own or manages(actor, row.meeting.organization))
    errors = {}
    if row.status == Attendance.Status.PRESENT:
        errors["makeup_on"] = _("The member was present: there is nothing to make up.")
    elif on is None:
        errors["makeup_on"] = _("Give the date of the make-up study.")
    elif on < row.meeting.date:
        errors["makeup_on"] = _("The make-up study comes after the meeting (%(date)s).") % {"date": row.meeting.date}
    elif on > timezone.localdate():
        errors["makeup_on"] = _("The make-up study cannot be dated in the future.")
    if not (note or "").strip():
        errors["makeup_note"] = _("Say what was studied.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(row, fields={"makeup_on", "makeup_note"})
    row.makeup_on, row.makeup_note = on, note.strip()[:200]
    row.save(update_fields=["makeup_on", "makeup_note"])
    audit.record_update(actor, row, before, verb=Event.MAKEUP_RECORDED, centre_id=row.meeting.centre_id)
    return row


# Sign-in --------------------------------------------------------------------------------------------


def _slot(moment):
    return int(moment.timestamp()) // CODE_SECONDS


def _mac(meeting_id, slot):
    return salted_hmac("vanguard.life.signin", f"{meeting_id}:{slot}").hexdigest()[:20]


def signin_code(meeting, now=None):
    """The code the meeting's QR shows now: signed with the meeting and the time slot."""
    slot = _slot(now or timezone.now())
    return f"{slot:x}-{_mac(getattr(meeting, 'pk', meeting), slot)}"


def signin_window(meeting):
    return meeting.starts_at - SIGNIN_OPENS_BEFORE, meeting.ends_at


def code_is_valid(meeting, code, now):
    """Is `code` the meeting's (a Meeting or its id) for this time slot or the one before?"""
    try:
        slot_hex, mac = (code or "").split("-", 1)
        slot = int(slot_hex, 16)
    except ValueError:
        return False
    current = _slot(now)
    return slot in (current, current - 1) and constant_time_compare(mac, _mac(getattr(meeting, "pk", meeting), slot))


def _person_of(actor):
    """The actor's person as the request already holds it (the API token reads it with the user)."""
    try:
        return actor.person
    except (AttributeError, ObjectDoesNotExist):
        return None


# One statement for a member's first sign-in (PostgreSQL): the member's attendance row at a meeting
# whose window is open, the sign-in inserted (or nothing: the unique constraint keeps the first phone's),
# and the attendance marked present. It returns a row only when the sign-in was inserted; every other
# outcome (not expected, window closed, a second phone) takes sign_in's slow path, which says why.
_SIGN_IN_AT_ONCE = """
WITH a AS (
    SELECT a.id, a.status, m.centre_id FROM life_attendance a JOIN life_meeting m ON m.id = a.meeting_id
    WHERE a.meeting_id = %(meeting)s AND a.person_id = %(person)s
      AND m.starts_at <= %(latest_start)s AND m.ends_at >= %(now)s),
s AS (
    INSERT INTO life_signin (meeting_id, person_id, at, method) SELECT %(meeting)s, %(person)s, %(now)s, %(qr)s FROM a
    ON CONFLICT (meeting_id, person_id) DO NOTHING RETURNING id),
u AS (
    UPDATE life_attendance SET status = %(present)s, signed_in_at = %(now)s,
        method = CASE WHEN method = '' THEN %(qr)s ELSE method END
    WHERE id = (SELECT id FROM a) AND status <> %(present)s AND EXISTS (SELECT 1 FROM s) RETURNING method)
SELECT a.id, a.status, a.centre_id, (SELECT method FROM u) FROM a WHERE EXISTS (SELECT 1 FROM s)
"""


def _sign_in_at_once(actor, meeting_id, person, now):
    with connection.cursor() as cursor:
        cursor.execute(_SIGN_IN_AT_ONCE, {
            "meeting": meeting_id, "person": person.pk, "now": now, "latest_start": now + SIGNIN_OPENS_BEFORE,
            "qr": Attendance.Method.QR, "present": Attendance.Status.PRESENT})
        found = cursor.fetchone()
    if found is None:
        return None
    attendance_id, before, centre_id, method = found
    if method is None:  # ticked by the secretary before: the sign-in is kept, nothing changes
        return Attendance.objects.select_related("person").get(pk=attendance_id), False
    row = Attendance(pk=attendance_id, meeting_id=meeting_id, person=person, status=Attendance.Status.PRESENT,
                     signed_in_at=now, method=method)
    # Last in the transaction: the centre's audit chain is locked from here to the commit.
    audit.record(actor, audit.Action.ACTION, row, {"status": [before, row.status]}, verb=Event.SIGNED_IN,
                 centre_id=centre_id)
    return row, True


def sign_in(actor, meeting, code, now=None):
    """The member's phone signs in with the code scanned at the meeting (`meeting`: a Meeting the
    actor may see, or a meeting's id; an id the actor may not see raises Meeting.DoesNotExist).
    Returns (attendance, created): a second sign-in (another phone, a retry) stores nothing new.

    A member's first sign-in with a valid code is one statement on PostgreSQL (_SIGN_IN_AT_ONCE:
    the attendance row it needs is the member's own, which is what makes the meeting visible to
    them), then the audit row. Anything else, and SQLite, reads the meeting through visible_to and
    checks the window, the code and the list in turn, with a message for each."""
    now = now or timezone.now()
    meeting_id = getattr(meeting, "pk", meeting)
    person = _person_of(actor)
    if person is not None and connection.vendor == "postgresql" and code_is_valid(meeting_id, code, now):
        with transaction.atomic():
            done = _sign_in_at_once(actor, meeting_id, person, now)
            if done is not None:
                return done
    if not isinstance(meeting, Meeting):
        meeting = Meeting.objects.visible_to(actor).get(pk=meeting_id)
    person_id = scope_for(actor).person_id
    opens, closes = signin_window(meeting)
    if not (opens <= now <= closes):
        raise ValidationError({"code": _("Sign-in for this meeting is open from %(opens)s to %(closes)s.")
                               % {"opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                                  "closes": timezone.localtime(closes).strftime("%H:%M")}})
    if not code_is_valid(meeting, code, now):
        raise ValidationError({"code": _("This sign-in code has expired or belongs to another meeting: "
                                         "scan the code shown at the meeting again.")})
    with transaction.atomic():
        # The person comes along: the audit row names them (no second query).
        row = (Attendance.objects.filter(meeting=meeting, person_id=person_id).select_related("person").first()
               if person_id else None)
        if row is None:
            raise ValidationError({"code": _("You are not on the list of members expected at this meeting.")})
        try:
            with transaction.atomic():
                SignIn.objects.create(meeting=meeting, person_id=person_id, at=now, method=Attendance.Method.QR)
        except IntegrityError:
            return row, False
        if row.status == Attendance.Status.PRESENT:  # ticked by the secretary before
            return row, False
        before = row.status
        row.status, row.signed_in_at = Attendance.Status.PRESENT, now
        row.method = row.method or Attendance.Method.QR
        Attendance.objects.filter(pk=row.pk).update(status=row.status, signed_in_at=now, method=row.method)
        audit.record(actor, audit.Action.ACTION, row, {"status": [before, row.status]}, verb=Event.SIGNED_IN,
                     centre_id=meeting.centre_id)
        return row, True


# Service activities ---------------------------------------------------------------------------------


def activity_kinds(centre, active_only=True):
    """The centre's activity kinds; the seed's defaults are created the first time."""
    centre_id = getattr(centre, "pk", centre)
    kinds = ActivityKind.objects.filter(centre_id=centre_id)
    if not kinds.exists():
        ActivityKind.objects.bulk_create(
            [ActivityKind(centre_id=centre_id, code=code, name=name, counts_hours=hours, sort_order=i)
             for i, (code, name, hours) in enumerate(DEFAULT_ACTIVITY_KINDS)], ignore_conflicts=True)
    return kinds.filter(is_active=True) if active_only else kinds


@transaction.atomic
def set_activity_kind(actor, centre, *, code, name, counts_hours=True, is_active=True):
    require_office(actor, centre.pk)
    activity_kinds(centre)
    errors = {}
    if not code or not str(code).replace("_", "").isalnum() or len(code) > 20:
        errors["code"] = _("A code is up to 20 letters, digits or underscores.")
    if not (name or "").strip():
        errors["name"] = _("Give the activity kind's name.")
    if errors:
        raise ValidationError(errors)
    kind, created = ActivityKind.objects.get_or_create(
        centre=centre, code=code, defaults={"name": name.strip(), "counts_hours": counts_hours, "is_active": is_active,
                                            "sort_order": ActivityKind.objects.filter(centre=centre).count()})
    if created:
        audit.record_create(actor, kind, verb=Event.ACTIVITY_KIND_SET, centre_id=centre.pk)
    else:
        before = audit.snapshot(kind)
        kind.name, kind.counts_hours, kind.is_active = name.strip(), counts_hours, is_active
        kind.save()
        audit.record_update(actor, kind, before, verb=Event.ACTIVITY_KIND_SET, centre_id=centre.pk)
    return kind


def _hours(value):
    try:
        hours = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Hours are a number such as 2 or 1.5.")}) from None
    return hours


@transaction.atomic
def record_activity(actor, *, kind, date, hours=0, description, place="", evidence=None, people=None,
                    organization=None):
    """A member's own record (`people` None: waiting for the secretary's approval), or the
    secretary's record of a group activity (one record, many people: approved as recorded)."""
    scope = scope_for(actor)
    group = people is not None
    if group:
        if organization is None:
            raise ValidationError({"organization": _("Choose the branch that held the activity.")})
        require_manager(actor, organization)
    else:
        person = Person.objects.filter(pk=scope.person_id).select_related("branch").first() if scope.person_id else None
        require(person is not None and person.branch_id is not None,
                _("Only a party member registered with a branch records their own activities."))
        organization = person.branch
        people = [person]
    errors = {}
    if kind is None or kind.centre_id != organization.centre_id or not kind.is_active:
        errors["kind"] = _("Choose an activity kind of this centre.")
    hours = _hours(hours)
    if date is None:
        errors["date"] = _("Give the date of the activity.")
    elif date > timezone.localdate():
        errors["date"] = _("An activity cannot be dated in the future.")
    if hours < 0:
        errors["hours"] = _("Hours cannot be negative.")
    elif hours > MAX_HOURS_A_DAY:
        errors["hours"] = _("%(hours)s hours in one day is not possible: at most 24.") % {"hours": hours}
    elif kind is not None and kind.counts_hours and hours == 0:
        errors["hours"] = _("Give the hours of “%(kind)s”.") % {"kind": kind.name}
    if not (description or "").strip():
        errors["description"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)
    members = _check_people(organization, people, "people") if group else people
    if not members:
        raise ValidationError({"people": _("Name at least one participant.")})
    # Nobody works more than 24 hours in a day, counting what is already recorded.
    if hours:
        earlier = dict(ActivityParticipant.objects.filter(
            person__in=members, activity__date=date).exclude(activity__status=Activity.Status.REFUSED)
            .values("person_id").annotate(total=Sum("activity__hours")).values_list("person_id", "total"))
        over = [m.name for m in members if (earlier.get(m.pk) or 0) + hours > MAX_HOURS_A_DAY]
        if over:
            raise ValidationError({"hours": _("%(names)s would have more than 24 hours of activities on %(date)s.")
                                   % {"names": ", ".join(over[:5]), "date": date}})
    if evidence is not None:
        check_upload(evidence, kinds=("jpeg", "png"), field="evidence")
    activity = Activity(centre_id=organization.centre_id, organization=organization, kind=kind, date=date,
                        hours=hours, place=place, description=description.strip(), is_group=group,
                        recorded_by=actor if getattr(actor, "pk", None) else None)
    if group:
        activity.status = Activity.Status.APPROVED
        activity.decided_by, activity.decided_at = activity.recorded_by, timezone.now()
    if evidence is not None:
        activity.evidence.save(evidence.name or "evidence.jpg", evidence, save=False)
    activity.save()
    ActivityParticipant.objects.bulk_create([ActivityParticipant(activity=activity, person=m) for m in members],
                                            batch_size=1000)
    audit.record(actor, audit.Action.CREATE, activity,
                 {"kind": [None, kind.name], "date": [None, date.isoformat()], "hours": [None, str(hours)],
                  "people": [None, [m.name for m in members[:50]]], "count": [None, len(members)]},
                 verb=Event.ACTIVITY_RECORDED, centre_id=activity.centre_id)
    return activity


@transaction.atomic
def decide_activity(actor, activity, approve, reason=""):
    activity = Activity.objects.select_for_update().select_related("organization").get(pk=activity.pk)
    require_manager(actor, activity.organization)
    if activity.status != Activity.Status.PENDING:
        raise ValidationError(_("This activity has already been decided."))
    if not approve and not (reason or "").strip():
        raise ValidationError({"refusal_reason": _("Give the reason for refusing the record.")})
    before = audit.snapshot(activity, fields={"status", "refusal_reason"})
    activity.status = Activity.Status.APPROVED if approve else Activity.Status.REFUSED
    activity.refusal_reason = "" if approve else reason.strip()[:200]
    activity.decided_by = actor if getattr(actor, "pk", None) else None
    activity.decided_at = timezone.now()
    activity.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    audit.record_update(actor, activity, before, verb=Event.ACTIVITY_DECIDED, centre_id=activity.centre_id)
    return activity


# Due and overdue ------------------------------------------------------------------------------------


def period_of(day, months):
    """(first day, last day) of the `months`-long period (aligned on the year) holding `day`."""
    start_month = (day.month - 1) // months * months + 1
    first = datetime.date(day.year, start_month, 1)
    end_month = start_month + months
    last = (datetime.date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - datetime.timedelta(days=1))
    return first, last


def branches_of(centre):
    return Organization.objects.filter(centre=centre, kind__in=[Organization.Kind.BRANCH,
                                                                Organization.Kind.GENERAL_BRANCH])


def held_counts(centre, first_day, last_day, organizations=None):
    """{(organization id, kind): meetings held} in the range: one query."""
    rows = Meeting.objects.filter(centre=centre, status=Meeting.Status.HELD, date__gte=first_day,
                                  date__lte=last_day)
    if organizations is not None:
        rows = rows.filter(organization__in=organizations)
    from django.db.models import Count

    return {(r["organization_id"], r["kind"]): r["n"]
            for r in rows.values("organization_id", "kind").annotate(n=Count("pk")).order_by()}


def overdue(centre, today=None, branches=None):
    """[(branch, kind, (first, last) of the last whole period missed)] for the periods just ended:
    a branch that held no meeting of a required kind in its last complete period."""
    today = today or timezone.localdate()
    cadence = cadence_for(centre)
    branches = list(branches if branches is not None else branches_of(centre))
    result = []
    periods = {}
    for kind, months in cadence.items():
        if months:
            current_first, _last = period_of(today, months)
            periods[kind] = period_of(current_first - datetime.timedelta(days=1), months)
    if not periods:
        return result
    first = min(p[0] for p in periods.values())
    last = max(p[1] for p in periods.values())
    rows = Meeting.objects.filter(centre=centre, status=Meeting.Status.HELD, date__gte=first, date__lte=last,
                                  organization__in=branches).values_list("organization_id", "kind", "date")
    held = {}
    for org_id, kind, day in rows:
        held.setdefault((org_id, kind), []).append(day)
    for branch in branches:
        for kind, (p_first, p_last) in periods.items():
            if not any(p_first <= d <= p_last for d in held.get((branch.pk, kind), [])):
                result.append((branch, kind, (p_first, p_last)))
    return result


def due_soon(centre, today=None, within_days=7, branches=None):
    """[(branch, kind, last day)] of required kinds whose current period ends within `within_days`
    with no meeting of that kind held in it yet."""
    today = today or timezone.localdate()
    branches = list(branches if branches is not None else branches_of(centre))
    result = []
    cadence = {k: m for k, m in cadence_for(centre).items() if m}
    periods = {kind: period_of(today, months) for kind, months in cadence.items()}
    periods = {k: p for k, p in periods.items() if (p[1] - today).days <= within_days}
    if not periods:
        return result
    first = min(p[0] for p in periods.values())
    rows = Meeting.objects.filter(centre=centre, status=Meeting.Status.HELD, date__gte=first, date__lte=today,
                                  organization__in=branches).values_list("organization_id", "kind", "date")
    held = {}
    for org_id, kind, day in rows:
        held.setdefault((org_id, kind), []).append(day)
    for branch in branches:
        for kind, (p_first, p_last) in periods.items():
            if not any(p_first <= d for d in held.get((branch.pk, kind), [])):
                result.append((branch, kind, p_last))
    return result


def completion_board(centre, year, quarter, branches=None):
    """The quarterly 红黑榜: per branch, per required kind, meetings required and held in the
    quarter. A yearly kind is required in the fourth quarter (or earlier, if held)."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    _f, last = period_of(first, 3)
    cadence = {k: m for k, m in cadence_for(centre).items() if m}
    branches = list(branches if branches is not None else branches_of(centre).order_by("path"))
    held_quarter = held_counts(centre, first, last, branches)
    longer = {}
    for months in {m for m in cadence.values() if m > 3}:
        period_first, period_last = period_of(first, months)
        if period_last <= last:
            longer[months] = held_counts(centre, period_first, period_last, branches)
    board = []
    for branch in branches:
        lines, complete = [], True
        for kind, months in cadence.items():
            if months <= 3:
                required = 3 // months
                held = held_quarter.get((branch.pk, kind), 0)
            else:
                # A half-yearly or yearly kind: due by the end of its period.
                required = 1 if months in longer else 0
                held = longer[months].get((branch.pk, kind), 0) if required else 0
            met = held >= required
            complete &= met
            lines.append({"kind": kind, "label": MeetingKind(kind).label, "required": required, "held": held,
                          "met": met})
        board.append({"branch": branch, "lines": lines, "complete": complete})
    return board


def branch_filter_q(organizations, lookup="organization"):
    q = Q(pk__in=[])
    for org in organizations:
        q |= Q(**{f"{lookup}__path__startswith": org.path})
    return q


# Reminders ------------------------------------------------------------------------------------------

REMIND_DAYS = getattr(settings, "LIFE_REMIND_DAYS", 7)


def send_due_reminders(actor=None, today=None, within_days=REMIND_DAYS):
    """Tell each branch's secretary (their notice inbox) which required meeting kinds fall due within
    `within_days` with none held yet; each (branch, kind, period) once, however often this runs."""
    from vanguard.core.system import SYSTEM
    from vanguard.notices.services import notify

    from .models import MeetingReminder

    actor = actor or SYSTEM
    today = today or timezone.localdate()
    sent = 0
    labels = dict(MeetingKind.choices)
    centres = Organization.objects.filter(kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]) \
        .values_list("centre", flat=True).distinct()
    from vanguard.org.models import ServiceCentre

    for centre in ServiceCentre.objects.filter(pk__in=list(centres)):
        due = due_soon(centre, today, within_days)
        if not due:
            continue
        with transaction.atomic():
            existing = set(MeetingReminder.objects.filter(
                organization__in={b for b, _k, _d in due}, due_on__in={d for _b, _k, d in due})
                .values_list("organization_id", "kind", "due_on"))
            fresh = [(b, k, d) for b, k, d in due if (b.pk, k, d) not in existing]
            if not fresh:
                continue
            MeetingReminder.objects.bulk_create([MeetingReminder(organization=b, kind=k, due_on=d) for b, k, d in fresh],
                                                ignore_conflicts=True)
            by_branch = {}
            for branch, kind, day in fresh:
                by_branch.setdefault(branch, []).append((kind, day))
            for branch, kinds in by_branch.items():
                text = "；".join(_("%(kind)s by %(date)s") % {"kind": labels[k], "date": d.isoformat()} for k, d in kinds)
                notify(actor, recipients=[branch], kind="meeting", centre=centre,
                       title=_("%(branch)s: meetings falling due") % {"branch": branch.name},
                       body=_("No meeting held yet: %(list)s.") % {"list": text},
                       url=reverse("life:meeting-create"))
                audit.record(actor, audit.Action.ACTION, branch, {"kinds": [None, [k for k, _d in kinds]]},
                             verb=Event.MEETING_REMINDER, centre_id=centre.pk)
                sent += 1
    return sent
