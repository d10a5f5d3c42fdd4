"""A member's own results (each indicator, scorer and note, adjustments,
ranks, star decision and why, versions), their history, and appeals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.org.views.common import visible_or_404

from . import auto, previews, services
from .explain import changes_between, explain, rule_text, vetoes_of
from .forms import AppealForm, DecideAppealForm
from .models import Adjustment, Appeal, Cell, Part, Result
from .permissions import can_manage


@login_required
def my_results(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "assessment/my_results.html", {"person": None, "rows": []})
    rows = (Result.objects.filter(person=person, is_current=True).select_related("period", "branch")
            .order_by("-period__month"))
    return render(request, "assessment/my_results.html", {
        "person": person, "rows": rows, "stars": sum(1 for r in rows if r.is_star)})


@login_required
def result_detail(request, pk):
    result = visible_or_404(request, Result, pk, select=("period__scheme", "period__centre", "person", "branch",
                                                         "unit"))
    period, person = result.period, result.person
    scheme = period.scheme
    scores = {s.indicator_id: s for s in Cell.objects.filter(period=period, person=person)
              .select_related("scored_by__person")}
    lines = {Part.PARTY: [], Part.WORK: []}
    lost = []
    for ind in scheme.indicators.all():
        score = scores.get(ind.pk)
        assessed = getattr(result, f"{ind.part}_points") is not None
        line = {
            "indicator": ind, "entered": bool(score), "assessed": assessed,
            "points": score.points if score else (ind.default_points if assessed else None),
            "scorer": (getattr(score.scored_by, "person", None) or score.scored_by) if score and score.scored_by
            else None, "note": score.note if score else "", "at": score.scored_at if score else None,
            # A cell computed from the records: why, with its records one click away; overridden: the reason.
            "computed": bool(score and score.computed_points is not None),
            "overridden": bool(score and score.override_reason),
            "explain": auto.explain_cell(ind, score) if score and score.computed_points is not None else "",
            "records_url": reverse("assessment:cell-records", args=[period.pk, person.pk, ind.pk])
            if score and score.computed_points is not None else ""}
        lines[ind.part].append(line)
        if score is not None and ind.method != ind.Method.ADD and score.points < ind.maximum:
            lost.append({**line, "lost": ind.maximum - score.points})
    adjustments = Adjustment.objects.filter(period=period, person=person).exclude(
        status=Adjustment.Status.REJECTED).select_related("created_by__person")
    versions = list(Result.objects.filter(period=period, person=person).order_by("version"))
    history = []
    for old, new in zip(versions, versions[1:], strict=False):
        history.append({"result": new, "changes": changes_between(old, new)})
    own = getattr(request.user, "person", None) == person
    form = None
    if own and period.appeal_open():
        form = AppealForm(indicators=scheme.indicators.all())
    return render(request, "assessment/result_detail.html", {
        "result": result, "period": period, "person": person, "scheme": scheme,
        "party": lines[Part.PARTY], "work": lines[Part.WORK], "adjustments": adjustments, "lost": lost,
        "why": explain(result, scheme, vetoes_of(period, person)), "rule": rule_text(scheme),
        "history": history, "is_old": not result.is_current,
        "current": next((v for v in versions if v.is_current), result),
        "appeals": Appeal.objects.visible_to(request.user).filter(period=period, person=person),
        "appeal_form": form, "own": own,
    })


@login_required
@require_POST
def appeal_submit(request, pk):
    result = visible_or_404(request, Result, pk, select=("period__scheme",))
    if getattr(request.user, "person", None) != result.person:
        raise PermissionDenied
    form = AppealForm(request.POST, indicators=result.period.scheme.indicators.all())
    if form.is_valid():
        try:
            services.submit_appeal(request.user, result.period, form.cleaned_data["text"],
                                   indicator=form.cleaned_data["indicator"])
        except ValidationError as e:
            for m in e.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("Your appeal has been submitted; the office will answer it."))
    else:
        messages.error(request, _("Say what you object to."))
    return redirect("assessment:result", result.pk)


@login_required
def appeal_list(request):
    rows = (Appeal.objects.visible_to(request.user).select_related("period", "person", "indicator", "decided_by")
            .order_by("status", "-submitted_at"))
    manage_ids = {a.pk for a in rows if can_manage(request.user, a.period.centre_id)}
    return render(request, "assessment/appeals.html", {
        "rows": rows, "manage_ids": manage_ids, "form": DecideAppealForm()})


@login_required
@require_POST
def appeal_decide(request, pk):
    appeal = visible_or_404(request, Appeal, pk, select=("period", "indicator", "person"))
    if not can_manage(request.user, appeal.period.centre_id):
        raise PermissionDenied
    form = DecideAppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the answer the member will read."))
        return redirect("assessment:appeals")
    data = form.cleaned_data
    corrections = []
    if data["uphold"] and appeal.indicator and data["points"].strip():
        corrections = [(appeal.indicator, data["points"].strip())]
    if request.POST.get("confirmed") != "1":
        # Deciding cannot be undone: first say what it will do.
        return render(request, "assessment/confirm_appeal.html", {
            "appeal": appeal, "data": data,
            "preview": previews.preview_appeal(appeal, data["uphold"], data["points"].strip())})
    try:
        appeal = services.decide_appeal(request.user, appeal, uphold=data["uphold"], answer=data["answer"],
                                        corrections=corrections)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        if appeal.status == Appeal.Status.UPHELD:
            messages.success(request, _("Appeal upheld; %(n)s results got a new version. %(name)s can read the "
                                        "answer.") % {"n": appeal.new_versions, "name": appeal.person.name})
        else:
            messages.success(request, _("Appeal rejected; the scores stay. %(name)s can read the answer.") % {
                "name": appeal.person.name})
    return redirect("assessment:appeals")

