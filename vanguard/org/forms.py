"""Forms of the organisation pages. They parse and render; the services in
`services.py` validate the whole object and save it, so a rule lives in one place.
Choices are limited to what the user can see (`visible_to`)."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanguard.core.choosers import search_select
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from .models import CommitteeMember, Floor, Organization, Person, ServiceCentre, Unit, Window
from .permissions import can_edit_reference
from .phones import normalise_mobile

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Look-alikes of the middle dot in minority names (阿依古丽·买买提) that input methods produce.
MIDDLE_DOTS = re.compile(r"\s*[\u2022\u2027\u2219\u22c5\u30fb\uff0e\uff65\u00b7]\s*")


def bootstrap(form):
    """Give every widget its Bootstrap 5 class."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class ServiceModelForm(forms.ModelForm):
    """Parses a model's fields without touching the instance: the service
    applies the values, runs the model's validation once and writes the audit
    row (an instance changed by the form would spoil the audit's "before")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def _post_clean(self):
        pass

    def values(self):
        data = dict(self.cleaned_data)
        data.pop("centre", None)  # the centre is the service's own argument
        return data

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


def add_service_errors(form, error):
    """Put a service's ValidationError on the form: on the field it names when
    the form has that field, otherwise at the top, prefixed with the field's name."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    model = getattr(getattr(form, "_meta", None), "model", None)
    for field, errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
            continue
        label = ""
        if model is not None and field != "__all__":
            try:
                label = str(model._meta.get_field(field).verbose_name)
            except Exception:  # noqa: BLE001 - an unknown name is shown without a label
                label = field
        for e in errors:
            for message in e.messages:
                form.add_error(None, f"{label}：{message}" if label else message)


def centre_field(centres):
    return forms.ModelChoiceField(queryset=centres, label=_("service centre"), empty_label=None)


class CentreChoiceMixin:
    """Adds a centre choice when the user may write in more than one centre."""

    def add_centre_choice(self, centres):
        self.centres = centres
        if centres is not None and len(centres) > 1:
            self.fields = {"centre": centre_field(ServiceCentre.objects.filter(pk__in=[c.pk for c in centres])),
                           **self.fields}
            self.fields["centre"].widget.attrs["class"] = "form-select"

    def chosen_centre(self):
        return self.cleaned_data.get("centre") or self.centres[0]


# The party tree --------------------------------------------------------------------


class OrganizationForm(CentreChoiceMixin, ServiceModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "parent", "floor", "guide", "sort_order"]

    def __init__(self, *args, user, centre=None, centres=None, with_parent=True, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.visible_to(user)
        floors = Floor.objects.visible_to(user)
        guides = Person.objects.visible_to(user).members().filter(is_active=True)
        if centre is not None:
            orgs, floors, guides = (qs.filter(centre=centre) for qs in (orgs, floors, guides))
        if self.instance.pk:
            orgs = orgs.exclude(path__startswith=self.instance.path)
        centre_id = centre.pk if centre is not None else None
        if with_parent:
            self.fields["parent"].queryset = orgs
            search_select(self.fields["parent"], "organization", centre=centre_id)
        else:
            del self.fields["parent"]
        self.fields["floor"].queryset = floors
        self.fields["guide"].queryset = guides.select_related("unit")
        search_select(self.fields["guide"], "person", centre=centre_id, members=1, active=1)
        if centre is None:
            self.add_centre_choice(centres)


class CommitteeSeatForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("person"))
    role = forms.ChoiceField(choices=CommitteeMember.Role.choices, label=_("committee role"),
                             initial=CommitteeMember.Role.MEMBER)
    duty = forms.CharField(max_length=50, required=False, label=_("duty"),
                           help_text=_("e.g. organisation, propaganda, discipline"))
    sort_order = forms.IntegerField(min_value=0, max_value=32767, initial=0, required=False, label=_("order"))

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (Person.objects.visible_to(user).members()
                                          .filter(centre_id=organization.centre_id, is_active=True))
        bootstrap(self)
        search_select(self.fields["person"], "person", centre=organization.centre_id, members=1, active=1)


# Floors, windows, units --------------------------------------------------------------


