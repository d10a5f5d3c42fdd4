"""The records behind a number: attendance rows and activity rows."""


from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from vanguard.core.params import int_param

from ..models import (
    Activity,
    ActivityParticipant,
    Attendance,
    Meeting,
    MeetingKind,
)
from ..tables import ActivityRowTable, AttendanceRowTable
from .common import _kinds_param, _org_path, _paged, _range_params


@login_required
def attendance_rows(request):
    """The attendance records behind a number (GET person, kind, from, to, organization)."""
    try:
        first, last = _range_params(request)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    rows = (Attendance.objects.visible_to(request.user)
            .filter(meeting__status=Meeting.Status.HELD, meeting__date__gte=first, meeting__date__lte=last)
            .select_related("meeting", "meeting__organization", "person").order_by("meeting__date", "pk"))
    kinds = _kinds_param(request)
    if kinds:
        rows = rows.filter(meeting__kind__in=kinds)
    person = int_param(request, "person", None, 1)
    if person:
        rows = rows.filter(person_id=person)
    organization = int_param(request, "organization", None, 1)
    if organization:
        rows = rows.filter(meeting__organization__path__startswith=_org_path(request.user, organization))
    centre = int_param(request, "centre", None, 1)
    if centre:
        rows = rows.filter(meeting__centre_id=centre)
    status = request.GET.get("status")
    if status in Attendance.Status.values:
        rows = rows.filter(status=status)
    table = _paged(request, AttendanceRowTable(rows))
    return render(request, "life/rows.html", {
        "title": _("Attendance records"), "table": table, "first": first, "last": last,
        "kinds": ", ".join(str(MeetingKind(k).label) for k in kinds or [] if k in MeetingKind.values),
    })


@login_required
def activity_rows(request):
    """The activity records behind a number (GET person, kind, from, to, organization)."""
    try:
        first, last = _range_params(request)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    rows = (ActivityParticipant.objects.visible_to(request.user)
            .filter(activity__status=Activity.Status.APPROVED, activity__date__gte=first, activity__date__lte=last)
            .select_related("activity", "activity__kind", "activity__organization", "person")
            .order_by("activity__date", "pk"))
    kinds = _kinds_param(request)
    if kinds:
        rows = rows.filter(activity__kind__code__in=kinds)
    person = int_param(request, "person", None, 1)
    if person:
        rows = rows.filter(person_id=person)
    organization = int_param(request, "organization", None, 1)
    if organization:
        rows = rows.filter(activity__organization__path__startswith=_org_path(request.user, organization))
    centre = int_param(request, "centre", None, 1)
    if centre:
        rows = rows.filter(activity__centre_id=centre)
    table = _paged(request, ActivityRowTable(rows))
    return render(request, "life/rows.html", {
        "title": _("Activity records"), "table": table, "first": first, "last": last, "kinds": ", ".join(kinds or []),
    })
