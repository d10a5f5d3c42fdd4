from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select
from vanguard.org.models import Floor, Organization, Unit

from .models import Audience, Category, Circular, Column

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class AudienceFields(forms.Form):
    """Audience choice shared by lessons and notices; choices limited to one centre."""

    audience = forms.ChoiceField(label=_("audience"), choices=[c for c in Audience.choices if c[0] != "people"],
                                 initial=Audience.ALL, widget=forms.Select(attrs=SELECT))
    branch = forms.ModelChoiceField(label=_("party branch"), queryset=Organization.objects.none(), required=False,
                                    widget=forms.Select(attrs=SELECT))
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False,
                                  widget=forms.Select(attrs=SELECT))
    floor = forms.ModelChoiceField(label=_("floor"), queryset=Floor.objects.none(), required=False,
                                   widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.fields["branch"].queryset = Organization.objects.filter(
            centre=centre, kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH])
        self.fields["unit"].queryset = Unit.objects.filter(centre=centre)
        self.fields["floor"].queryset = Floor.objects.filter(centre=centre)
        centre_id = getattr(centre, "pk", None)
        search_select(self.fields["branch"], "organization", centre=centre_id, branches=1)
        search_select(self.fields["unit"], "unit", centre=centre_id)

    def audience_values(self):
        data = self.cleaned_data
        return {"audience": data["audience"], "branch": data.get("branch"), "unit": data.get("unit"),
                "floor": data.get("floor")}


class LessonForm(AudienceFields):
    title = forms.CharField(label=_("title"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    category = forms.ChoiceField(label=_("lesson category"), choices=[("", "—")] + list(Category.choices), required=False,
                                 widget=forms.Select(attrs=SELECT))
    column = forms.ModelChoiceField(label=_("story column"), queryset=Column.objects.none(), required=False,
                                    widget=forms.Select(attrs=SELECT),
                                    help_text=_("For a story of a column such as 抗疫先锋, instead of a category."))
    sms_text = forms.CharField(label=_("SMS text"), widget=forms.Textarea(attrs={
        **TEXT, "rows": 4, "hx-post": "", "hx-trigger": "keyup changed delay:300ms", "hx-target": "#preview",
        "hx-include": "closest form"}))
    web_body = forms.CharField(label=_("web version"), required=False,
                               widget=forms.Textarea(attrs={**TEXT, "rows": 8}),
                               help_text=_("Optional longer text, reached by a short link in the SMS."))
    send_at = forms.DateTimeField(label=_("send time"), required=False,
                                  widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"},
                                                             format="%Y-%m-%dT%H:%M"),
                                  help_text=_("Empty: the coming Monday at 08:00."))
    repeat_weekly = forms.BooleanField(label=_("repeat weekly"), required=False,
                                       widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    series_weeks = forms.IntegerField(label=_("weeks in the series"), min_value=1, max_value=52, initial=1,
                                      widget=forms.NumberInput(attrs=TEXT))
    urgent = forms.BooleanField(label=_("urgent (may be sent in quiet hours)"), required=False,
                                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    field_order = ["title", "category", "column", "sms_text", "web_body", "audience", "branch", "unit", "floor",
                   "send_at", "repeat_weekly", "series_weeks", "urgent"]

    def __init__(self, *args, preview_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = Column.objects.filter(centre=self.centre)
        self.fields["sms_text"].widget.attrs["hx-post"] = preview_url

    def values(self):
        data = self.cleaned_data
        return {"title": data["title"], "category": data["category"], "column": data.get("column"),
                "sms_text": data["sms_text"], "web_body": data.get("web_body", ""), "send_at": data.get("send_at"),
                "repeat_weekly": data.get("repeat_weekly", False), "series_weeks": data.get("series_weeks") or 1,
                "urgent": data.get("urgent", False), **self.audience_values()}


class NoticeForm(AudienceFields):
    title = forms.CharField(label=_("title"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    text = forms.CharField(label=_("SMS text"), widget=forms.Textarea(attrs={**TEXT, "rows": 4}))
    send_at = forms.DateTimeField(label=_("send time"), required=False,
                                  widget=forms.DateTimeInput(attrs={**TEXT, "type": "datetime-local"}),
                                  help_text=_("Empty: now."))
    urgent = forms.BooleanField(label=_("urgent (may be sent in quiet hours)"), required=False,
                                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    field_order = ["title", "text", "audience", "branch", "unit", "floor", "send_at", "urgent"]

    def values(self):
        data = self.cleaned_data
        return {"title": data["title"], "text": data["text"], "send_at": data.get("send_at"),
                "urgent": data.get("urgent", False), **self.audience_values()}


class ColumnForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(label=_("description"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs=TEXT))


class TestSendForm(forms.Form):
    mobile = forms.CharField(label=_("mobile phone"), max_length=30, widget=forms.TextInput(attrs=TEXT))


class CircularForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    issuer = forms.CharField(label=_("issuing body"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    number = forms.CharField(label=_("document number"), max_length=60, widget=forms.TextInput(attrs=TEXT))
    secrecy = forms.ChoiceField(label=_("classification"), choices=Circular.Secrecy.choices,
                                initial=Circular.Secrecy.NONE, widget=forms.Select(attrs=SELECT))
    summary = forms.CharField(label=_("summary"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    file = forms.FileField(label=_("file"), help_text=_("PDF or Word (.docx)."),
                           widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".pdf,.docx"}))


class CirculateForm(forms.Form):
    branches = forms.ModelMultipleChoiceField(label=_("branches"), queryset=Organization.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Organization.objects.filter(
            centre=centre, kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]).order_by("path")


class BookletForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(label=_("description"), required=False,
                                  widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    file = forms.FileField(label=_("PDF file"), required=False,
                           help_text=_("Optional: a PDF; or write chapters after saving."),
                           widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".pdf"}))


class ChapterForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={**TEXT, "rows": 12}))
