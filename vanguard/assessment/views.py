"""Staff pages of the assessment: months, their workflow, the score grid and
the Excel template, adjustments, results, appeals. Thin: parse, call a
service, render."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from vanguard.core import upload_jobs
from vanguard.core.paginators import CappedPaginator
from vanguard.core.permissions import office_centres
from vanguard.core.scoping import scope_for
from vanguard.org.centres import centre_choice
from vanguard.org.models import Organization, Person, Unit
from vanguard.org.views.common import visible_or_404

from . import auto, previews, selectors, services, uploads, workbook
from .forms import AdjustmentForm, OpenPeriodForm, UploadForm
from .models import Adjustment, Appeal, Cell, Part, Period, Reminder, Result, Scheme
from .permissions import can_enter_adjustments, can_manage, scorable_people, scoring_parts
from .scoring import Entry, grid_people, save_scores, todo_for

TODO_MONTHS = 3  # the home page's to-do covers the oldest months being scored, at most this many
TODO_LINES = 10  # and in each, at most this many branches or departments with people left
GRID_ROWS = 100  # an office's grid of more people than this opens on one branch or department

STEPS = {
    "start": services.start_scoring,
    "close": services.close_scoring,
    "publish": services.publish_period,
    "finalise": services.finalise_period,
}


def _errors(request, exc):
    for message in exc.messages:
        messages.error(request, message)


def _managed_centres(user):
    return list(office_centres(user).order_by("name"))


@login_required
def home(request):
    user = request.user
    # One centre at a time for a user who sees several (the city's administrator: 50 centres' months).
    centre, centres = centre_choice(request)
    periods = Period.objects.visible_to(user)
    if centre is not None:
        periods = periods.filter(centre=centre)
    periods = list(periods.select_related("centre", "scheme").order_by("-month")[:24])
    # Every month still being scored, oldest first: opening the next month hides none of them.
    # (The to-do of TODO_MONTHS of them: each costs a count over a centre's month; the rest are in the list.)
    scoring = [p for p in reversed(periods) if p.accepts_scores and scoring_parts(user, p.centre_id)]
    # An office's month has a line per branch (200 in a city centre): the home shows the first few with people
    # left, the month's page all of them.
    todos = [(p, [line for line in lines if line["left"]][:TODO_LINES] or lines[:TODO_LINES],
              max(0, sum(1 for line in lines if line["left"]) - TODO_LINES))
             for p in scoring[:TODO_MONTHS] for lines in [todo_for(user, p)] if lines]
    managed = _managed_centres(user)
    next_month = None
    if managed:
        latest = max((p.month for p in periods if p.centre_id == managed[0].pk), default=None)
        today = timezone.localdate().replace(day=1)
        next_month = (latest + datetime.timedelta(days=32)).replace(day=1) if latest else today
        next_scheme = services.scheme_for_month(managed[0], next_month)
    person = getattr(user, "person", None)
    appeals = Appeal.objects.visible_to(user)
    if centre is not None:
        appeals = appeals.filter(period__centre=centre)
    return render(request, "assessment/home.html", {
        "periods": periods, "todos": todos, "can_open": bool(managed),
        "more_scoring": scoring[TODO_MONTHS:],
        "open_form": OpenPeriodForm(initial={"month": f"{next_month:%Y-%m}"} if next_month else None),
        "next_month": next_month, "next_scheme": next_scheme if managed else None, "person": person,
        "reminders": Reminder.objects.visible_to(user).filter(user=user)[:5],
        "schemes": Scheme.objects.visible_to(user).select_related("centre")[:10],
        "open_appeals": appeals.filter(status=Appeal.Status.OPEN).count() if managed else 0,
        "centre": centre, "centres": centres,
    })


@login_required
@require_POST
def period_open(request):
    centres = _managed_centres(request.user)
    if not centres:
        raise PermissionDenied
    form = OpenPeriodForm(request.POST)
    if form.is_valid():
        try:
            period = services.open_period(request.user, centres[0], form.cleaned_data["month"])
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("%(month)s opened with %(scheme)s; start scoring when the scorers may "
                                        "enter points.") % {"month": period.label, "scheme": period.scheme})
            return redirect("assessment:period", period.pk)
    else:
        messages.error(request, _("Give the month as YYYY-MM, e.g. 2026-10."))
    return redirect("assessment:home")


@login_required
def period_detail(request, pk):
    period = visible_or_404(request, Period, pk, select=("centre", "scheme"))
    user = request.user
    manage = can_manage(user, period.centre_id)
    parts = scoring_parts(user, period.centre_id)
    counts = selectors.month_counts(user, period)
    return render(request, "assessment/period.html", {
        "period": period, "manage": manage, "parts": parts,
        "todo": todo_for(user, period) if parts and period.accepts_scores else [],
        "result_count": counts["results"], "star_count": counts["stars"],
        "units": Unit.objects.filter(centre=period.centre, kind=Unit.Kind.HOME).order_by("name") if manage else
        Unit.objects.filter(pk__in=scope_for(user).units("liaison")),
        "floors": period.centre.floors.all(),
        "pending": counts["pending"],
        "upload_form": UploadForm(),
        "can_adjust": can_enter_adjustments(user, period.centre_id),
        "job": upload_jobs.progress(request.GET.get("job"), user),
    })


STEP_TITLES = {
    "start": _lazy("Start scoring"),
    "close": _lazy("Close scoring for review"),
    "publish": _lazy("Publish the results"),
    "finalise": _lazy("Make the month final"),
}


def _done_message(step, period):
    """What the step did, in figures read back from what was stored."""
    results = Result.objects.filter(period=period, is_current=True)
    if step == "start":
        return _("Scoring of %(month)s has started; scorers can enter points.") % {"month": period.label}
    if step == "close":
        return _("Scoring of %(month)s is closed; the office can review and publish it.") % {"month": period.label}
    if step == "publish":
        return _("%(month)s published: %(n)s results, %(stars)s star members, %(unassessed)s not assessed; "
                 "publicity until %(date)s.") % {
            "month": period.label, "n": results.count(), "stars": results.filter(is_star=True).count(),
            "unassessed": results.filter(total__isnull=True).count(), "date": period.publicity_ends}
    return _("%(month)s is final: its %(n)s results can no longer change.") % {
        "month": period.label, "n": results.count()}


@login_required
def period_step(request, pk, step):
    """GET: what the step will do (figures, members not scored) and a confirm button; POST: do it."""
    period = visible_or_404(request, Period, pk, select=("centre", "scheme"))
    service = STEPS.get(step)
    if service is None or not can_manage(request.user, period.centre_id):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        kwargs = {}
        if step in ("close", "publish"):
            kwargs["confirm_unscored"] = request.POST.get("confirm_unscored") == "1"
        try:
            period = service(request.user, period, **kwargs)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, _done_message(step, period))
            return redirect("assessment:period", period.pk)
    return render(request, "assessment/confirm_step.html", {
        "period": period, "step": step, "title": STEP_TITLES[step], "preview": previews.preview(period, step),
        "error": error}, status=400 if error else 200)


# The score grid ------------------------------------------------------------------------

def _part_and_group(request, period):
    parts = scoring_parts(request.user, period.centre_id)
    if not parts:
        raise PermissionDenied
    part = request.GET.get("part") or request.POST.get("part") or parts[0]
    if part not in parts:
        raise PermissionDenied
    group = None
    raw = request.GET.get("group") or request.POST.get("group") or ""
    if "-" in raw:
        kind, _sep, number = raw.partition("-")
        if kind in ("branch", "department") and number.isdigit():
            group = (kind, int(number))
    return part, group


def _below(value, indicator):
    """Whether a cell's value is under full marks (its note field is then shown)."""
    try:
        return Decimal(str(value).strip()) < indicator.maximum
    except (InvalidOperation, ValueError):
        return False


