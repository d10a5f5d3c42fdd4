"""A member's home, meetings (list, plan, change, detail, files, tick-list, QR, sign-in) and approvals."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from vanguard.core.lookups import visible_or_404
from vanguard.core.paginators import CappedPaginator, CappedTableMixin
from vanguard.core.permissions import require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.centres import centre_choice
from vanguard.posts import qr

from .. import services
from ..filters import MeetingFilter
from ..forms import (
    HeldForm,
    LeaveForm,
    MakeupForm,
    MeetingFileForm,
    MeetingForm,
)
from ..models import (
    Activity,
    ActivityParticipant,
    Attendance,
    Meeting,
    MeetingFile,
)
from ..permissions import is_manager_anywhere, managed_q, manages, require_manager
from ..tables import MeetingTable
from ..todo import todo_items
from .common import PAGE, _run

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


class MeetingListView(CappedTableMixin, SingleTableMixin, FilterView):
    """The meetings the user may see; the table pages itself with a capped count (CappedTableMixin: the
    ListView does not count and page the same rows a second time)."""

    table_class = MeetingTable
    filterset_class = MeetingFilter
    template_name = "life/meeting_list.html"
    paginate_by = PAGE

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
    """Leave and activities waiting for the secretary's decision: a page of each, in the chosen centre
    for a user who sees several (org.centres.centre_choice)."""
    require(is_manager_anywhere(request.user))
    user = request.user
    centre, centres = centre_choice(request)
    leave = (Attendance.objects.visible_to(user).filter(leave_requested_at__isnull=False,
                                                        status=Attendance.Status.PENDING)
             .filter(managed_q(user, "meeting__organization"))
             .select_related("person", "meeting", "meeting__organization").order_by("meeting__starts_at", "pk"))
    activities = (Activity.objects.visible_to(user).filter(status=Activity.Status.PENDING)
                  .filter(managed_q(user))
                  .select_related("kind", "organization").order_by("date", "pk"))
    if centre is not None:
        leave = leave.filter(meeting__centre=centre)
        activities = activities.filter(centre=centre)
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
        return redirect(request.get_full_path())  # the same centre and pages
    return render(request, "life/approvals.html", {
        "centre": centre, "centres": centres,
        "leave": CappedPaginator(leave, PAGE).get_page(request.GET.get("leave_page")),
        "activities": CappedPaginator(activities, PAGE).get_page(request.GET.get("activity_page"))})
