"""Forms of the pledges pages: they parse; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select
from vanguard.org.models import Person, Unit

from .models import Letter, Result, Target
from .services import MIDYEAR, YEAR_END

DATE = {"type": "date", "class": "form-control"}


class PledgeForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("member"), required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    what = forms.CharField(label=_("pledge"), max_length=200,
                           widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))
    deadline = forms.DateField(label=_("by when"), widget=forms.DateInput(attrs=DATE))
    measure = forms.CharField(label=_("measurable result"), max_length=200, required=False,
                              help_text=_("How anyone can tell the pledge was kept, e.g. “20 elderly residents "
                                          "helped online”."),
                              widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, user=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
            self.fields["person"].required = True
            search_select(self.fields["person"], "person", members=1)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("reason for returning the pledge"), required=False,
                             widget=forms.TextInput(attrs={"class": "form-control"}))


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("what has been done"), max_length=1000,
                           widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))
    day = forms.DateField(label=_("day"), required=False, widget=forms.DateInput(attrs=DATE))
    photo = forms.FileField(label=_("photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                   "accept": "image/jpeg,image/png"}))
    # The member's own meetings and activities of the pledge's year ("m<id>" / "a<id>"), set by the
    # page (selectors.life_choices); the service checks the record is the member's.
    life_record = forms.CharField(label=_("a meeting or activity of yours"), required=False, max_length=20,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    link = forms.CharField(label=_("other link or reference"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self):
        """The record chosen as (meeting, activity) ids; anything else is left for the service to refuse."""
        data = super().clean()
        value = data.get("life_record") or ""
        kind, number = value[:1], value[1:]
        data["meeting"] = number if kind == "m" else "x" if value and kind != "a" else None
        data["activity"] = number if kind == "a" else None
        return data


class JudgeForm(forms.Form):
    stage = forms.ChoiceField(label=_("stage"), choices=[(MIDYEAR, _("Mid-year")), (YEAR_END, _("Year-end"))],
                              widget=forms.Select(attrs={"class": "form-select"}))
    result = forms.ChoiceField(label=_("judgement"), choices=Result.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("reason"), required=False,
                             widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))


class CommentForm(forms.Form):
    author_name = forms.CharField(label=_("name (optional)"), max_length=30, required=False,
                                  widget=forms.TextInput(attrs={"class": "form-control"}))
    body = forms.CharField(label=_("your comment"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class LetterForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("kind"), choices=Letter.Kind.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("unit"),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    leader = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("leader"), required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=_("title"), max_length=100, required=False)

    def __init__(self, *args, centre=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["unit"].queryset = Unit.objects.filter(centre=centre).order_by("name")
        self.fields["leader"].queryset = Person.objects.visible_to(user).filter(centre=centre)
        search_select(self.fields["unit"], "unit")
        search_select(self.fields["leader"], "person")


SECTION_HELP = _("One target a line: section | target | measure | weight | evidence. Sections: party, service, "
                 "posts, integrity. Evidence: manual, pledges_kept, posts_kept, satisfaction.")


class TargetsForm(forms.Form):
    lines = forms.CharField(label=_("targets"), help_text=SECTION_HELP,
                            widget=forms.Textarea(attrs={"class": "form-control", "rows": 8}))

    def targets(self):
        rows = []
        for line in self.cleaned_data["lines"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            parts += [""] * (5 - len(parts))
            rows.append({"section": parts[0], "text": parts[1], "measure": parts[2], "weight": parts[3],
                         "metric": parts[4] or Target.Metric.MANUAL})
        return rows


class SignForm(forms.Form):
    signatory = forms.CharField(label=_("signatory"), max_length=50, required=False)
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs=DATE))
    scan = forms.FileField(label=_("signed scan"), required=False)


class TargetProgressForm(forms.Form):
    target = forms.IntegerField(widget=forms.HiddenInput)
    quarter = forms.IntegerField(label=_("quarter"), min_value=1, max_value=4)
    percent = forms.IntegerField(label=_("achieved (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("what has been done"), required=False)
    evidence = forms.FileField(label=_("evidence"), required=False)
