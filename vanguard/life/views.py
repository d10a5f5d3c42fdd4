"""Pages of organisational life: thin (parse, call a service or a selector, render)."""

import datetime
from collections import Counter

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import transaction
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import RequestConfig
from django_tables2.views import SingleTableMixin

from vanguard.core.aggregates import subquery_count
from vanguard.core.lookups import visible_or_404
from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import date_param, int_param, year_param
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.forms import add_service_errors
from vanguard.org.models import Organization, Person, ServiceCentre
from vanguard.posts import qr

from . import selectors, services
from .forms import (
    ActivityForm,
    GroupActivityForm,
    HeldForm,
    LeaveForm,
    MakeupForm,
    MeetingFileForm,
    MeetingForm,
    OrganizationChoiceForm,
    manageable_organizations,
)
from .models import (
    CADENCE_CHOICES,
    Activity,
    ActivityKind,
    ActivityParticipant,
    Attendance,
    Meeting,
    MeetingFile,
    MeetingKind,
)
from .permissions import is_manager_anywhere, managed_q, manages, require_manager
from .tables import ActivityRowTable, ActivityTable, AttendanceRowTable, MeetingTable
from .todo import todo_items

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
    try:
        RequestConfig(request, paginate={"per_page": PAGE, "paginator_class": CappedPaginator}).configure(table)
    except (EmptyPage, PageNotAnInteger):  # ?page=-1 or abc: the first page, not a 500
        table.paginate(page=1, per_page=PAGE, paginator_class=CappedPaginator)
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


def _org_path(user, pk):
    """The path of an organisation the user may see (an unknown or hidden one matches nothing)."""
    org = Organization.objects.visible_to(user).filter(pk=pk).values_list("path", flat=True).first()
    return org or "-none-"




def _flash(request, error):
    for message in error.messages:
        messages.error(request, message)


def _run(request, form, service, *args, **kwargs):
    """Call the service; its ValidationError goes onto the form (or the page's messages)."""
    try:
        return service(*args, **kwargs)
    except ValidationError as error:
        if form is None:
            _flash(request, error)
        else:
            add_service_errors(form, error)
        return None


# Home -----------------------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    scope = scope_for(user)
    today = timezone.localdate()
    context = {"manager": is_manager_anywhere(user), "is_office": bool(scope.centres(Role.OFFICE) or scope.is_admin)}
    if scope.person_id:
        mine = (Attendance.objects.visible_to(user).filter(person_id=scope.person_id)
                .select_related("meeting", "meeting__organization").order_by("-meeting__starts_at"))
        context["my_attendance"] = list(mine[:10])
        year_rows = ActivityParticipant.objects.visible_to(user).filter(
            person_id=scope.person_id, activity__date__year=today.year).exclude(
            activity__status=Activity.Status.REFUSED)
        context["my_totals"] = list(
            year_rows.values("activity__kind__name", "activity__status").annotate(
                times=Count("pk"), hours=Sum("activity__hours")).order_by("activity__kind__name"))
    if context["manager"]:
        context["todo"] = todo_items(user)
    return render(request, "life/home.html", context)


# Meetings -------------------------------------------------------------------------------------------


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("meeting kind"), choices=MeetingKind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Meeting.Status.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="date", lookup_expr="year")
    organization = django_filters.NumberFilter(label=_("party organisation"), method="in_organization",
                                               widget=forms.HiddenInput)

    class Meta:
        model = Meeting
        fields = ["kind", "status", "year", "organization"]

    def in_organization(self, queryset, name, value):
        return queryset.filter(organization__path__startswith=_org_path(self.request.user, value))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm"
                                          if isinstance(field.widget, forms.Select) else "form-control form-control-sm")


class MeetingListView(SingleTableMixin, FilterView):
    table_class = MeetingTable
    filterset_class = MeetingFilter
    template_name = "life/meeting_list.html"
    paginate_by = PAGE
    table_pagination = {"paginator_class": CappedPaginator}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Meeting.objects.visible_to(self.request.user).select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["manager"] = is_manager_anywhere(self.request.user)
        return context


