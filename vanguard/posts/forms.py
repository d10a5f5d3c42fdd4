"""Staff forms: they parse and offer choices from what the user can see; the
rules are in services.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select
from vanguard.org.models import Floor, Organization, Person, Unit, Window

from .models import PLEDGE_MAX_LENGTH, KeyProject, PostStandard, VanguardPost


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class PostForm(forms.ModelForm):
    holders = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), label=_("holders"),
        help_text=_("Every holder must be a party member (full or probationary). Hold Ctrl to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}))

    class Meta:
        model = VanguardPost
        fields = ["name", "kind", "holders", "window", "unit", "department", "project", "service_scope",
                  "complaint_phone", "standard", "naming_authority", "pledge_work", "pledge_time", "pledge_quality",
                  "pledge_attitude", "photo"]
        widgets = {"service_scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.fields["holders"].queryset = Person.objects.visible_to(user).filter(
            centre=centre, is_active=True).select_related("window").order_by("window__number", "name")
        self.fields["holders"].label_from_instance = lambda p: (
            f"{p.name}（{p.get_political_status_display()}）{' · ' + p.window.number if p.window_id else ''}")
        self.fields["window"].queryset = Window.objects.filter(centre=centre)
        self.fields["unit"].queryset = Unit.objects.filter(centre=centre)
        self.fields["department"].queryset = Unit.objects.filter(centre=centre, kind=Unit.Kind.DEPARTMENT)
        self.fields["project"].queryset = KeyProject.objects.filter(centre=centre)
        self.fields["standard"].queryset = PostStandard.objects.filter(centre=centre, is_active=True)
        self.fields["naming_authority"].queryset = authorities(centre.pk)
        self.fields["complaint_phone"].initial = centre.complaint_phone
        for name in VanguardPost.PLEDGE_FIELDS:
            # The service checks the length with a Chinese message; the browser hint only helps typing.
            self.fields[name].help_text = _("At most %(max)s characters, to fit the signboard.") % {
                "max": PLEDGE_MAX_LENGTH}
        if self.instance.pk:
            self.fields["holders"].initial = list(self.instance.post_holders.values_list("person_id", flat=True))
        search_select(self.fields["holders"], "person", centre=centre.pk, active=1)
        for name in ("window", "unit", "department", "project"):
            search_select(self.fields[name], "window" if name == "window" else "project" if name == "project"
                          else "unit", centre=centre.pk, kind=Unit.Kind.DEPARTMENT if name == "department" else "")
        _style(self)

    def _post_clean(self):
        # The service validates the model (with the holders); skip ModelForm's instance checks.
        pass

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        holders = data.pop("holders")
        order = {pk: i for i, pk in enumerate(self.fields["holders"].initial or [])}
        data["holders"] = sorted(holders, key=lambda p: order.get(p.pk, len(order)))
        if data.get("photo") is None:
            data.pop("photo", None)
        elif data.get("photo") is False:
            data["photo"] = ""
        return data


class DiscloseForm(forms.Form):
    reason = forms.CharField(label=_("note"), required=False, max_length=500)


def authorities(centre_id):
    """Party committees that may own and name a post: leading groups (党组) and committees (党委)."""
    return Organization.objects.filter(centre=centre_id, kind__in=[Organization.Kind.LEADING_GROUP,
                                                                   Organization.Kind.COMMITTEE])


class NameForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("named by"), required=False,
                                          help_text=_("The party committee that owns the post."))
    named_on = forms.DateField(label=_("named on"), initial=timezone.localdate,
                               widget=forms.DateInput(attrs={"type": "date"}))
    certificate_number = forms.CharField(label=_("certificate number"), required=False, max_length=100)
    evaluation = forms.TypedChoiceField(label=_("passed evaluation"), required=False, coerce=int, empty_value=None,
                                        help_text=_("The quarterly evaluation this post passed."))
    override_reason = forms.CharField(
        label=_("reason for naming without a passed evaluation"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when no passed evaluation is chosen; the certificate and the history state it."))
    reason = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        from vanguard.surveys.reading import passed_evaluations

        from .services import naming_authority_of

        self.fields["organization"].queryset = authorities(post.centre_id)
        self.fields["organization"].initial = getattr(naming_authority_of(post), "pk", None)
        self.fields["organization"].empty_label = _("Please choose")
        choices = [(e.pk, e.title) for e in passed_evaluations(post)]
        self.fields["evaluation"].choices = [("", _("None: the office decides (give the reason)"))] + choices
        if choices:
            self.fields["evaluation"].initial = choices[0][0]
        _style(self)


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("revoked on"), initial=timezone.localdate,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason for revocation"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = KeyProject
        fields = ["name", "category", "district", "address", "latitude", "longitude", "units", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "units": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(centre=centre)
        _style(self)

    def _post_clean(self):
        pass


class StandardForm(forms.ModelForm):
    class Meta:
        model = PostStandard
        fields = ["industry", "post_kind", "title", "text", "is_active"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def _post_clean(self):
        pass


class BatchForm(forms.Form):
    floor = forms.ModelChoiceField(queryset=Floor.objects.none(), required=False, label=_("floor"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("unit"))
    layout = forms.ChoiceField(choices=[("a3", _("A3 portrait")), ("a4", _("A4 portrait")),
                                                ("a5", _("A5 landscape"))], label=_("layout"),
                               required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["floor"].queryset = Floor.objects.visible_to(user)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        search_select(self.fields["floor"], "floor")
        search_select(self.fields["unit"], "unit")
        _style(self)
