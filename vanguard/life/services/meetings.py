"""Meetings of organisational life: the centre's cadence per kind, planning, changing, recording as held, files."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.upload_checks import EXTENSIONS, check_upload
from vanguard.org.models import Organization, Person

from ..models import (
    DEFAULT_CADENCE,
    Attendance,
    Cadence,
    Meeting,
    MeetingFile,
    MeetingKind,
    SignIn,
)
from ..permissions import require_manager, require_office

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
