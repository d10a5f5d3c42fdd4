"""Roster pages: upload (office), template download and export (office, secretary).
Thin: parse the request, call vanguard.org.roster, render."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core import upload_jobs

from . import roster
from .roster import background
from .roster.columns import MAX_BYTES


class RosterUploadForm(forms.Form):
    centre = forms.ModelChoiceField(queryset=None, label=gettext_lazy("service centre"), empty_label=None)
    file = forms.FileField(label=gettext_lazy("Roster file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file, do not save"), required=False)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        self.fields["centre"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"
        self.fields["dry_run"].widget.attrs["class"] = "form-check-input"


def _centres(user):
    centres = roster.roster_centres(user)
    if not centres.exists():
        raise PermissionDenied(_("You do not have access to a roster."))
    return centres


def _chosen_centre(request, centres):
    code = request.GET.get("centre")
    if not code:
        return centres.first()
    centre = centres.filter(code=code).first()
    if centre is None:
        raise Http404
    return centre


def _xlsx(data, ascii_name, name):
    response = HttpResponse(data, content_type=roster.XLSX_CONTENT_TYPE)
    # The Chinese name for browsers that read filename*, a plain one for those that do not.
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def roster_page(request):
    centres = _centres(request.user)
    centre = _chosen_centre(request, centres)
    importable = centres.filter(pk__in=[c.pk for c in centres if roster.can_import_roster(request.user, c)])
    result = None
    form = None
    if importable.exists():
        form = RosterUploadForm(request.POST or None, request.FILES or None, centres=importable,
                                initial={"centre": centre if centre in importable else importable.first()})
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the party-building office may import a roster."))
        if form.is_valid():
            centre = form.cleaned_data["centre"]
            upload = form.cleaned_data["file"]
            if upload_jobs.is_large(upload):  # the worker reads it; this page shows its progress
                try:
                    job = upload_jobs.start(request.user, background.HANDLER, centre, upload,
                                            options={"dry_run": form.cleaned_data["dry_run"]}, limit=MAX_BYTES)
                except ValidationError as e:
                    messages.error(request, " ".join(e.messages))
                    return redirect(f"{request.path}?centre={centre.code}")
                return redirect(f"{request.path}?centre={centre.code}&job={job.token}")
            result = roster.import_roster(request.user, centre, form.cleaned_data["file"],
                                          dry_run=form.cleaned_data["dry_run"])
            if result.saved:
                messages.success(request, _("Roster imported into %(centre)s: %(created)s added, %(updated)s "
                                            "updated, %(unchanged)s unchanged.")
                                 % {"centre": centre.name, "created": result.created, "updated": result.updated,
                                    "unchanged": result.unchanged})
                return redirect(f"{request.path}?centre={centre.code}")
    return render(request, "org/roster.html", {"centres": centres, "centre": centre, "form": form, "result": result,
                                               "job": upload_jobs.progress(request.GET.get("job"), request.user)})


@login_required
def roster_template(request):
    centre = _chosen_centre(request, _centres(request.user))
    return _xlsx(roster.roster_template(request.user, centre), f"roster-template-{centre.code}.xlsx",
                 f"{centre.name}花名册模板.xlsx")


@login_required
def roster_export(request):
    centre = _chosen_centre(request, _centres(request.user))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(roster.export_roster(request.user, centre), f"roster-{centre.code}-{stamp}.xlsx",
                 f"{centre.name}花名册{stamp}.xlsx")
