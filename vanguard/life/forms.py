"""Forms of organisational life's pages: they parse; the services decide."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Organization, Person

from .models import Activity, ActivityKind, Meeting, MeetingFile

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def manageable_organizations(user):
    """The branches (and general branches) the user may hold meetings and activities for."""
    scope = scope_for(user)
    qs = Organization.objects.visible_to(user).filter(kind__in=[Organization.Kind.BRANCH,
                                                                 Organization.Kind.GENERAL_BRANCH])
    if scope.is_admin:
        return qs.order_by("path")
    q = Q(pk__in=[])
    for path in scope.paths(Role.SECRETARY, Role.OFFICE):
        q |= Q(path__startswith=path)
    centres = scope.centres(Role.OFFICE)
    if centres:
        q |= Q(centre__in=centres)
    return qs.filter(q).order_by("path")


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class MeetingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("ends at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"],
                                  required=False)

    class Meta:
        model = Meeting
        fields = ["organization", "kind", "topic", "starts_at", "ends_at", "place", "host", "recorder"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = manageable_organizations(user)
            search_select(self.fields["organization"], "organization", branches=1)
        people = Person.objects.visible_to(user).members().filter(is_active=True)
        for name in ("host", "recorder"):
            self.fields[name].queryset = people
            search_select(self.fields[name], "person", members=1, active=1)
        _style(self)


class HeldForm(forms.Form):
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 6}))
    resolutions = forms.CharField(label=_("resolutions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MeetingFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=MeetingFile.Kind.choices)
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("reason for leave"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MakeupForm(forms.Form):
    on = forms.DateField(label=_("make-up study on"), widget=DATE)
    note = forms.CharField(label=_("make-up study"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ActivityForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("activity kind"), queryset=ActivityKind.objects.none())
    date = forms.DateField(label=_("date"), widget=DATE)
    hours = forms.DecimalField(label=_("hours"), max_digits=4, decimal_places=1, required=False, min_value=0)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    description = forms.CharField(label=_("activity content"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("evidence photo"), required=False)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds if kinds is not None else ActivityKind.objects.none()
        _style(self)


class GroupActivityForm(ActivityForm):
    organization = forms.ModelChoiceField(label=_("party organisation"), queryset=Organization.objects.none())
    people = forms.ModelMultipleChoiceField(label=_("participants"), queryset=Person.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)

    field_order = ["organization", "kind", "date", "hours", "place", "description", "people", "evidence"]

    def __init__(self, *args, user=None, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = manageable_organizations(user)
        search_select(self.fields["organization"], "organization", branches=1)
        from .services import members_of

        self.fields["people"].queryset = members_of(organization) if organization is not None else Person.objects.none()
        self.fields["people"].widget.attrs["class"] = "form-check-input"
        self.order_fields(self.field_order)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("reason for refusal"), max_length=200)


class CadenceForm(forms.Form):
    pass


ActivityStatus = Activity.Status


class OrganizationChoiceForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("party organisation"), queryset=Organization.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = manageable_organizations(user)
        search_select(self.fields["organization"], "organization", branches=1)
        _style(self)
