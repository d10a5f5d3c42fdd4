"""The office's pages: overdue branches, the completion board, settings, figures."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import int_param, year_param
from vanguard.core.permissions import is_office_of, require
from vanguard.org.models import ServiceCentre

from .. import selectors, services
from ..forms import (
    manageable_organizations,
)
from ..models import (
    CADENCE_CHOICES,
    ActivityKind,
    MeetingKind,
)
from .common import _flash

FIGURE_BRANCHES = 25  # branches on one page of the figures


# Office: overdue, the completion board, settings ------------------------------------------------------


def _centres(request):
    """The centres whose branches the user oversees (office), or those of their branches (secretary)."""
    organizations = manageable_organizations(request.user)
    centre_ids = sorted(set(organizations.values_list("centre_id", flat=True)))
    require(bool(centre_ids))
    centres = ServiceCentre.objects.visible_to(request.user).filter(pk__in=centre_ids).order_by("name")
    chosen = int_param(request, "centre", None, 1)
    # A ?centre= the user does not oversee shows their own first centre (it was a 500).
    centre = (centres.filter(pk=chosen).first() if chosen else None) or centres.first()
    require(centre is not None)
    return centre, centres, organizations.filter(centre=centre)


@login_required
def overdue(request):
    centre, centres, branches = _centres(request)
    rows = services.overdue(centre, branches=branches)
    soon = services.due_soon(centre, branches=branches)
    labels = dict(MeetingKind.choices)
    return render(request, "life/overdue.html", {
        "centre": centre, "centres": centres,
        "rows": [{"branch": b, "kind": labels[k], "first": p[0], "last": p[1]} for b, k, p in rows],
        "soon": [{"branch": b, "kind": labels[k], "last": last} for b, k, last in soon]})


@login_required
def board(request):
    centre, centres, branches = _centres(request)
    today = timezone.localdate()
    year = year_param(request)
    quarter = int_param(request, "quarter", (today.month - 1) // 3 + 1, 1, 4)
    rows = services.completion_board(centre, year, quarter, branches=branches)
    return render(request, "life/board.html", {
        "centre": centre, "centres": centres, "year": year, "quarter": quarter, "quarters": [1, 2, 3, 4],
        "red": [r for r in rows if r["complete"]], "black": [r for r in rows if not r["complete"]],
        "kinds": rows[0]["lines"] if rows else []})


@login_required
def settings_page(request):
    """The office's cadence per meeting kind and its activity kinds."""
    centre, centres, _branches = _centres(request)
    require(is_office_of(request.user, centre.pk))
    if request.method == "POST":
        try:
            with transaction.atomic():
                if request.POST.get("what") == "cadence":
                    current = services.cadence_for(centre)
                    for kind in MeetingKind.values:
                        raw = request.POST.get(f"cadence-{kind}")
                        if raw is not None and raw.isdigit() and int(raw) != current[kind]:
                            services.set_cadence(request.user, centre, kind, int(raw))
                elif request.POST.get("what") == "kind":
                    services.set_activity_kind(request.user, centre, code=request.POST.get("code", "").strip(),
                                               name=request.POST.get("name", ""),
                                               counts_hours=bool(request.POST.get("counts_hours")),
                                               is_active=not request.POST.get("retire"))
                else:
                    return HttpResponseBadRequest()
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("life:settings") + f"?centre={centre.pk}")
    cadence = services.cadence_for(centre)
    return render(request, "life/settings.html", {
        "centre": centre, "centres": centres, "choices": CADENCE_CHOICES,
        "cadence": [(k, label, cadence[k]) for k, label in MeetingKind.choices],
        "kinds": list(services.activity_kinds(centre, active_only=False))})


@login_required
def figures(request):
    """The seed's figures from the records: per branch (its floor) and the centre, for a year;
    every number links to the rows behind it."""
    centre, centres, branches = _centres(request)
    year = year_param(request)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    # A page of branches (a city centre has hundreds: 254 KB of links on one page); the centre's total
    # row counts them all.
    paginator = CappedPaginator(branches.select_related("floor").order_by("path"), FIGURE_BRANCHES)
    page = paginator.get_page(request.GET.get("page"))
    rows, total = selectors.figures(centre, first, last, page.object_list)
    kinds = {k.code: k for k in ActivityKind.objects.visible_to(request.user).filter(centre=centre)}
    shown = [kinds[c] for c in selectors.FIGURE_ACTIVITIES if c in kinds]
    shown += [k for c, k in kinds.items() if c not in selectors.FIGURE_ACTIVITIES and k.is_active]
    span = {"from": first.isoformat(), "to": last.isoformat(), "centre": centre.pk}

    def links(organization=None):
        base = {**span, **({"organization": organization.pk} if organization else {})}
        return {
            "attendance": reverse("life:attendance-rows") + "?" + urlencode(base),
            "meetings": reverse("life:meetings") + "?" + urlencode(
                {"status": "held", "year": year, "centre": centre.pk,
                 **({"organization": organization.pk} if organization else {})}),
            "activities": {k.code: reverse("life:activity-rows") + "?" + urlencode({**base, "kind": k.code})
                           for k in shown},
        }

    def cells(figures_, organization=None):
        url = links(organization)
        return {"meetings": figures_["meetings"], "expected": figures_["expected"], "present": figures_["present"],
                "rate": figures_["rate"], "attendance_url": url["attendance"], "meetings_url": url["meetings"],
                "activities": [{"kind": k, "url": url["activities"][k.code],
                                **figures_["activities"].get(k.code, {"times": 0, "hours": 0})} for k in shown]}

    return render(request, "life/figures.html", {
        "centre": centre, "centres": centres, "year": year, "kinds": shown, "page": page,
        "rows": [(b, cells(f, b)) for b, f in rows], "total": cells(total)})
