"""People: the searchable list (htmx live search), one person's record, and
the create/edit form (the office, or a secretary for their own branch)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from vanguard.core.paginators import CappedTableMixin
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from .. import services
from ..filters import PersonFilter
from ..forms import PersonForm
from ..models import CommitteeMember, Person
from ..permissions import can_add_people, can_edit_person, can_edit_reference
from ..tables import PersonTable
from .common import (
    form_page,
    login_redirect,
    optional_url,
    require_centres,
    run_service,
    visible_or_404,
    writable_centres,
)


def person_centres(user):
    """Centres in which the user may add people: the office's (or all, for an
    administrator), or the centre of a branch the user is secretary of."""
    scope = scope_for(user)

    def allowed(user, centre_id):
        return can_add_people(user, centre_id) and (
            can_edit_reference(user, centre_id) or centre_id in scope.centres(Role.SECRETARY))

    return writable_centres(user, allowed)


class PersonListView(CappedTableMixin, SingleTableMixin, FilterView):
    table_class = PersonTable
    filterset_class = PersonFilter
    template_name = "org/person_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Person.objects.visible_to(self.request.user).select_related("unit", "branch", "window")

    def get_table_kwargs(self):
        return {"user": self.request.user}

    def get_template_names(self):
        # Live search swaps only the table.
        if self.request.htmx and self.request.htmx.target == "people-table":
            return ["org/_person_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        context["can_create"] = scope.has_role(Role.OFFICE, Role.SECRETARY)
        context["roster_url"] = (optional_url("org:roster")
                                 if scope.has_role(Role.OFFICE, Role.SECRETARY) else "")
        return context


def _crumbs(person=None):
    crumbs = [(_("People"), reverse("org:person-list"))]
    if person is not None:
        crumbs.append((person.name, reverse("org:person-detail", args=[person.pk])))
    return crumbs


@login_required
def person_detail(request, pk):
    person = visible_or_404(request, Person, pk, select=("centre", "unit", "branch", "window", "window__floor",
                                                         "user"))
    can_edit = can_edit_person(request.user, person)
    seats = CommitteeMember.objects.filter(person=person).select_related("organization")
    return render(request, "org/person_detail.html", {
        "person": person, "can_edit": can_edit, "seats": seats,
        "mobile": person.mobile if can_edit else person.masked_mobile,
        "crumbs": _crumbs(),
    })


@login_required
def person_create(request):
    centres = require_centres(person_centres(request.user))
    initial = {k: request.GET[k] for k in ("branch", "unit", "window", "political_status") if request.GET.get(k)}
    may_link = any(can_edit_reference(request.user, c.pk) for c in centres)
    form = PersonForm(request.POST or None, request.FILES or None, user=request.user, centres=centres,
                      may_link_account=may_link, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = run_service(form, services.create_person, request.user, form.chosen_centre(), **form.values())
        if person is not None:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect("org:person-detail", person.pk)
    return form_page(request, form, title=_("New person"), cancel_url=reverse("org:person-list"),
                     crumbs=_crumbs())


@login_required
def person_edit(request, pk):
    person = visible_or_404(request, Person, pk, select=("centre", "branch", "user"))
    if not can_edit_person(request.user, person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, request.FILES or None, instance=person, user=request.user,
                      centre=person.centre, may_link_account=can_edit_reference(request.user, person.centre_id))
    if request.method == "POST" and form.is_valid() and run_service(form, services.update_person, request.user, person, **form.changes()) is not None:
        messages.success(request, _("%(name)s saved.") % {"name": person.name})
        return redirect("org:person-detail", person.pk)
    return form_page(request, form, title=_("Edit %(name)s") % {"name": person.name},
                     cancel_url=reverse("org:person-detail", args=[person.pk]), crumbs=_crumbs(person))
