"""Staff forms: they parse and offer choices from what the user can see; the rules are
in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select
from vanguard.org.models import Person, Unit, Window

from .models import CaseRules, Kind, Source


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EntryForm(forms.Form):
    """A phone call or a letter, entered by the office or a unit's handler."""

    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    source = forms.ChoiceField(label=_("source"), choices=[(Source.PHONE, Source.PHONE.label),
                                                           (Source.LETTER, Source.LETTER.label)])
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    source_ref = forms.CharField(label=_("original number"), required=False, max_length=64,
                                 help_text=_("e.g. the 12345 hotline's work order number"))
    post = forms.ModelChoiceField(label=_("vanguard post"), queryset=None, required=False)
    window = forms.ModelChoiceField(label=_("window"), queryset=None, required=False)
    person = forms.ModelChoiceField(label=_("person"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("responsible unit"), queryset=None, required=False,
                                  help_text=_("Leave empty to route it from the post, window or person."))
    contact_name = forms.CharField(label=_("citizen's name"), required=False, max_length=50)
    contact_mobile = forms.CharField(label=_("citizen's mobile"), required=False, max_length=20)
    photos = forms.FileField(label=_("photos"), required=False, widget=MultipleFileInput())

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        from vanguard.posts.models import VanguardPost

        self.fields["post"].queryset = VanguardPost.objects.filter(centre=centre).order_by("name", "pk")
        self.fields["window"].queryset = Window.objects.filter(centre=centre).order_by("number", "pk")
        self.fields["person"].queryset = Person.objects.filter(centre=centre, is_active=True).order_by("name", "pk")
        self.fields["unit"].queryset = Unit.objects.filter(centre=centre).order_by("name", "pk")
        for name in ("post", "window", "person", "unit"):
            search_select(self.fields[name], name, centre=centre.pk, **({"active": 1} if name == "person" else {}))
        _style(self)

    def clean_photos(self):
        return self.files.getlist("photos") if self.files else []


class RulesForm(forms.ModelForm):
    class Meta:
        model = CaseRules
        fields = ["help_days", "complaint_days", "suggestion_days", "accept_days", "remind_days", "redo_limit",
                  "warn_upheld"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
