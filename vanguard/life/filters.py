"""Filters of organisational life's lists. A user who sees several centres (the city's administrator:
50 centres, half a million meetings a year) sees one centre at a time (org.centres.centre_choice):
the city's meetings sorted by date were 0.5 s a page, its waiting approvals 1.1 s and 142 KB."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.org.centres import centre_choice

from .models import Activity, Meeting, MeetingKind


def _styled(filterset):
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm"
                                      if isinstance(field.widget, forms.Select) else "form-control form-control-sm")


class CentreFilterSet(django_filters.FilterSet):
    """A FilterSet whose rows lie in the chosen centre (centre_choice) when the user sees several."""

    centre = django_filters.ChoiceFilter(label=_("service centre"), method="in_centre", empty_label=None)

    def __init__(self, data=None, *args, request=None, **kwargs):
        centre, centres = centre_choice(request) if request is not None else (None, [])
        if centre is not None:
            data = data.copy() if data is not None else {}
            data["centre"] = str(centre.pk)  # the default (or the same) centre, kept by the paging links
        super().__init__(data, *args, request=request, **kwargs)
        if centre is None:
            del self.filters["centre"]
        else:
            self.filters["centre"].extra["choices"] = [(str(c.pk), c.name) for c in centres]
        self.centre = centre
        _styled(self)

    def in_centre(self, queryset, name, value):
        return queryset.filter(centre_id=int(value))


class MeetingFilter(CentreFilterSet):
    kind = django_filters.ChoiceFilter(label=_("meeting kind"), choices=MeetingKind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Meeting.Status.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="date", lookup_expr="year", min_value=1,
                                      max_value=9999)  # a year the database can hold: ?year=99999 was a 500
    organization = django_filters.NumberFilter(label=_("party organisation"), method="in_organization",
                                               widget=forms.HiddenInput)

    class Meta:
        model = Meeting
        fields = ["centre", "kind", "status", "year", "organization"]

    def in_organization(self, queryset, name, value):
        from .views.common import _org_path

        return queryset.filter(organization__path__startswith=_org_path(self.request.user, value))


class ActivityFilter(CentreFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Activity.Status.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="date", lookup_expr="year", min_value=1,
                                      max_value=9999)  # a year the database can hold: ?year=99999 was a 500

    class Meta:
        model = Activity
        fields = ["centre", "status", "year"]
