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


def _records(request, title, table_class, record, rows_for, kinds_label):
    """A page of records: `rows_for(first, last, kinds)` gives the visible rows of the ?from=/?to= range and
    ?kind=; both pages narrow them alike by ?person=, ?organization= and ?centre= of the row's `record`
    (its meeting or activity)."""
    try:
        first, last = _range_params(request)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    kinds = _kinds_param(request)
    rows = rows_for(first, last, kinds)
    person = int_param(request, "person", None, 1)
    if person:
        rows = rows.filter(person_id=person)
    organization = int_param(request, "organization", None, 1)
    if organization:
        rows = rows.filter(**{f"{record}__organization__path__startswith": _org_path(request.user, organization)})
    centre = int_param(request, "centre", None, 1)
    if centre:
        rows = rows.filter(**{f"{record}__centre_id": centre})
    table = _paged(request, table_class(rows))
    return render(request, "life/rows.html", {
        "title": title, "table": table, "first": first, "last": last, "kinds": kinds_label(kinds or [])})


@login_required
def attendance_rows(request):
    """The attendance records behind a number (GET person, kind, from, to, organization, centre, status)."""

    def rows_for(first, last, kinds):
        rows = (Attendance.objects.visible_to(request.user)
                .filter(meeting__status=Meeting.Status.HELD, meeting__date__gte=first, meeting__date__lte=last)
                .select_related("meeting", "meeting__organization", "person").order_by("meeting__date", "pk"))
        if kinds:
            rows = rows.filter(meeting__kind__in=kinds)
        status = request.GET.get("status")
        if status in Attendance.Status.values:
            rows = rows.filter(status=status)
        return rows

    return _records(request, _("Attendance records"), AttendanceRowTable, "meeting", rows_for,
                    lambda kinds: ", ".join(str(MeetingKind(k).label) for k in kinds if k in MeetingKind.values))


@login_required
def activity_rows(request):
    """The activity records behind a number (GET person, kind, from, to, organization, centre)."""

    def rows_for(first, last, kinds):
        rows = (ActivityParticipant.objects.visible_to(request.user)
                .filter(activity__status=Activity.Status.APPROVED, activity__date__gte=first,
                        activity__date__lte=last)
                .select_related("activity", "activity__kind", "activity__organization", "person")
                .order_by("activity__date", "pk"))
        if kinds:
            rows = rows.filter(activity__kind__code__in=kinds)
        return rows

    return _records(request, _("Activity records"), ActivityRowTable, "activity", rows_for, ", ".join)
