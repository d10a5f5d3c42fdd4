"""Forms of the assessment pages: they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Adjustment, Indicator, Part, Scheme

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class OpenPeriodForm(forms.Form):
    month = forms.CharField(label=_("month"), max_length=7, help_text=_("YYYY-MM"),
                            widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2026-10",
                                                          "type": "month"}))


class AdjustmentForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=None,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(label=_("kind"), choices=Adjustment.Kind.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    points = forms.DecimalField(label=_("points"), required=False, min_value=0, max_digits=5, decimal_places=1,
                                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}))
    source = forms.ChoiceField(label=_("source"), choices=Adjustment.Source.choices,
                               widget=forms.Select(attrs={"class": "form-select"}))
    aspect = forms.ChoiceField(label=_("inspection aspect"), choices=Adjustment.Aspect.choices, required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("reason"), max_length=300,
                             widget=forms.TextInput(attrs={"class": "form-control"}))
    evidence = forms.FileField(label=_("evidence"), required=False,
                               widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def clean_evidence(self):
        f = self.cleaned_data.get("evidence")
        if f and f.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The evidence file is larger than 10 MB."))
        return f


class AppealForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("indicator"), queryset=None, required=False,
                                       widget=forms.Select(attrs={"class": "form-select"}))
    text = forms.CharField(label=_("objection"), widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators


class DecideAppealForm(forms.Form):
    uphold = forms.BooleanField(label=_("uphold the appeal"), required=False,
                                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))
    points = forms.CharField(label=_("corrected points of the indicator"), required=False,
                             widget=forms.TextInput(attrs={"class": "form-control"}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("filled-in template (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}))


class SchemeRulesForm(forms.ModelForm):
    """The star rule and the other parameters of a scheme version (the services validate)."""

    class Meta:
        model = Scheme
        fields = ["name", "formula", "party_weight", "work_weight", "threshold", "quota_kind", "quota_value",
                  "tie_break", "veto_rules", "publicity_days", "note_required_loss"]
        widgets = {"veto_rules": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=10)
    name = forms.CharField(label=_("name"), max_length=100)
    part = forms.ChoiceField(label=_("part"), choices=Part.choices)
    maximum = forms.DecimalField(label=_("maximum"), max_digits=6, decimal_places=1)
    method = forms.ChoiceField(label=_("method"), choices=Indicator.Method.choices)
    scorer_kind = forms.ChoiceField(label=_("scored by"), choices=Indicator.ScorerKind.choices)
    aspect = forms.ChoiceField(label=_("star aspect"), choices=Indicator.Aspect.choices, required=False)
    auto_source = forms.ChoiceField(label=_("automatic source"), choices=Indicator.AutoSource.choices,
                                    required=False)
    auto_kind = forms.CharField(label=_("kind of record"), max_length=30, required=False)
    auto_measure = forms.ChoiceField(label=_("figure counted"), choices=Indicator.Measure.choices, required=False)
    auto_formula = forms.ChoiceField(label=_("rule"), choices=Indicator.Formula.choices, required=False)
    auto_step = forms.DecimalField(label=_("points per unit"), max_digits=6, decimal_places=1, required=False)
    auto_threshold = forms.DecimalField(label=_("full marks from (%)"), max_digits=4, decimal_places=1,
                                        required=False)
    description = forms.CharField(label=_("description"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else \
                "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def has_changed(self):
        # A blank extra row still posts its selects' first choices: it is a new indicator only
        # once it has a code, name or maximum.
        return any(str(self.data.get(self.add_prefix(f), "")).strip() for f in ("code", "name", "maximum"))


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2, can_delete=True)


class NewVersionForm(forms.Form):
    valid_from = forms.CharField(label=_("valid from month"), max_length=7, help_text=_("YYYY-MM"),
                                 widget=forms.TextInput(attrs={"class": "form-control", "type": "month"}))
