"""Pages of the figures room: the leaders' dashboard per scope, the rows behind a number,
the city roll-up, the annual report, the big screens (the office's list, and the public
screen itself). Reads go through `router.replica_reads()` (the replica, when configured)."""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import year_param
from vanguard.core.permissions import office_centres
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from . import report, router, screen, selectors, services
from .models import Screen


def figures_reads(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with router.replica_reads():
            return view(request, *args, **kwargs)
    return wrapper


def _freshness():
    return router.freshness()


@login_required
@figures_reads
def home(request):
    scope = selectors.check_scope(request.user, request.GET.get("scope"))
    month = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    context = selectors.dashboard(request.user, scope, month)
    context.update({"lag": _freshness(), "is_city_office": selectors.is_city_office(request.user),
                    "is_office": bool(scope_for(request.user).is_admin or scope_for(request.user).centres(Role.OFFICE)),
                    "month_text": f"{month:%Y-%m}", "prev_text": f"{selectors.previous_month(month):%Y-%m}",
                    "next_text": f"{(month + datetime.timedelta(days=31)).replace(day=1):%Y-%m}"})
    return render(request, "dashboard/home.html", context)


@login_required
@figures_reads
def rows(request):
    scope = selectors.check_scope(request.user, request.GET.get("scope"))
    month = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    metric, qs = selectors.rows(scope, request.GET.get("metric", ""), month)
    paths = [path for _label, path in metric.columns]
    # Newest first by the field that dates the rows: the (centre, date) indexes read one page, not the month.
    paginator = CappedPaginator(qs.order_by(f"-{metric.date}", "-pk").values_list(*paths), 50)
    counted = selectors.rows_count(qs, paginator.cap)  # ids only (the paginator's count would join the columns)
    paginator.count, paginator.capped = min(counted, paginator.cap), counted > paginator.cap
    count = counted
    if paginator.capped:  # the figure's number, as the refresh counted it (the first COUNT_CAP rows are listed)
        count = selectors.figure_table(scope, [month]).get((metric.key, month), (None, 0))[0]
    page = paginator.get_page(request.GET.get("page"))
    shown = selectors.display_rows(qs.model, paths, page.object_list)
    return render(request, "dashboard/rows.html", {
        "scope": scope, "metric": metric, "month": month, "count": count, "page": page, "shown": shown,
        "capped": paginator.capped, "cap": paginator.cap,
        "headers": [label for label, _path in metric.columns], "computed_at": selectors.computed_at(scope),
        "back": f"?scope={scope.code}&month={month:%Y-%m}"})


@login_required
@figures_reads
def city(request):
    month = selectors.parse_month(request.GET.get("month"), timezone.localdate())
    data = selectors.rollup(request.user, month)
    scope = selectors.Scope("city", 0, [r["centre_id"] for r in data["rows"]])
    return render(request, "dashboard/city.html", {**data, "computed_at": selectors.computed_at(scope),
                                                   "month_text": f"{month:%Y-%m}", "lag": _freshness()})


def _office_centres(user):
    return list(office_centres(user).order_by("code"))


@login_required
def refresh(request):
    if request.method != "POST":
        return redirect("dashboard:home")
    centres = _office_centres(request.user)
    if not centres:
        raise PermissionDenied(_("Only the party-building office may refresh its figures."))
    services.refresh_figures(request.user, centres)
    messages.success(request, _("Figures recomputed."))
    return redirect(request.POST.get("next") or "dashboard:home")


# The annual report ---------------------------------------------------------------------------

@login_required
def report_page(request):
    centres = _office_centres(request.user)
    if not centres:
        raise PermissionDenied(_("Only the party-building office makes the annual report."))
    year = year_param(request)
    fmt = request.GET.get("format", "")
    if fmt in ("docx", "pdf"):
        code = request.GET.get("centre", "")
        if code == "city":
            if not selectors.is_city_office(request.user):
                raise PermissionDenied(_("Only the city's office sees the whole city."))
            chosen = None
        else:
            chosen = next((c for c in centres if c.code == code), None)
            if chosen is None:
                raise PermissionDenied(_("These figures are outside your scope."))
        try:
            with router.replica_reads():
                data = report.build(year, chosen, centres if chosen is None else None)
                body = report.docx(data) if fmt == "docx" else report.pdf(data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect("dashboard:report")
        # The audit row on the primary, its chain read from the primary (not inside replica_reads).
        services.record_report(request.user, [chosen] if chosen else centres, year)
        response = HttpResponse(body, content_type=report.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{report.filename(data, fmt, quoted=True)}"
        return response
    return render(request, "dashboard/report.html", {
        "centres": centres, "year": year, "years": list(range(timezone.localdate().year, 2019, -1)),
        "is_city_office": selectors.is_city_office(request.user)})


# Big screens ----------------------------------------------------------------------------------

@login_required
def screens(request):
    centres = _office_centres(request.user)
    if not centres:
        raise PermissionDenied(_("Only the party-building office manages its big screens."))
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                centre = next((c for c in centres if str(c.pk) == request.POST.get("centre")), None)
                if centre is None:
                    raise ValidationError({"centre": _("Choose your service centre.")})
                services.create_screen(request.user, centre, name=request.POST.get("name", ""))
            else:
                raw = request.POST.get("screen", "")
                target = get_object_or_404(Screen.objects.visible_to(request.user),
                                           pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0)
                if action == "revoke":
                    services.revoke_screen(request.user, target)
                elif action == "reissue":
                    services.reissue_screen(request.user, target)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        return redirect("dashboard:screens")
    items = [{"screen": s, "url": request.build_absolute_uri(screen.url_of(s))}
             for s in Screen.objects.visible_to(request.user).select_related("centre")]
    return render(request, "dashboard/screens.html", {"items": items, "centres": centres})


def _screen_or_404(token):
    try:
        return screen.screen_for(token)
    except (signing.BadSignature, Screen.DoesNotExist, ValueError, TypeError, KeyError):
        raise Http404 from None


@never_cache
def big_screen(request, token):
    item = _screen_or_404(token)
    return render(request, "dashboard/big_screen.html", {"screen": item, "centre": item.centre,
                                                         "data_url": screen.data_url_of(item)})


@never_cache
def big_screen_data(request, token):
    item = _screen_or_404(token)  # from the primary: a revoked URL stops at once, whatever the replica's lag
    with router.replica_reads():
        data = screen.payload(item.centre)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
