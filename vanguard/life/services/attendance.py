"""Attendance at a meeting: the secretary's tick-list, leave asked for and decided, make-up study (补学)."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.org.models import Person

from ..models import (
    Attendance,
    Meeting,
)
from ..permissions import manages, require_manager
from .signin import SIGNIN_OPENS_BEFORE

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