def _computed_cell(records_url, person, ind, score, posted):
    """A computed cell of the grid: its points, state and the records behind them (whose page explains
    them). `reopen` is what the scorer posted on it when the grid comes back with errors: the page opens
    its override box with it."""
    return {"indicator": ind, "computed": True, "score": score,
            "value": score.points.normalize() if score is not None else "",
            "overridden": score is not None and bool(score.override_reason),
            "reopen": posted.get((person.pk, ind.pk)),
            "records_url": records_url.replace("/0/0/", f"/{person.pk}/{ind.pk}/")}


def _grid_context(request, period, part, group, errors=None, posted=None):
    # A scorer sees (and saves against) what the records say now.
    auto.ensure_computed(period)
    indicators = list(period.scheme.indicators.filter(part=part))
    if group is None and can_manage(request.user, period.centre_id) and \
            grid_people(request.user, period, part)[:GRID_ROWS + 1].count() > GRID_ROWS:
        # A whole centre in one grid is megabytes (a city centre: 3,600 members x 35 cells): its first branch
        # or department instead; the select above the grid moves between them.
        first = (Organization.objects.filter(centre=period.centre, kind=Organization.Kind.BRANCH).order_by("path")
                 if part == Part.PARTY else
                 Unit.objects.filter(centre=period.centre, kind=Unit.Kind.DEPARTMENT).order_by("name")).first()
        if first is not None:
            group = ("branch" if part == Part.PARTY else "department", first.pk)
    people = list(grid_people(request.user, period, part, group))
    available = auto.sources()
    computed = {ind.pk for ind in indicators if auto.computes(ind, available)}
    # The cells as people see them (the Cell view: hand cells, computed cells and overrides).
    scores = {(s.person_id, s.indicator_id): s for s in Cell.objects.filter(
        period=period, indicator__in=indicators, person__in=[p.pk for p in people]).only(
        "person_id", "indicator_id", "points", "note", "computed", "computed_points", "override_reason")}
    posted = posted or {}
    # One reverse() for the records links of every computed cell: /0/0/ is the person and indicator.
    records_url = reverse("assessment:cell-records", args=[period.pk, 0, 0])
    rows = []
    for person in people:
        cells = []
        filled = 0
        for ind in indicators:
            score = scores.get((person.pk, ind.pk))
            filled += score is not None
            if ind.pk in computed:
                cells.append(_computed_cell(records_url, person, ind, score, posted))
                continue
            value, note = posted.get((person.pk, ind.pk), (None, None))
            if value is None:
                value = score.points.normalize() if score is not None else ""
            if note is None:
                note = score.note if score is not None else ""
            cells.append({"indicator": ind, "value": value, "note": note, "below": _below(value, ind)})
        rows.append({"person": person, "cells": cells, "filled": filled})
    manage = can_manage(request.user, period.centre_id)
    groups = []
    if manage:
        if part == Part.PARTY:
            groups = [(f"branch-{b.pk}", b.name) for b in Organization.objects.filter(
                centre=period.centre, kind=Organization.Kind.BRANCH).order_by("path")]
        else:
            groups = [(f"department-{d.pk}", d.name) for d in Unit.objects.filter(
                centre=period.centre, kind=Unit.Kind.DEPARTMENT).order_by("name")]
    return {
        "cell_url": reverse("assessment:grid-cell", args=[period.pk]),
        "period": period, "part": part, "part_label": Part(part).label, "indicators": indicators, "rows": rows,
        "computed_ids": computed,
        "editable": period.accepts_scores, "errors": errors or [], "groups": groups,
        "group": f"{group[0]}-{group[1]}" if group else "", "parts": scoring_parts(request.user, period.centre_id),
        "left": sum(1 for r in rows if r["filled"] < len(indicators)),
    }


