"""Pages of document circulation and booklets. Files are never public: they
live under MEDIA_ROOT/private/ and are served only by these views, after the
same access check as the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Organization

from . import services_docs as docs
from .forms import BookletForm, ChapterForm, CircularForm, CirculateForm
from .models import Booklet, Chapter, Circular, CircularSignature, ReadingRecord
from .services import is_office
from .views import office_centre_or_403, run, visible_or_404

CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _serve(fieldfile, kind, download_name):
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind], as_attachment=kind != "pdf",
                            filename=download_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Circulation -------------------------------------------------------------------------------------


@login_required
def circular_list(request):
    qs = Circular.objects.visible_to(request.user).prefetch_related("branches")
    person = getattr(request.user, "person", None)
    signed = set(person.circular_signatures.values_list("circular_id", flat=True)) if person else set()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "messaging/circular_list.html", {
        "page": page, "signed": signed, "can_upload": bool(scope_for(request.user).is_admin or
                                                           scope_for(request.user).centres(Role.OFFICE)),
    })


@login_required
def circular_create(request):
    centre = office_centre_or_403(request)
    form = CircularForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        circular = run(form, docs.upload_circular, request.user, centre, **form.cleaned_data)
        if circular is not None:
            messages.success(request, _("Document uploaded; now choose the branches to circulate it to."))
            return redirect("messaging:circular-detail", circular.pk)
    return render(request, "messaging/form.html", {"form": form, "title": _("Upload a document to circulate"),
                                                   "cancel_url": reverse("messaging:circular-list")})


@login_required
def circular_detail(request, pk):
    circular = visible_or_404(request, Circular, pk, select=("centre",))
    user = request.user
    office = is_office(user, circular.centre_id)
    scope = scope_for(user)
    person = getattr(user, "person", None)
    context = {"circular": circular, "is_office": office, "can_sign": docs.can_sign(user, circular),
               "signature": CircularSignature.objects.filter(circular=circular, person=person).first()
               if person else None}
    if office:
        context["coverage"] = docs.coverage(circular)
        context["circulate_form"] = CirculateForm(centre=circular.centre,
                                                  initial={"branches": circular.branches.all()})
        context["signatures"] = circular.signatures.select_related("person", "branch").order_by("-signed_at")[:200]
    # A secretary (or the office) sees who in each of its branches has not signed yet.
    own = [b for b in circular.branches.order_by("path") if office or scope.covers_path(b.path, Role.SECRETARY)]
    own += [b for b in Organization.objects.filter(centre=circular.centre_id, kind=Organization.Kind.BRANCH)
            if b not in own and scope.covers_path(b.path, Role.SECRETARY)
            and circular.branches.filter(path__in=docs._prefixes(b.path)).exists()]
    context["branch_rows"] = [{"branch": b, "unsigned": list(docs.unsigned(circular, b)[:200]),
                               "coverage": docs.coverage(circular, [b])[0]} for b in own] if own else []
    return render(request, "messaging/circular_detail.html", context)


@login_required
def circular_file(request, pk):
    circular = visible_or_404(request, Circular, pk)
    return _serve(circular.file, circular.file_kind, f"{circular.number or circular.pk}.{circular.file_kind}")


@login_required
@require_POST
def circular_circulate(request, pk):
    circular = visible_or_404(request, Circular, pk)
    if not is_office(request.user, circular.centre_id):
        raise PermissionDenied
    form = CirculateForm(request.POST, centre=circular.centre)
    if form.is_valid():
        try:
            docs.circulate(request.user, circular, form.cleaned_data["branches"])
            messages.success(request, _("Document circulated."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, _("Choose at least one branch."))
    return redirect("messaging:circular-detail", circular.pk)


@login_required
@require_POST
def circular_sign(request, pk):
    circular = visible_or_404(request, Circular, pk)
    try:
        docs.sign_circular(request.user, circular)
        messages.success(request, _("Signed: thank you for reading."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("messaging:circular-detail", circular.pk)


@login_required
@require_POST
def circular_remind(request, pk, branch_pk):
    circular = visible_or_404(request, Circular, pk)
    branch = get_object_or_404(Organization.objects.visible_to(request.user), pk=branch_pk)
    try:
        reminder = docs.remind_unsigned(request.user, circular, branch)
        messages.success(request, _("Reminder sent to %(n)d people.") % {"n": reminder.people})
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("messaging:circular-detail", circular.pk)


# Booklets ------------------------------------------------------------------------------------------


@login_required
def booklet_list(request):
    qs = Booklet.objects.visible_to(request.user)
    return render(request, "messaging/booklet_list.html", {
        "booklets": qs, "can_write": bool(scope_for(request.user).is_admin
                                          or scope_for(request.user).centres(Role.OFFICE))})


@login_required
def booklet_create(request):
    centre = office_centre_or_403(request)
    form = BookletForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        booklet = run(form, docs.create_booklet, request.user, centre, **form.cleaned_data)
        if booklet is not None:
            messages.success(request, _("Booklet “%(title)s” created.") % {"title": booklet.title})
            return redirect("messaging:booklet-detail", booklet.pk)
    return render(request, "messaging/form.html", {"form": form, "title": _("New booklet"),
                                                   "cancel_url": reverse("messaging:booklet-list")})


@login_required
def booklet_detail(request, pk):
    booklet = visible_or_404(request, Booklet, pk)
    docs.record_reading(request.user, booklet)
    return render(request, "messaging/booklet_detail.html", {
        "booklet": booklet, "chapters": booklet.chapters.all(),
        "is_office": is_office(request.user, booklet.centre_id)})


@login_required
def booklet_file(request, pk):
    booklet = visible_or_404(request, Booklet, pk)
    docs.record_reading(request.user, booklet)
    return _serve(booklet.file, "pdf", f"{booklet.title}.pdf")


@login_required
def chapter_read(request, pk, number):
    booklet = visible_or_404(request, Booklet, pk)
    chapter = get_object_or_404(Chapter, booklet=booklet, number=number)
    docs.record_reading(request.user, booklet, chapter)
    chapters = list(booklet.chapters.all())
    index = chapters.index(chapter)
    return render(request, "messaging/chapter.html", {
        "booklet": booklet, "chapter": chapter, "previous": chapters[index - 1] if index else None,
        "next": chapters[index + 1] if index + 1 < len(chapters) else None})


@login_required
def chapter_create(request, pk):
    booklet = visible_or_404(request, Booklet, pk)
    if not is_office(request.user, booklet.centre_id):
        raise PermissionDenied
    form = ChapterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chapter = run(form, docs.add_chapter, request.user, booklet, **form.cleaned_data)
        if chapter is not None:
            messages.success(request, _("Chapter added."))
            return redirect("messaging:booklet-detail", booklet.pk)
    return render(request, "messaging/form.html", {"form": form, "title": _("New chapter"),
                                                   "cancel_url": reverse("messaging:booklet-detail", args=[pk])})


@login_required
def booklet_readings(request, pk):
    """Who read what: the office sees everyone; a secretary its branch's members."""
    booklet = visible_or_404(request, Booklet, pk)
    scope = scope_for(request.user)
    if not (is_office(request.user, booklet.centre_id) or scope.paths(Role.SECRETARY)):
        raise PermissionDenied
    records = (ReadingRecord.objects.visible_to(request.user).filter(booklet=booklet)
               .select_related("person", "person__branch", "chapter").order_by("person__name", "chapter__number"))
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    return render(request, "messaging/booklet_readings.html", {"booklet": booklet, "page": page,
                                                               "readers": records.values("person").distinct().count()})
