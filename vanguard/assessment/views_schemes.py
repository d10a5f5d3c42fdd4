"""The office writes its own scheme: a new version copied from the current one,
edited as a draft (rules and indicators), then activated. Thin: the services
validate (each part sums to 100) and refuse edits to a version in use."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vanguard.org.views.common import visible_or_404

from . import services
from .explain import rule_text
from .forms import IndicatorFormSet, NewVersionForm, SchemeRulesForm
from .models import Part, Period, Scheme
from .permissions import can_manage


def _managed_scheme(request, pk):
    scheme = visible_or_404(request, Scheme, pk, select=("centre",))
    if not can_manage(request.user, scheme.centre_id):
        raise PermissionDenied
    return scheme


def _add_errors(form, formset, exc):
    """A service's ValidationError beside the field it names; indicator problems above the table."""
    for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        if field in form.fields:
            form.add_error(field, msgs)
        else:
            formset._non_form_errors = formset.error_class(list(formset.non_form_errors()) + list(msgs))


@login_required
def scheme_detail(request, pk):
    scheme = visible_or_404(request, Scheme, pk, select=("centre",))
    return render(request, "assessment/scheme.html", {
        "scheme": scheme, "rule": rule_text(scheme), "manage": can_manage(request.user, scheme.centre_id),
        "party": scheme.indicators.filter(part=Part.PARTY), "work": scheme.indicators.filter(part=Part.WORK),
        "periods": Period.objects.filter(scheme=scheme).order_by("month"),
        "new_form": NewVersionForm()})


@login_required
def scheme_new_version(request, pk):
    """POST: a draft copy of this version from the given month, to edit."""
    scheme = _managed_scheme(request, pk)
    if request.method != "POST":
        return redirect("assessment:scheme", scheme.pk)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            draft = services.copy_scheme(request.user, scheme, form.cleaned_data["valid_from"])
        except ValidationError as e:
            for m in e.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Version %(v)s created as a draft from %(month)s: edit it, then activate "
                                        "it.") % {"v": draft.version, "month": f"{draft.valid_from:%Y-%m}"})
            return redirect("assessment:scheme-edit", draft.pk)
    else:
        messages.error(request, _("Give the month as YYYY-MM, e.g. 2026-10."))
    return redirect("assessment:scheme", scheme.pk)


@login_required
def scheme_edit(request, pk):
    scheme = _managed_scheme(request, pk)
    if scheme.in_use:
        messages.error(request, _("This scheme is in use by a month and cannot be edited; "
                                  "create a new version from a later month."))
        return redirect("assessment:scheme", scheme.pk)
    if request.method == "POST":
        form = SchemeRulesForm(request.POST, instance=Scheme.objects.get(pk=scheme.pk))
        formset = IndicatorFormSet(request.POST, prefix="ind")
        if form.is_valid() and formset.is_valid():
            rows = [{**f.cleaned_data, "sort_order": n}
                    for n, f in enumerate((f for f in formset.forms if f.cleaned_data), start=1)
                    if not f.cleaned_data.get("DELETE")]
            for row in rows:
                row.pop("DELETE", None)
            rules = dict(form.cleaned_data)
            try:
                services.update_scheme(request.user, scheme, indicators=rows, **rules)
            except ValidationError as e:
                _add_errors(form, formset, e)
            else:
                messages.success(request, _("Version %(v)s saved.") % {"v": scheme.version})
                return redirect("assessment:scheme", scheme.pk)
        status = 400
    else:
        form = SchemeRulesForm(instance=scheme)
        formset = IndicatorFormSet(prefix="ind", initial=services.indicator_dicts(scheme))
        status = 200
    return render(request, "assessment/scheme_edit.html", {"scheme": scheme, "form": form, "formset": formset},
                  status=status)


@login_required
def scheme_activate(request, pk):
    """GET: what activating means; POST: activate."""
    scheme = _managed_scheme(request, pk)
    error = ""
    if request.method == "POST":
        try:
            services.activate_scheme(request.user, scheme)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, _("Version %(v)s is active: months from %(month)s on open with it.") % {
                "v": scheme.version, "month": f"{scheme.valid_from:%Y-%m}"})
            return redirect("assessment:scheme", scheme.pk)
    return render(request, "assessment/scheme_activate.html", {
        "scheme": scheme, "rule": rule_text(scheme), "error": error,
        "counts": {p: scheme.indicators.filter(part=p).count() for p in Part.values}}, status=400 if error else 200)