@login_required
def grid(request, pk):
    period = visible_or_404(request, Period, pk, select=("scheme", "centre"))
    part, group = _part_and_group(request, period)
    if request.method == "POST":
        entries, posted = [], {}
        for key, value in request.POST.items():
            if not key.startswith("s-") or value.strip() == "":
                continue
            _s, person_id, indicator_id = (key.split("-") + ["", ""])[:3]
            note = request.POST.get(f"n-{person_id}-{indicator_id}", "")
            entries.append(Entry(person_id, indicator_id, value, note))
            if person_id.isdigit() and indicator_id.isdigit():
                posted[(int(person_id), int(indicator_id))] = (value, note)
        try:
            saved = save_scores(request.user, period, entries)
        except ValidationError as e:
            ctx = _grid_context(request, period, part, group, errors=e.messages, posted=posted)
            return render(request, "assessment/grid.html", ctx, status=400)
        messages.success(request, _("%(n)s scores saved.") % {"n": saved})
        url = reverse("assessment:grid", args=[period.pk]) + f"?part={part}"
        return redirect(url + (f"&group={request.POST.get('group')}" if request.POST.get("group") else ""))
    return render(request, "assessment/grid.html", _grid_context(request, period, part, group))


@login_required
@require_POST
def grid_cell(request, pk):
    """htmx: save one cell as the scorer leaves it; answer the cell, marked saved or with the problem."""
    period = visible_or_404(request, Period, pk, select=("scheme",))
    person_id, indicator_id = request.POST.get("person", ""), request.POST.get("indicator", "")
    if not person_id:
        # The cell is named by the field that changed (s-<person>-<indicator> or n-...), which htmx
        # sends as HX-Trigger-Name: an input inside the grid's form posts the whole form with it.
        key = request.headers.get("HX-Trigger-Name", "")
        if not key.startswith(("s-", "n-")):
            key = next((k for k in request.POST if k.startswith("s-")), "")
        _s, person_id, indicator_id = (key.split("-") + ["", "", ""])[:3]
    value = request.POST.get(f"s-{person_id}-{indicator_id}", request.POST.get("points", ""))
    note = request.POST.get(f"n-{person_id}-{indicator_id}", request.POST.get("note", ""))
    indicator = period.scheme.indicators.filter(pk=indicator_id if indicator_id.isdigit() else 0).first()
    error, state = "", "saved"
    if value.strip() == "":
        state = "empty"
    else:
        try:
            save_scores(request.user, period, [Entry(person_id, indicator_id, value, note)])
        except ValidationError as e:
            error, state = " ".join(e.messages), "error"
    return render(request, "assessment/_cell_value.html", {
        "cell_url": reverse("assessment:grid-cell", args=[period.pk]), "period": period, "person_id": person_id, "indicator": indicator, "value": value, "note": note,
        "below": indicator is not None and _below(value, indicator),
        "error": error, "state": state, "editable": period.accepts_scores,
    }, status=200 if state != "error" or request.htmx else 400)


