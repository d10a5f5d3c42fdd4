"""Pages of lessons, columns and broadcasts (documents and booklets: views_docs.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core import lookups, permissions

from . import dispatch, services
from .audience import preview
from .forms import ColumnForm, LessonForm, NoticeForm, TestSendForm
from .models import Booklet, Broadcast, Circular, Column, Lesson, Message


def office_centres(user):
    """The centres the user is the office of, by name (the pages' choice of centre)."""
    return list(permissions.office_centres(user).order_by("name"))


def office_centre_or_403(request):
    centres = office_centres(request.user)
    if not centres:
        raise PermissionDenied
    wanted = request.GET.get("centre") or request.POST.get("centre")
    for centre in centres:
        if wanted and str(centre.pk) == wanted:
            return centre
    return centres[0]


def add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def run(form, service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except ValidationError as e:
        add_errors(form, e)
        return None


def visible_or_404(request, model, pk, select=()):
    return lookups.visible_or_404(request, model, pk, select=select)


# Home -------------------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    person = getattr(user, "person", None)
    is_office = bool(office_centres(user))
    lessons = Lesson.objects.visible_to(user).select_related("column")
    if not is_office:
        lessons = lessons.filter(status=Lesson.Status.SENT)
    circulars = Circular.objects.visible_to(user).filter(circulated_at__isnull=False)
    to_sign = []
    if person is not None:
        signed = set(person.circular_signatures.values_list("circular_id", flat=True))
        to_sign = [c for c in circulars[:50] if c.pk not in signed]
    return render(request, "messaging/home.html", {
        "is_office": is_office, "lessons": lessons[:8], "circulars": circulars[:8], "to_sign": to_sign,
        "booklets": Booklet.objects.visible_to(user)[:8],
        "broadcasts": Broadcast.objects.visible_to(user)[:5] if is_office else [],
    })


# Lessons ----------------------------------------------------------------------------------------


@login_required
def lesson_list(request):
    is_office = bool(office_centres(request.user))
    qs = Lesson.objects.visible_to(request.user).select_related("column")
    if not is_office:
        qs = qs.filter(status=Lesson.Status.SENT)
    category = request.GET.get("category", "")
    if category:
        qs = qs.filter(category=category)
    column = request.GET.get("column", "")
    if column.isdigit():
        qs = qs.filter(column_id=int(column))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "messaging/lesson_list.html", {
        "page": page, "is_office": is_office, "category": category,
        "columns": Column.objects.visible_to(request.user), "categories": Lesson._meta.get_field("category").choices,
    })


@login_required
def lesson_create(request):
    centre = office_centre_or_403(request)
    form = LessonForm(request.POST or None, centre=centre, preview_url=reverse("messaging:lesson-preview"),
                      initial={"send_at": timezone.localtime(services.default_send_at()).strftime("%Y-%m-%dT%H:%M"),
                               "column": request.GET.get("column")})
    if request.method == "POST" and form.is_valid():
        lesson = run(form, services.create_lesson, request.user, centre, **form.values())
        if lesson is not None:
            messages.success(request, _("Lesson “%(title)s” scheduled.") % {"title": lesson.title})
            return redirect("messaging:lesson-detail", lesson.pk)
    shown = preview(request.POST.get("sms_text", ""), link_code="xxxxxxxx" if request.POST.get("web_body") else None)
    return render(request, "messaging/lesson_form.html", {"form": form, "preview": shown, "centre": centre,
                                                          "title": _("New lesson")})


@login_required
def lesson_edit(request, pk):
    lesson = visible_or_404(request, Lesson, pk)
    if not services.is_office(request.user, lesson.centre_id):
        raise PermissionDenied
    initial = {f: getattr(lesson, f) for f in ("title", "category", "column", "sms_text", "web_body", "audience",
                                               "branch", "unit", "floor", "repeat_weekly", "series_weeks",
                                               "urgent")}
    initial["send_at"] = timezone.localtime(lesson.send_at).strftime("%Y-%m-%dT%H:%M")
    form = LessonForm(request.POST or None, centre=lesson.centre, initial=initial,
                      preview_url=reverse("messaging:lesson-preview"))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        values.pop("repeat_weekly"), values.pop("series_weeks")
        if run(form, services.update_lesson, request.user, lesson, **values) is not None:
            messages.success(request, _("Lesson “%(title)s” saved.") % {"title": lesson.title})
            return redirect("messaging:lesson-detail", lesson.pk)
    shown = preview(form["sms_text"].value() or "", link_code=lesson.code if lesson.web_body else None)
    return render(request, "messaging/lesson_form.html", {"form": form, "preview": shown, "centre": lesson.centre,
                                                          "title": _("Edit lesson"), "lesson": lesson})


@login_required
@require_POST
def lesson_preview(request):
    """htmx: what each phone will receive, as the office types."""
    if not office_centres(request.user):
        raise PermissionDenied
    shown = preview(request.POST.get("sms_text", ""), link_code="xxxxxxxx" if request.POST.get("web_body") else None)
    return render(request, "messaging/_preview.html", {"preview": shown})


@login_required
def lesson_detail(request, pk):
    lesson = visible_or_404(request, Lesson, pk, select=("column", "branch", "unit", "floor"))
    is_office = services.is_office(request.user, lesson.centre_id)
    if not is_office and lesson.status != Lesson.Status.SENT:
        raise Http404
    shown = preview(lesson.sms_text, link_code=lesson.code if lesson.web_body.strip() else None)
    return render(request, "messaging/lesson_detail.html", {
        "lesson": lesson, "preview": shown, "is_office": is_office,
        "broadcasts": lesson.broadcasts.order_by("send_at") if is_office else [],
        "test_form": TestSendForm(),
    })


@login_required
@require_POST
def lesson_cancel(request, pk):
    lesson = visible_or_404(request, Lesson, pk)
    try:
        services.cancel_lesson(request.user, lesson)
        messages.success(request, _("Lesson cancelled."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("messaging:lesson-detail", lesson.pk)


@login_required
@require_POST
def lesson_test(request, pk):
    lesson = visible_or_404(request, Lesson, pk)
    form = TestSendForm(request.POST)
    if form.is_valid():
        try:
            services.send_test(request.user, lesson, form.cleaned_data["mobile"])
            messages.success(request, _("Test SMS queued for sending now."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return redirect("messaging:lesson-detail", lesson.pk)


def lesson_web(request, code):
    """Public: the web version of a lesson, reached by the short link in the SMS."""
    lesson = get_object_or_404(Lesson.objects.exclude(web_body=""), code=code)
    if lesson.status == Lesson.Status.CANCELLED:
        raise Http404
    return render(request, "messaging/lesson_web.html", {"lesson": lesson})


@login_required
def column_create(request):
    centre = office_centre_or_403(request)
    form = ColumnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        column = run(form, services.create_column, request.user, centre, **form.cleaned_data)
        if column is not None:
            messages.success(request, _("Column “%(name)s” created.") % {"name": column.name})
            return redirect(reverse("messaging:lesson-list") + f"?column={column.pk}")
    return render(request, "messaging/form.html", {"form": form, "title": _("New story column"),
                                                   "cancel_url": reverse("messaging:lesson-list")})


# Broadcasts -------------------------------------------------------------------------------------


@login_required
def broadcast_list(request):
    if not office_centres(request.user):
        raise PermissionDenied
    qs = Broadcast.objects.visible_to(request.user).select_related("lesson")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "messaging/broadcast_list.html", {"page": page})


@login_required
def broadcast_create(request):
    centre = office_centre_or_403(request)
    form = NoticeForm(request.POST or None, centre=centre)
    shown = preview(request.POST.get("text", "")) if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        broadcast = run(form, services.create_broadcast, request.user, centre, **form.values())
        if broadcast is not None:
            messages.success(request, _("Notice queued."))
            return redirect("messaging:broadcast-detail", broadcast.pk)
    return render(request, "messaging/form.html", {"form": form, "title": _("New notice by SMS"), "preview": shown,
                                                   "cancel_url": reverse("messaging:broadcast-list")})


@login_required
def broadcast_detail(request, pk):
    broadcast = visible_or_404(request, Broadcast, pk, select=("lesson", "branch", "unit", "floor"))
    state = request.GET.get("state", "")
    msgs = broadcast.messages.select_related("person").order_by("pk")
    if state:
        msgs = msgs.filter(state=state)
    return render(request, "messaging/broadcast_detail.html", {
        "broadcast": broadcast, "progress": dispatch.progress(broadcast), "state": state,
        "page": Paginator(msgs, 50).get_page(request.GET.get("page")),
        "skipped": broadcast.skipped.select_related("person")[:200], "states": Message.State.choices,
        "has_robots": bool(settings.SMS["ROBOTS"]),
        "cancel_preview": services.preview_cancel(broadcast),
    })


@login_required
def broadcast_progress(request, pk):
    """htmx polling target: the live counters."""
    broadcast = visible_or_404(request, Broadcast, pk)
    return render(request, "messaging/_progress.html", {"broadcast": broadcast,
                                                        "progress": dispatch.progress(broadcast)})


ACTIONS = {
    "pause": (services.pause_broadcast, _("Broadcast paused.")),
    "resume": (services.resume_broadcast, _("Broadcast resumed.")),
    "cancel": (services.cancel_broadcast, _("Broadcast cancelled.")),
    "resend": (services.resend_failed, _("Failed messages queued again.")),
    "groups": (services.post_to_work_groups, _("Posted to the work groups.")),
}


@login_required
@require_POST
def broadcast_action(request, pk, action):
    broadcast = visible_or_404(request, Broadcast, pk)
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    try:
        result = service(request.user, broadcast)
        if action == "cancel":
            done = _("Broadcast cancelled: %(n)s messages not yet sent will not be sent.") % {
                "n": result.cancelled_messages}
        messages.success(request, done)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("messaging:broadcast-detail", broadcast.pk)

