"""Forms of honours pages: only the choosers (search as you type beyond 100 choices);
the services check everything else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select


class CandidateForm(forms.Form):
    """The candidate of a nomination, among what the user can see in the selection's centre."""

    candidate = forms.ModelChoiceField(queryset=None, label=_("Candidate"), required=False)
    reasons = forms.CharField(label=_("Reasons for nomination"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, model, chooser, user, centre_id, **kwargs):
        super().__init__(*args, **kwargs)
        qs = model.objects.visible_to(user).filter(centre_id=centre_id)
        params = {"centre": centre_id}
        if chooser == "organization":
            qs = qs.filter(kind="branch")
            params["branches"] = 1
        if chooser == "person":
            qs = qs.filter(is_active=True)
            params["active"] = 1
        field = self.fields["candidate"]
        field.queryset = qs
        field.widget.attrs["class"] = "form-select"
        search_select(field, chooser, **params)


class HolderForm(forms.Form):
    holder = forms.ModelChoiceField(queryset=None, label=_("Holder"))

    def __init__(self, *args, model, chooser, user, centre_id, **kwargs):
        super().__init__(*args, **kwargs)
        qs = model.objects.visible_to(user).filter(centre_id=centre_id)
        params = {"centre": centre_id}
        if chooser == "organization":
            qs = qs.filter(kind="branch")
            params["branches"] = 1
        field = self.fields["holder"]
        field.queryset = qs
        field.widget.attrs["class"] = "form-select"
        search_select(field, chooser, **params)
