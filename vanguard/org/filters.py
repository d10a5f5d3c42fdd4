"""Filters of the organisation's list pages. Every choice offered is one the
user can see; a search by number only finds people whose full number the user
may see anyway, so it cannot be used to guess a masked number."""

import re
import unicodedata

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanguard.core.choosers import search_select
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from .models import Organization, Person, Unit, Window


def _visible(model, **filters):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None)).filter(**filters)

    return queryset


def editable_people_q(user):
    """People whose full mobile number `user` may see (mirrors permissions.can_edit_person)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    q = scope.org_q("branch", Role.SECRETARY)
    office_centres = scope.centres(Role.OFFICE)
    if office_centres:
        q |= Q(centre__in=office_centres)
    return q


def live_search(field, url, target, *, placeholder, select=None):
    """Typing in the search box refreshes the table (htmx), with the other filters included."""
    field.widget.input_type = "search"
    field.widget.attrs.update({
        "placeholder": placeholder, "autocomplete": "off", "hx-get": url, "hx-target": target,
        "hx-swap": "outerHTML", "hx-trigger": "input changed delay:300ms, search", "hx-include": "closest form",
        "hx-push-url": "true",
    })
    if select:
        field.widget.attrs["hx-select"] = select


def _styled(filterset):
    for field in filterset.form.fields.values():
        widget = field.widget
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs.setdefault("class", css)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Name or mobile"))
    political_status = django_filters.ChoiceFilter(choices=Person.Status.choices, label=_("political status"))
    unit = django_filters.ModelChoiceFilter(queryset=_visible(Unit), label=_("home unit"))
    branch = django_filters.ModelChoiceFilter(
        queryset=_visible(Organization, kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]),
        label=_("party branch"))
    window = django_filters.ModelChoiceFilter(queryset=_visible(Window), label=_("window"))
    is_active = django_filters.BooleanFilter(label=pgettext_lazy("person", "active"), widget=forms.Select(choices=[
        ("", "---------"), ("true", _("Yes")), ("false", _("No"))]))

    class Meta:
        model = Person
        fields = ["q", "political_status", "unit", "branch", "window", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
        for name, kind, params in (("unit", "unit", {}), ("branch", "organization", {"branches": 1}),
                                   ("window", "window", {})):
            search_select(self.form.fields[name], kind, **params)
        live_search(self.form.fields["q"], reverse("org:person-list"), "#people-table",
                    placeholder=_("Name or mobile"))

    def filter_search(self, queryset, name, value):
        term = unicodedata.normalize("NFKC", value).strip()
        if not term:
            return queryset
        q = Q(name__icontains=term)
        digits = re.sub(r"\D", "", term)
        if len(digits) >= 3:
            q |= Q(mobile__contains=digits) & editable_people_q(self.request.user)
        return queryset.filter(q)


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=Unit.Kind.choices, label=_("kind"))

    class Meta:
        model = Unit
        fields = ["q", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
        live_search(self.form.fields["q"], reverse("org:unit-list"), "#units-table",
                    placeholder=_("Name or short name"), select="#units-table")

    def filter_search(self, queryset, name, value):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(name__icontains=term) | Q(short_name__icontains=term))