@login_required
def meeting_create(request):
    require(is_manager_anywhere(request.user))
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = _run(request, form, services.plan_meeting, request.user, data["organization"], kind=data["kind"],
                       topic=data["topic"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                       place=data["place"], host=data["host"], recorder=data["recorder"])
        if meeting is not None:
            messages.success(request, _("The meeting is planned; its members are expected."))
            return redirect("life:meeting-detail", meeting.pk)
    return render(request, "life/form.html", {"form": form, "title": _("Plan a meeting"),
                                              "cancel_url": reverse("life:meetings")})


@login_required
def meeting_edit(request, pk):
    meeting = visible_or_404(request, Meeting, pk, select=("organization",))
    require_manager(request.user, meeting.organization)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "ends_at" or v}
        if _run(request, form, services.update_meeting, request.user, meeting, **fields) is not None:
            return redirect("life:meeting-detail", meeting.pk)
    return render(request, "life/form.html", {"form": form, "title": _("Change the meeting"),
                                              "cancel_url": reverse("life:meeting-detail", args=[pk])})


@login_required
def meeting_detail(request, pk):
    meeting = visible_or_404(request, Meeting, pk, select=("organization", "host", "recorder"))
    user = request.user
    scope = scope_for(user)
    manager = manages(user, meeting.organization)
    own = (Attendance.objects.visible_to(user).filter(meeting=meeting, person_id=scope.person_id).first()
           if scope.person_id else None)
    context = {"meeting": meeting, "manager": manager, "own": own,
               "files": list(MeetingFile.objects.visible_to(user).filter(meeting=meeting))}
    if manager:
        context["rows"] = list(Attendance.objects.visible_to(user).filter(meeting=meeting).select_related("person")
                               .order_by("person__name", "pk"))
        context["counts"] = Counter(r.status for r in context["rows"])
        context["held_form"] = HeldForm(initial={"minutes": meeting.minutes, "resolutions": meeting.resolutions})
        context["file_form"] = MeetingFileForm()
    if own is not None:
        context["leave_form"] = LeaveForm()
        context["makeup_form"] = MakeupForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "held":
            require(manager)
            form = HeldForm(request.POST)
            if form.is_valid() and _run(request, form, services.record_held, user, meeting,
                                        **form.cleaned_data) is not None:
                messages.success(request, _("The meeting is recorded as held."))
                return redirect("life:meeting-detail", pk)
            context["held_form"] = form
        elif action == "file":
            require(manager)
            form = MeetingFileForm(request.POST, request.FILES)
            if form.is_valid() and _run(request, form, services.add_meeting_file, user, meeting,
                                        form.cleaned_data["file"], form.cleaned_data["kind"]) is not None:
                return redirect("life:meeting-detail", pk)
            context["file_form"] = form
        elif action == "leave":
            form = LeaveForm(request.POST)
            if form.is_valid() and _run(request, form, services.request_leave, user, meeting,
                                        form.cleaned_data["reason"]) is not None:
                messages.success(request, _("Your leave is asked for; the secretary will decide."))
                return redirect("life:meeting-detail", pk)
            context["leave_form"] = form
        elif action == "makeup" and own is not None:
            form = MakeupForm(request.POST)
            if form.is_valid() and _run(request, form, services.record_makeup, user, own,
                                        on=form.cleaned_data["on"], note=form.cleaned_data["note"]) is not None:
                messages.success(request, _("The make-up study is recorded."))
                return redirect("life:meeting-detail", pk)
            context["makeup_form"] = form
        else:
            return HttpResponseBadRequest()
    return render(request, "life/meeting_detail.html", context)


