"""Units: home units, business departments and others (office edits)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from vanguard.core.aggregates import subquery_count
from vanguard.core.paginators import CappedTableMixin

from .. import services
from ..filters import UnitFilter
from ..forms import UnitForm
from ..models import Person, Unit, Window
from ..permissions import can_edit_reference
from ..tables import UnitTable
from .common import form_page, login_redirect, require_centres, run_service, visible_or_404, writable_centres


class UnitListView(CappedTableMixin, SingleTableMixin, FilterView):
    table_class = UnitTable
    filterset_class = UnitFilter
    template_name = "org/unit_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (Unit.objects.visible_to(self.request.user)
                .annotate(window_count=subquery_count(Window.objects.all(), "unit"),
                          people_count=subquery_count(Person.objects.filter(is_active=True), "unit"))
                .order_by("kind", "name"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = bool(writable_centres(self.request.user, can_edit_reference))
        return context


@login_required
def unit_detail(request, pk):
    unit = visible_or_404(request, Unit, pk, select=("centre",))
    windows = (Window.objects.visible_to(request.user).filter(Q(unit=unit) | Q(department=unit))
               .select_related("floor", "unit", "department").order_by("floor__number", "number"))
    people = Person.objects.filter(unit=unit, is_active=True)
    return render(request, "org/unit_detail.html", {
        "unit": unit, "windows": windows,
        "people_count": people.count(), "member_count": people.members().count(),
        "visible_people_url": f"{reverse('org:person-list')}?unit={unit.pk}",
        "can_edit": can_edit_reference(request.user, unit.centre_id),
    })


def _crumbs(unit=None):
    crumbs = [(_("Units"), reverse("org:unit-list"))]
    if unit is not None:
        crumbs.append((unit.name, reverse("org:unit-detail", args=[unit.pk])))
    return crumbs


@login_required
def unit_create(request):
    centres = require_centres(writable_centres(request.user, can_edit_reference))
    form = UnitForm(request.POST or None, centres=centres, initial={"kind": request.GET.get("kind", Unit.Kind.HOME)})
    if request.method == "POST" and form.is_valid():
        unit = run_service(form, services.create_unit, request.user, form.chosen_centre(), **form.values())
        if unit is not None:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("org:unit-detail", unit.pk)
    return form_page(request, form, title=_("New unit"), cancel_url=reverse("org:unit-list"), crumbs=_crumbs())


@login_required
def unit_edit(request, pk):
    unit = visible_or_404(request, Unit, pk)
    if not can_edit_reference(request.user, unit.centre_id):
        raise PermissionDenied
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid() and run_service(form, services.update_unit, request.user, unit, **form.changes()) is not None:
        messages.success(request, _("Unit “%(name)s” saved.") % {"name": unit.name})
        return redirect("org:unit-detail", unit.pk)
    return form_page(request, form, title=_("Edit %(name)s") % {"name": unit.name},
                     cancel_url=reverse("org:unit-detail", args=[unit.pk]), crumbs=_crumbs(unit))
