import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CalendarOverride


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date", "class": "form-control"}),
            "kind": forms.Select(attrs={"class": "form-select"}),
            "note": forms.TextInput(attrs={"class": "form-control"}),
        }


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100,
                              initial=lambda: datetime.date.today().year + 1,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