class FloorForm(CentreChoiceMixin, ServiceModelForm):
    class Meta:
        model = Floor
        fields = ["number", "name", "description"]

    def __init__(self, *args, centres=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.add_centre_choice(centres)


class WindowForm(ServiceModelForm):
    class Meta:
        model = Window
        fields = ["floor", "number", "name", "unit", "department", "service_items"]
        widgets = {"service_items": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, centre, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user).filter(centre=centre)
        self.fields["floor"].queryset = Floor.objects.visible_to(user).filter(centre=centre)
        self.fields["unit"].queryset = units
        self.fields["department"].queryset = units.filter(kind=Unit.Kind.DEPARTMENT)
        search_select(self.fields["unit"], "unit", centre=centre.pk)
        search_select(self.fields["department"], "unit", centre=centre.pk, kind=Unit.Kind.DEPARTMENT)


class UnitForm(CentreChoiceMixin, ServiceModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "contact_phone", "address"]

    def __init__(self, *args, centres=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.add_centre_choice(centres)


# People ------------------------------------------------------------------------------


class MobileField(forms.CharField):
    """Takes a number as people type it (+86, spaces, dashes, full-width
    digits) and gives the 11 digits the model stores."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_mobile(value) if value else ""


class AccountField(forms.CharField):
    """The login account by its user name; empty unlinks. (No max_length: its
    validator would run on the User this field returns.) Looked up among the
    accounts the acting user can see (`queryset`), so the field tells nothing about
    other centres' accounts; the person services decide whether the link is allowed."""

    queryset = None

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        accounts = self.queryset if self.queryset is not None else get_user_model().objects.none()
        user = accounts.filter(username=value).first()
        if user is None:
            raise ValidationError(_("There is no login account named “%(name)s”."), params={"name": value},
                                  code="unknown")
        return user

    def has_changed(self, initial, data):
        return (initial or "") != (data or "").strip()


class PersonForm(CentreChoiceMixin, ServiceModelForm):
    mobile = MobileField(label=_("mobile phone"), required=False,
                         help_text=_("11 digits; +86, spaces and dashes are fine."))
    user = AccountField(label=_("login account"), required=False,
                        help_text=_("User name of the account this person logs in with; empty for none."))

    class Meta:
        model = Person
        fields = ["name", "gender", "mobile", "political_status", "joined_party_on", "unit", "branch",
                  "transferred_in", "window", "job", "photo", "is_active", "user"]
        widgets = {"joined_party_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        # "name" and "active" mean 名称 and 启用 elsewhere; for a person they are 姓名 and 在岗.
        labels = {"name": pgettext_lazy("person", "name"), "is_active": pgettext_lazy("person", "active")}

    def __init__(self, *args, user, centre=None, centres=None, may_link_account=False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.user_id:
            self.initial["user"] = self.instance.user.username
        centre_ids = [centre.pk] if centre is not None else [c.pk for c in centres or []]
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(centre__in=centre_ids)
        self.fields["window"].queryset = (Window.objects.visible_to(user).filter(centre__in=centre_ids)
                                          .select_related("floor"))
        branches = Organization.objects.visible_to(user).filter(
            centre__in=centre_ids, kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH])
        editable = [c for c in centre_ids if can_edit_reference(user, c)]
        if len(editable) < len(centre_ids):
            # A secretary registers members only in the branches they lead.
            q = Q(centre__in=editable)
            for path in scope_for(user).paths(Role.SECRETARY):
                q |= Q(path__startswith=path)
            branches = branches.filter(q)
        self.fields["branch"].queryset = branches
        search_select(self.fields["unit"], "unit", centre=centre_ids)
        search_select(self.fields["window"], "window", centre=centre_ids)
        search_select(self.fields["branch"], "organization", centre=centre_ids, branches=1)
        self.fields["photo"].widget.attrs["accept"] = "image/*"
        if not may_link_account:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = get_user_model().objects.visible_to(user)
        if centre is None:
            self.add_centre_choice(centres)

    def clean_name(self):
        name = MIDDLE_DOTS.sub("·", self.cleaned_data["name"]).strip()
        if not name:
            raise ValidationError(_("Enter the name."), code="required")
        return name

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "size") and photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("The photo is larger than 5 MB."), code="too_large")
        return photo

    def _photo_value(self, data):
        # ClearableFileInput gives False for "clear": store no photo.
        if data.get("photo") is False:
            data["photo"] = ""
        return data

    def values(self):
        data = self._photo_value(super().values())
        if not data.get("photo"):
            data.pop("photo", None)
        return data

    def changes(self):
        return self._photo_value(super().changes())