@login_required
def template_download(request, pk):
    period = visible_or_404(request, Period, pk, select=("scheme",))
    part, group = _part_and_group(request, period)
    data = workbook.template(request.user, period, part, group)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, workbook.template_name(period, part))
    return response


@login_required
@require_POST
def template_upload(request, pk):
    period = visible_or_404(request, Period, pk, select=("scheme",))
    if not scoring_parts(request.user, period.centre_id):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the filled-in template to upload."))
        return redirect("assessment:period", period.pk)
    upload = form.cleaned_data["file"]
    try:
        if upload_jobs.is_large(upload):  # the worker reads it; the month's page shows its progress
            job = upload_jobs.start(request.user, uploads.HANDLER, period.centre, upload,
                                    options={"period": period.pk}, limit=workbook.MAX_BYTES)
            return redirect(f"{reverse('assessment:period', args=[period.pk])}?job={job.token}")
        saved = workbook.upload(request.user, period, upload)
    except ValidationError as e:
        return render(request, "assessment/upload_errors.html", {"period": period, "errors": e.messages},
                      status=400)
    messages.success(request, _("%(n)s scores imported from the file.") % {"n": saved})
    return redirect("assessment:period", period.pk)


# Adjustments ----------------------------------------------------------------------------

def _adjustable_people(user, period):
    if can_manage(user, period.centre_id):
        return scorable_people(user, period, Part.WORK).order_by("name")
    return scorable_people(user, period, Part.PARTY).order_by("name")


