"""Pages of organisational life: thin (parse, call a service or a selector, render)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from vanguard.core.lookups import visible_or_404
from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import date_param, int_param

from .models import Activity, ActivityParticipant, Attendance, Meeting, MeetingKind
from .tables import ActivityRowTable, AttendanceRowTable

PAGE = 50


def _kinds_param(request):
    raw = request.GET.get("kind", "")
    return [k for k in raw.split(",") if k] or None


def _range_params(request):
    """(first, last) from ?from= and ?to=, default the current year; 400 on a bad date."""
    today = timezone.localdate()
    first = date_param(request.GET.get("from"), "from") or datetime.date(today.year, 1, 1)
    last = date_param(request.GET.get("to"), "to") or datetime.date(today.year, 12, 31)
    return first, last


def _paged(request, table):
    RequestConfig(request, paginate={"per_page": PAGE, "paginator_class": CappedPaginator}).configure(table)
    return table


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
        rows = rows.filter(meeting__organization_id=organization)
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
        rows = rows.filter(activity__organization__path__startswith=_org_path(request, organization))
    table = _paged(request, ActivityRowTable(rows))
    return render(request, "life/rows.html", {
        "title": _("Activity records"), "table": table, "first": first, "last": last, "kinds": ", ".join(kinds or []),
    })


def _org_path(request, pk):
    from vanguard.org.models import Organization

    org = Organization.objects.filter(pk=pk).values_list("path", flat=True).first()
    return org or "-none-"


@login_required
def home(request):
    return render(request, "life/home.html", {})


@login_required
def meeting_detail(request, pk):
    meeting = visible_or_404(request, Meeting, pk, select=("organization", "host", "recorder"))
    return render(request, "life/meeting_detail.html", {"meeting": meeting})


@login_required
def activity_detail(request, pk):
    activity = visible_or_404(request, Activity, pk, select=("organization", "kind"))
    return render(request, "life/activity_detail.html", {"activity": activity})


def _flash(request, error):
    for message in error.messages:
        messages.error(request, message)


def _back(name, *args):
    return reverse(name, args=args)