@login_required
def meeting_file(request, pk, file_pk):
    meeting = visible_or_404(request, Meeting, pk)
    item = visible_or_404(request, MeetingFile.objects.visible_to(request.user).filter(meeting=meeting), file_pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@login_required
def meeting_attendance(request, pk):
    """The secretary's tick-list: present / on leave (with reason) / absent for every expected member."""
    meeting = visible_or_404(request, Meeting, pk, select=("organization",))
    require_manager(request.user, meeting.organization)
    rows = list(Attendance.objects.visible_to(request.user).filter(meeting=meeting).select_related("person")
                .order_by("person__name", "pk"))
    if request.method == "POST":
        marks, reasons = {}, {}
        for row in rows:
            status = request.POST.get(f"status-{row.person_id}")
            if status and status != row.status:
                marks[row.person_id] = status
            reason = request.POST.get(f"reason-{row.person_id}", "").strip()
            if reason:
                reasons[row.person_id] = reason
                if row.status == Attendance.Status.LEAVE and row.person_id not in marks and reason != row.leave_reason:
                    marks[row.person_id] = Attendance.Status.LEAVE
        if _run(request, None, services.record_attendance, request.user, meeting, marks, reasons) is not None:
            messages.success(request, _("Attendance is recorded."))
            return redirect("life:meeting-detail", pk)
    return render(request, "life/attendance.html", {"meeting": meeting, "rows": rows,
                                                    "choices": Attendance.Status.choices})


def _signin_url(request, meeting, code):
    return request.build_absolute_uri(reverse("life:sign-in", args=[meeting.pk])) + "?" + urlencode({"c": code})


@login_required
def meeting_qr(request, pk):
    """The sign-in QR shown at the meeting (the code rotates: the image refreshes itself)."""
    meeting = visible_or_404(request, Meeting, pk, select=("organization",))
    require_manager(request.user, meeting.organization)
    opens, closes = services.signin_window(meeting)
    now = timezone.now()
    expected = Attendance.objects.visible_to(request.user).filter(meeting=meeting)
    context = {"meeting": meeting, "opens": opens, "closes": closes, "open": opens <= now <= closes,
               "signed": expected.filter(status=Attendance.Status.PRESENT).count(),
               "expected": expected.count(), "refresh": services.CODE_SECONDS // 2}
    if context["open"]:
        code = services.signin_code(meeting, now)
        context["code"] = code
        context["link"] = _signin_url(request, meeting, code)
    template = "life/_qr.html" if request.htmx else "life/qr.html"
    return render(request, template, context)


@login_required
def meeting_qr_svg(request, pk):
    meeting = visible_or_404(request, Meeting, pk, select=("organization",))
    require_manager(request.user, meeting.organization)
    code = request.GET.get("c", "")
    if not services.code_is_valid(meeting, code, timezone.now()):
        raise Http404
    response = HttpResponse(qr.svg(_signin_url(request, meeting, code), scale=8), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def sign_in(request, pk):
    """The member's phone: the page the QR opens, and its one button."""
    meeting = visible_or_404(request, Meeting, pk, select=("organization",))
    code = request.POST.get("c") or request.GET.get("c", "")
    context = {"meeting": meeting, "code": code}
    if request.method == "POST":
        try:
            row, created = services.sign_in(request.user, meeting, code)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            context["done"] = row
            context["created"] = created
    return render(request, "life/sign_in.html", context)


@login_required
def approvals(request):
    """Leave and activities waiting for the secretary's decision."""
    require(is_manager_anywhere(request.user))
    user = request.user
    leave = (Attendance.objects.visible_to(user).filter(leave_requested_at__isnull=False,
                                                        status=Attendance.Status.PENDING)
             .filter(managed_q(user, "meeting__organization"))
             .select_related("person", "meeting", "meeting__organization").order_by("meeting__starts_at")[:200])
    activities = (Activity.objects.visible_to(user).filter(status=Activity.Status.PENDING)
                  .filter(managed_q(user))
                  .select_related("kind", "organization")
                  .annotate(people=subquery_count(ActivityParticipant.objects.all(), "activity"))
                  .order_by("date", "pk")[:200])
    if request.method == "POST":
        kind, pk_, decision = request.POST.get("what"), request.POST.get("pk"), request.POST.get("decision")
        approve = decision == "approve"
        if kind == "leave":
            row = visible_or_404(request, Attendance, pk_)
            _run(request, None, services.decide_leave, user, row, approve)
        elif kind == "activity":
            activity = visible_or_404(request, Activity, pk_)
            _run(request, None, services.decide_activity, user, activity, approve, request.POST.get("reason", ""))
        else:
            return HttpResponseBadRequest()
        return redirect("life:approvals")
    return render(request, "life/approvals.html", {"leave": list(leave), "activities": list(activities)})


# Activities -----------------------------------------------------------------------------------------


class ActivityFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Activity.Status.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="date", lookup_expr="year")

    class Meta:
        model = Activity
        fields = ["status", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm"
                                          if isinstance(field.widget, forms.Select) else "form-control form-control-sm")


class ActivityListView(MeetingListView):
    table_class = ActivityTable
    filterset_class = ActivityFilter
    template_name = "life/activity_list.html"

    def get_queryset(self):
        return (Activity.objects.visible_to(self.request.user).select_related("organization", "kind")
                .annotate(people=subquery_count(ActivityParticipant.objects.all(), "activity")))


@login_required
def activity_create(request):
    """A member records their own activity (the secretary approves it)."""
    scope = scope_for(request.user)
    person = (Person.objects.visible_to(request.user).filter(pk=scope.person_id).select_related("centre").first()
              if scope.person_id else None)
    require(person is not None and person.branch_id is not None,
            _("Only a party member registered with a branch records their own activities."))
    form = ActivityForm(request.POST or None, request.FILES or None, kinds=services.activity_kinds(person.centre))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = _run(request, form, services.record_activity, request.user, kind=data["kind"], date=data["date"],
                        hours=data["hours"], description=data["description"], place=data["place"],
                        evidence=data["evidence"])
        if activity is not None:
            messages.success(request, _("The activity is recorded; the secretary will approve it."))
            return redirect("life:home")
    return render(request, "life/form.html", {"form": form, "title": _("Record my activity"),
                                              "cancel_url": reverse("life:home")})


@login_required
def activity_group(request):
    """The secretary records a group activity: one record, many people."""
    require(is_manager_anywhere(request.user))
    organizations = manageable_organizations(request.user)
    org_id = int_param(request, "organization", None, 1) if request.method == "GET" else None
    if request.method == "POST":
        try:
            org_id = int(request.POST.get("organization", ""))
        except ValueError:
            org_id = None
    organization = organizations.filter(pk=org_id).first() if org_id else None
    if organization is None:
        first_two = list(organizations[:2])
        organization = first_two[0] if len(first_two) == 1 else None
    if organization is None:
        choose = OrganizationChoiceForm(request.GET or None, user=request.user)
        return render(request, "life/form.html", {"form": choose, "title": _("Record a group activity"),
                                                  "cancel_url": reverse("life:activities"), "method": "get"})
    form = GroupActivityForm(request.POST or None, request.FILES or None, user=request.user,
                             organization=organization, kinds=services.activity_kinds(organization.centre),
                             initial={"organization": organization.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = _run(request, form, services.record_activity, request.user, kind=data["kind"], date=data["date"],
                        hours=data["hours"], description=data["description"], place=data["place"],
                        evidence=data["evidence"], people=list(data["people"]), organization=data["organization"])
        if activity is not None:
            messages.success(request, _("The group activity is recorded."))
            return redirect("life:activity-detail", activity.pk)
    return render(request, "life/form.html", {"form": form, "title": _("Record a group activity"),
                                              "subtitle": organization.name, "cancel_url": reverse("life:activities")})


@login_required
def activity_detail(request, pk):
    activity = visible_or_404(request, Activity, pk, select=("organization", "kind", "recorded_by", "decided_by"))
    manager = manages(request.user, activity.organization)
    # A member sees their own part in it; the branch's secretary and the office, everyone's.
    people = list(ActivityParticipant.objects.visible_to(request.user).filter(activity=activity)
                  .select_related("person").order_by("person__name")[:500])
    if request.method == "POST":
        require(manager)
        _run(request, None, services.decide_activity, request.user, activity,
             request.POST.get("decision") == "approve", request.POST.get("reason", ""))
        return redirect("life:activity-detail", pk)
    return render(request, "life/activity_detail.html", {"activity": activity, "people": people,
                                                         "manager": manager})


@login_required
def activity_evidence(request, pk):
    activity = visible_or_404(request, Activity, pk)
    if not activity.evidence:
        raise Http404
    return FileResponse(activity.evidence.open("rb"), filename=activity.evidence.name.rsplit("/", 1)[-1])


# Office: overdue, the completion board, settings ------------------------------------------------------


def _centres(request):
    """The centres whose branches the user oversees (office), or those of their branches (secretary)."""
    organizations = manageable_organizations(request.user)
    centre_ids = sorted(set(organizations.values_list("centre_id", flat=True)))
    require(bool(centre_ids))
    centres = ServiceCentre.objects.visible_to(request.user).filter(pk__in=centre_ids).order_by("name")
    chosen = int_param(request, "centre", None, 1)
    centre = centres.filter(pk=chosen).first() if chosen else centres.first()
    return centre, centres, organizations.filter(centre=centre)


@login_required
def overdue(request):
    centre, centres, branches = _centres(request)
    rows = services.overdue(centre, branches=branches)
    soon = services.due_soon(centre, branches=branches)
    labels = dict(MeetingKind.choices)
    return render(request, "life/overdue.html", {
        "centre": centre, "centres": centres,
        "rows": [{"branch": b, "kind": labels[k], "first": p[0], "last": p[1]} for b, k, p in rows],
        "soon": [{"branch": b, "kind": labels[k], "last": last} for b, k, last in soon]})


@login_required
def board(request):
    centre, centres, branches = _centres(request)
    today = timezone.localdate()
    year = year_param(request)
    quarter = int_param(request, "quarter", (today.month - 1) // 3 + 1, 1, 4)
    rows = services.completion_board(centre, year, quarter, branches=branches)
    return render(request, "life/board.html", {
        "centre": centre, "centres": centres, "year": year, "quarter": quarter, "quarters": [1, 2, 3, 4],
        "red": [r for r in rows if r["complete"]], "black": [r for r in rows if not r["complete"]],
        "kinds": rows[0]["lines"] if rows else []})


@login_required
def settings_page(request):
    """The office's cadence per meeting kind and its activity kinds."""
    centre, centres, _branches = _centres(request)
    require(is_office_of(request.user, centre.pk))
    if request.method == "POST":
        try:
            with transaction.atomic():
                if request.POST.get("what") == "cadence":
                    current = services.cadence_for(centre)
                    for kind in MeetingKind.values:
                        raw = request.POST.get(f"cadence-{kind}")
                        if raw is not None and raw.isdigit() and int(raw) != current[kind]:
                            services.set_cadence(request.user, centre, kind, int(raw))
                elif request.POST.get("what") == "kind":
                    services.set_activity_kind(request.user, centre, code=request.POST.get("code", "").strip(),
                                               name=request.POST.get("name", ""),
                                               counts_hours=bool(request.POST.get("counts_hours")),
                                               is_active=not request.POST.get("retire"))
                else:
                    return HttpResponseBadRequest()
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("life:settings") + f"?centre={centre.pk}")
    cadence = services.cadence_for(centre)
    return render(request, "life/settings.html", {
        "centre": centre, "centres": centres, "choices": CADENCE_CHOICES,
        "cadence": [(k, label, cadence[k]) for k, label in MeetingKind.choices],
        "kinds": list(services.activity_kinds(centre, active_only=False))})


@login_required
def figures(request):
    """The seed's figures from the records: per branch (its floor) and the centre, for a year;
    every number links to the rows behind it."""
    centre, centres, branches = _centres(request)
    year = year_param(request)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    branches = branches.select_related("floor")
    rows, total = selectors.figures(centre, first, last, branches)
    kinds = {k.code: k for k in ActivityKind.objects.visible_to(request.user).filter(centre=centre)}
    shown = [kinds[c] for c in selectors.FIGURE_ACTIVITIES if c in kinds]
    shown += [k for c, k in kinds.items() if c not in selectors.FIGURE_ACTIVITIES and k.is_active]
    span = {"from": first.isoformat(), "to": last.isoformat(), "centre": centre.pk}

    def links(organization=None):
        base = {**span, **({"organization": organization.pk} if organization else {})}
        return {
            "attendance": reverse("life:attendance-rows") + "?" + urlencode(base),
            "meetings": reverse("life:meetings") + "?" + urlencode(
                {"status": "held", "year": year, **({"organization": organization.pk} if organization else {})}),
            "activities": {k.code: reverse("life:activity-rows") + "?" + urlencode({**base, "kind": k.code})
                           for k in shown},
        }

    def cells(figures_, organization=None):
        url = links(organization)
        return {"meetings": figures_["meetings"], "expected": figures_["expected"], "present": figures_["present"],
                "rate": figures_["rate"], "attendance_url": url["attendance"], "meetings_url": url["meetings"],
                "activities": [{"kind": k, "url": url["activities"][k.code],
                                **figures_["activities"].get(k.code, {"times": 0, "hours": 0})} for k in shown]}

    return render(request, "life/figures.html", {
        "centre": centre, "centres": centres, "year": year, "kinds": shown,
        "rows": [(b, cells(f, b)) for b, f in rows], "total": cells(total)})