@login_required
def adjustments(request, pk):
    period = visible_or_404(request, Period, pk, select=("centre",))
    user = request.user
    may_enter = can_enter_adjustments(user, period.centre_id)
    form = AdjustmentForm(request.POST or None, request.FILES or None,
                          people=_adjustable_people(user, period) if may_enter else Person.objects.none())
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_adjustment(user, period, data["person"], kind=data["kind"], points=data["points"],
                                           reason=data["reason"], source=data["source"], aspect=data["aspect"],
                                           evidence=data["evidence"])
            except ValidationError as e:
                for field, msgs in getattr(e, "message_dict", {"__all__": e.messages}).items():
                    form.add_error(field if field in form.fields else None, msgs)
            else:
                messages.success(request, _("Adjustment entered; it counts once the office approves it."))
                return redirect("assessment:adjustments", period.pk)
    rows = (Adjustment.objects.visible_to(user).filter(period=period)
            .select_related("person", "created_by", "decided_by").order_by("-pk"))
    return render(request, "assessment/adjustments.html", {
        "period": period, "form": form, "rows": rows, "may_enter": may_enter,
        "manage": can_manage(user, period.centre_id)}, status=400 if form.errors else 200)


@login_required
@require_POST
def adjustment_decide(request, pk):
    adj = visible_or_404(request, Adjustment, pk, select=("period",))
    try:
        services.decide_adjustment(request.user, adj, approve=request.POST.get("approve") == "1")
    except ValidationError as e:
        _errors(request, e)
    return redirect("assessment:adjustments", adj.period_id)


@login_required
def evidence(request, pk):
    adj = visible_or_404(request, Adjustment, pk)
    if not adj.evidence:
        raise PermissionDenied
    from django.http import FileResponse

    return FileResponse(adj.evidence.open("rb"), as_attachment=True, filename=adj.evidence.name.rsplit("/", 1)[-1])


# Results -------------------------------------------------------------------------------

RESULTS_PAGE = 200


@login_required
def results(request, pk):
    period = visible_or_404(request, Period, pk, select=("centre", "scheme"))
    rows = (Result.objects.visible_to(request.user).filter(period=period, is_current=True)
            .select_related("person", "branch", "unit").order_by(F("rank_centre").asc(nulls_last=True),
                                                                 "person__name"))
    star_only = request.GET.get("stars") == "1"
    if star_only:
        rows = rows.filter(is_star=True)
    from .explain import rule_text

    # A city centre's month is thousands of rows: pages of RESULTS_PAGE (the Excel export has them all).
    page = CappedPaginator(rows, RESULTS_PAGE).get_page(request.GET.get("page"))
    return render(request, "assessment/results.html", {
        "period": period, "rows": page, "page": page, "star_only": star_only, "rule": rule_text(period.scheme),
        "unassessed": rows.filter(total__isnull=True).count() if not star_only else 0,
        "manage": can_manage(request.user, period.centre_id)})


# The records behind a computed cell --------------------------------------------------------

@login_required
def cell_records(request, pk, person_pk, indicator_pk):
    """A computed cell's figures, the rule that made its points, any override and why, and
    the records themselves (listed here, or on the source app's own page). Whoever may read
    the cell's score may read this page; anyone else gets a 404."""
    period = visible_or_404(request, Period, pk, select=("scheme", "centre"))
    indicator = period.scheme.indicators.filter(pk=indicator_pk).first()
    if indicator is None or not indicator.auto_source:
        raise Http404
    auto.ensure_computed(period)
    score = (Cell.objects.visible_to(request.user).filter(period=period, person_id=person_pk, indicator=indicator)
             .select_related("person", "scored_by__person").first())
    if score is None:
        raise Http404
    person = score.person
    first, last = auto.month_bounds(period)
    source = auto.sources().get(indicator.auto_source)
    rows, rows_url = None, None
    if source is not None:
        if source.rows_url:
            rows_url = source.rows_url(person, first, last, indicator.auto_kind)
        elif source.rows:
            rows = source.rows(person, first, last)
    return render(request, "assessment/cell_records.html", {
        "period": period, "person": person, "indicator": indicator, "score": score,
        "explain": auto.explain_cell(indicator, score) if score.computed_points is not None else "",
        "figures": [(auto.VALUE_LABELS.get(k, k), v) for k, v in auto.ordered_figures(score.source_value)],
        "source": indicator.auto_source, "rows": rows, "rows_url": rows_url, "first": first, "last": last})
