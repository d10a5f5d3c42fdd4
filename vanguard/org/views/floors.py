"""Floors and their windows (office edits), and each floor's public branch
board at /b/<floor>/, which needs no login and shows names and photos only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from vanguard.core.aggregates import subquery_count

from .. import services
from ..centres import centre_choice
from ..forms import FloorForm, WindowForm
from ..models import CommitteeMember, Floor, Organization, Person, Window
from ..permissions import can_edit_reference
from .common import form_page, require_centres, run_service, visible_or_404, writable_centres

SEAT_ORDER = {CommitteeMember.Role.SECRETARY: 0, CommitteeMember.Role.DEPUTY: 1, CommitteeMember.Role.MEMBER: 2}


def ordered_seats(seats):
    return sorted(seats, key=lambda s: (SEAT_ORDER.get(s.role, 3), s.sort_order, s.pk))


@login_required
def floor_list(request):
    # One centre at a time for a user who sees several: the city's 200 floors counted their 300,000
    # staff on every view (0.34 s at city scale).
    centre, centres = centre_choice(request)
    floors = Floor.objects.visible_to(request.user)
    if centre is not None:
        floors = floors.filter(centre=centre)
    floors = (floors.select_related("centre", "branch")
              .annotate(window_count=subquery_count(Window.objects.all(), "floor"),
                        staff_count=subquery_count(Person.objects.filter(is_active=True), "window__floor"))
              .order_by("centre__name", "number"))
    return render(request, "org/floor_list.html", {
        "floors": floors, "can_create": bool(writable_centres(request.user, can_edit_reference)),
        "centre": centre, "centres": centres,
    })


@login_required
def floor_detail(request, pk):
    floor = visible_or_404(request, Floor, pk, select=("centre",))
    staff = Person.objects.visible_to(request.user).filter(is_active=True).only(
        "pk", "name", "window_id", "political_status", "job").order_by("name")
    windows = (Window.objects.visible_to(request.user).filter(floor=floor)
               .select_related("unit", "department")
               .prefetch_related(Prefetch("staff", queryset=staff, to_attr="visible_staff"))
               .order_by("number"))
    branch = (Organization.objects.visible_to(request.user).filter(floor=floor)
              .select_related("guide").first())
    seats = []
    if branch is not None:
        seats = ordered_seats(CommitteeMember.objects.filter(organization=branch).select_related("person"))
    return render(request, "org/floor_detail.html", {
        "floor": floor, "windows": windows, "branch": branch, "seats": seats,
        "can_edit": can_edit_reference(request.user, floor.centre_id),
        "board_url": reverse("org:floor-board", args=[floor.pk]),
    })


def _floor_crumbs(floor=None):
    crumbs = [(_("Floors"), reverse("org:floor-list"))]
    if floor is not None:
        crumbs.append((floor.name, reverse("org:floor-detail", args=[floor.pk])))
    return crumbs


@login_required
def floor_create(request):
    centres = require_centres(writable_centres(request.user, can_edit_reference))
    form = FloorForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        floor = run_service(form, services.create_floor, request.user, form.chosen_centre(), **form.values())
        if floor is not None:
            messages.success(request, _("Floor “%(name)s” created.") % {"name": floor.name})
            return redirect("org:floor-detail", floor.pk)
    return form_page(request, form, title=_("New floor"), cancel_url=reverse("org:floor-list"),
                     crumbs=_floor_crumbs())


@login_required
def floor_edit(request, pk):
    floor = visible_or_404(request, Floor, pk)
    if not can_edit_reference(request.user, floor.centre_id):
        raise PermissionDenied
    form = FloorForm(request.POST or None, instance=floor)
    if request.method == "POST" and form.is_valid() and run_service(form, services.update_floor, request.user, floor, **form.changes()) is not None:
        messages.success(request, _("Floor “%(name)s” saved.") % {"name": floor.name})
        return redirect("org:floor-detail", floor.pk)
    return form_page(request, form, title=_("Edit %(name)s") % {"name": floor.name},
                     cancel_url=reverse("org:floor-detail", args=[floor.pk]), crumbs=_floor_crumbs(floor))


@login_required
def window_create(request, floor_pk):
    floor = visible_or_404(request, Floor, floor_pk, select=("centre",))
    if not can_edit_reference(request.user, floor.centre_id):
        raise PermissionDenied
    form = WindowForm(request.POST or None, user=request.user, centre=floor.centre, initial={"floor": floor})
    if request.method == "POST" and form.is_valid():
        window = run_service(form, services.create_window, request.user, floor.centre, **form.values())
        if window is not None:
            messages.success(request, _("Window %(number)s created.") % {"number": window.number})
            return redirect("org:floor-detail", window.floor_id)
    return form_page(request, form, title=_("New window on %(floor)s") % {"floor": floor.name},
                     cancel_url=reverse("org:floor-detail", args=[floor.pk]), crumbs=_floor_crumbs(floor))


@login_required
def window_edit(request, pk):
    window = visible_or_404(request, Window, pk, select=("centre", "floor"))
    if not can_edit_reference(request.user, window.centre_id):
        raise PermissionDenied
    form = WindowForm(request.POST or None, instance=window, user=request.user, centre=window.centre)
    if request.method == "POST" and form.is_valid() and run_service(form, services.update_window, request.user, window, **form.changes()) is not None:
        messages.success(request, _("Window %(number)s saved.") % {"number": window.number})
        return redirect("org:floor-detail", window.floor_id)
    return form_page(request, form, title=_("Edit window %(number)s") % {"number": window.number},
                     cancel_url=reverse("org:floor-detail", args=[window.floor_id]),
                     crumbs=_floor_crumbs(window.floor))


@require_safe
@cache_control(public=True, max_age=60)
def floor_board(request, pk):
    """Public: what the hall's branch board shows. Names, duties and photos; no
    phone numbers, no other personal data. Two queries."""
    floor = get_object_or_404(Floor.objects.select_related("centre", "branch", "branch__guide"), pk=pk)
    branch = getattr(floor, "branch", None)
    seats = []
    if branch is not None:
        seats = ordered_seats(CommitteeMember.objects.filter(organization=branch, person__is_active=True)
                              .select_related("person"))
    leaders = [s for s in seats if s.role != CommitteeMember.Role.MEMBER]
    others = [s for s in seats if s.role == CommitteeMember.Role.MEMBER]
    return render(request, "org/floor_board.html", {
        "floor": floor, "centre": floor.centre, "branch": branch, "leaders": leaders, "others": others,
        "guide": branch.guide if branch is not None else None,
        "screen": request.GET.get("screen") == "1",
    })
