"""Staff pages: figures, transactions (list, upload, QR), flagged ratings, cases."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core import upload_jobs
from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import year_param
from vanguard.core.permissions import office_centre
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.upload_checks import CONTENT_TYPES, EXTENSIONS, sniff
from vanguard.org.centres import centre_choice
from vanguard.org.models import Unit
from vanguard.posts import qr

from . import cases, figures, imports, services, workbook
from .models import Rating, RectificationCase, SatisfactionStat, Transaction
from .permissions import can_see_rater, is_office, office_centres
from .selectors import allowed_units, figures_payload
from .todo import due_cases

STAFF_ROLES = (Role.OFFICE, Role.HANDLER, Role.LIAISON, Role.SCORER, Role.SECRETARY)
def _require_staff(user):
    if not scope_for(user).has_role(*STAFF_ROLES):
        raise PermissionDenied(_("You are not allowed to do this."))


@login_required
def home(request):
    _require_staff(request.user)
    today = timezone.localdate()
    year = year_param(request, default=today.year)
    dimension = request.GET.get("dimension", "centre")
    key = request.GET.get("key") or None
    dimension, key, label, centre_id, data = figures_payload(request.user, dimension, key, year)
    units = allowed_units(request.user)
    unit_qs = Unit.objects.visible_to(request.user).filter(centre_id=centre_id)
    if units is not None:
        unit_qs = unit_qs.filter(pk__in=units)
    chart = {
        "days": [d["start"].isoformat() for d in data["days"]],
        "day_rates": [float(d["rate"]) if d["rate"] is not None else None for d in data["days"]],
        "months": [m["start"].strftime("%Y-%m") for m in data["months"]],
        "month_rates": [float(m["rate"]) if m["rate"] is not None else None for m in data["months"]],
        "month_counts": [m["total"] for m in data["months"]],
    }
    case_qs = RectificationCase.objects.visible_to(request.user).filter(opened_on__year=year)
    if dimension == "unit":
        case_qs = case_qs.filter(unit_id=key)
    elif dimension == "person":
        case_qs = case_qs.filter(person_id=key)
    elif dimension == "window":
        case_qs = case_qs.filter(rating__window_id=key)
    case_stats = cases.case_figures(case_qs)
    year_total = data["year"]["total"]
    bad_rate = round(data["year"]["bad"] * 100 / year_total, 2) if year_total else None
    ranking = []
    if units is None:
        rows = SatisfactionStat.objects.filter(centre_id=centre_id, dimension="unit", period="year",
                                               start=f"{year}-01-01")
        totals = figures.group_totals(rows)
        names = dict(Unit.objects.filter(pk__in=totals).values_list("pk", "name"))
        ranking = sorted(({"key": k, "name": names.get(k, k), **v} for k, v in totals.items()),
                         key=lambda r: (r["rate"] is None, -(r["rate"] or 0)))
    return render(request, "ratings/home.html", {
        "year": year, "years": list(range(today.year - 3, today.year + 1)), "dimension": dimension, "key": key,
        "label": label, "data": data, "chart": json.dumps(chart), "definition": figures.DEFINITION,
        "cases": case_stats, "bad_rate": bad_rate, "ranking": ranking, "units": unit_qs,
        "is_office": units is None, "dimensions": SatisfactionStat.Dimension.choices,
    })


@login_required
def transaction_list(request):
    _require_staff(request.user)
    qs = Transaction.objects.visible_to(request.user).select_related("window", "person", "unit", "rating")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(number__icontains=q)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    centres = office_centres(request.user)
    if request.method == "POST":
        centre = office_centre(request.user, message=_("Only the party-building office may import transactions."))
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose the Excel file to upload."))
            if upload_jobs.is_large(upload):  # the worker reads it; this page shows progress
                job = upload_jobs.start(request.user, imports.HANDLER, centre, upload)
                return redirect(f"{reverse('ratings:transactions')}?job={job.token}")
            items, label = workbook.read(upload)
            result = services.import_transactions(request.user, centre, items, row_label=label)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(created)s transactions received; %(existing)s were already there.") % {
                "created": result["created"], "existing": len(result["existing"])})
        return redirect("ratings:transactions")
    job = upload_jobs.progress(request.GET.get("job"), request.user)
    return render(request, "ratings/transactions.html", {"page": page, "q": q, "can_import": centres.exists(),
                                                         "job": job})


@login_required
def transaction_template(request):
    _require_staff(request.user)
    response = HttpResponse(workbook.template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename=transactions.xlsx"
    return response


@login_required
def transaction_detail(request, pk):
    txn = get_object_or_404(Transaction.objects.visible_to(request.user).select_related(
        "window", "person", "unit"), pk=pk)
    rating = Rating.objects.filter(transaction=txn).first()
    url = services.rating_url(txn, Rating.Channel.QR)
    return render(request, "ratings/transaction_detail.html", {
        "txn": txn, "rating": rating, "rating_url": url, "sms_url": services.rating_url(txn, Rating.Channel.SMS),
        "qr": qr.svg(url).decode(), "show_rater": can_see_rater(request.user, txn.unit_id),
        "can_make_case": is_office(request.user, txn.centre_id)})


@login_required
def flag_list(request):
    _require_staff(request.user)
    # One centre at a time for a user who sees several: the city's waiting flags (a count of 10,001 rows
    # read from the heap) took 3.9 s on a cold server; the rating_flag_waiting indexes answer from the index.
    centre, centres = centre_choice(request)
    qs = Rating.objects.visible_to(request.user).filter(flagged=True).select_related("transaction", "unit", "window")
    if centre is not None:
        qs = qs.filter(centre=centre)
    if request.GET.get("all") != "1":
        qs = qs.filter(reviewed=False, set_aside=False)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "ratings/flags.html", {"page": page, "labels": services.FLAG_LABELS,
                                                  "can_review": office_centres(request.user).exists(),
                                                  "centre": centre, "centres": centres})


@login_required
@require_POST
def rating_review(request, pk):
    rating = get_object_or_404(Rating.objects.visible_to(request.user), pk=pk)
    try:
        if request.POST.get("action") == "set_aside":
            services.set_aside_rating(request.user, rating, reason=request.POST.get("reason", ""))
            messages.success(request, _("The rating was set aside."))
        else:
            services.keep_rating(request.user, rating)
            messages.success(request, _("The rating was kept."))
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    return redirect(reverse("ratings:flags") + f"?centre={rating.centre_id}")  # back to the rating's centre


@login_required
def case_list(request):
    _require_staff(request.user)
    qs = RectificationCase.objects.visible_to(request.user).select_related("rating__transaction", "unit", "person")
    state = request.GET.get("state", "")
    if state in RectificationCase.State.values:
        qs = qs.filter(state=state)
    if request.GET.get("overdue") == "1":
        qs = qs.filter(overdue_at__isnull=False)
    if request.GET.get("due") == "1":  # the home page's "due or overdue" (ratings/todo.py)
        qs = due_cases(qs)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "ratings/cases.html", {
        "page": page, "state": state, "states": RectificationCase.State.choices,
        "figures": cases.case_figures(RectificationCase.objects.visible_to(request.user))})


CASE_ACTIONS = {
    "verify": lambda u, c, p, f: cases.verify_case(u, c, verification=p.get("text")),
    "rectify": lambda u, c, p, f: cases.rectify_case(u, c, rectification=p.get("text")),
    "call_back": lambda u, c, p, f: cases.call_back(u, c, result=p.get("result"), note=p.get("text")),
    "close": lambda u, c, p, f: cases.close_case(u, c),
    "request": lambda u, c, p, f: cases.request_set_aside(u, c, reason=p.get("text"), evidence=f.get("evidence")),
    "approve": lambda u, c, p, f: cases.decide_set_aside(u, c, approve=True, note=p.get("text")),
    "refuse": lambda u, c, p, f: cases.decide_set_aside(u, c, approve=False, note=p.get("text")),
    "office_close": lambda u, c, p, f: cases.close_by_office(u, c, reason=p.get("text")),
}


@login_required
def case_evidence(request, pk):
    """The evidence of a set-aside request, to the unit's handlers and the office that decides."""
    case = get_object_or_404(RectificationCase.objects.visible_to(request.user), pk=pk)
    if not (is_office(request.user, case.centre_id)
            or scope_for(request.user).covers_unit(case.unit_id, Role.HANDLER)):
        raise PermissionDenied
    if not case.set_aside_evidence:
        raise Http404
    try:
        handle = case.set_aside_evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = sniff(handle)  # the stored bytes decide how the browser gets them
    if kind is None:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind], as_attachment=kind == "docx",
                            filename=f"evidence-{case.pk}{EXTENSIONS[kind]}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def case_detail(request, pk):
    case = get_object_or_404(RectificationCase.objects.visible_to(request.user).select_related(
        "rating__transaction__window", "unit", "person"), pk=pk)
    if request.method == "POST":
        action = CASE_ACTIONS.get(request.POST.get("action"))
        if action is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                action(request.user, case, request.POST, request.FILES)
                messages.success(request, _("Saved."))
            except ValidationError as e:
                for message in e.messages:
                    messages.error(request, message)
        return redirect("ratings:case", pk=case.pk)
    return render(request, "ratings/case_detail.html", {
        "case": case, "rating": case.rating, "txn": case.rating.transaction, "timeline": cases.timeline(case),
        "late_now": case.late_now(timezone.localdate()),
        "show_rater": can_see_rater(request.user, case.unit_id),
        "can_handle": scope_for(request.user).covers_unit(case.unit_id, Role.HANDLER),
        "can_decide": is_office(request.user, case.centre_id), "callbacks": RectificationCase.Callback.choices})
