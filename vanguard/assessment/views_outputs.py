"""Outputs: the public star honour board of a floor (hall-screen ready), the
written notices per home unit (.docx, PDF), the month's Excel export and the
yearly tally."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from vanguard.core.params import year_param
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Floor, ServiceCentre, Unit
from vanguard.org.views.common import visible_or_404

from . import documents
from .models import Period, Result
from .permissions import can_manage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _published_or_404(request, pk):
    period = visible_or_404(request, Period, pk, select=("centre", "scheme"))
    if not period.is_published:
        raise Http404
    return period


def _notice_unit(request, period, unit_pk):
    unit = get_object_or_404(Unit, pk=unit_pk, centre=period.centre)
    scope = scope_for(request.user)
    if not (can_manage(request.user, period.centre_id) or scope.covers_unit(unit.pk, Role.LIAISON)):
        raise PermissionDenied
    return unit


@login_required
def notice_docx(request, pk, unit_pk):
    period = _published_or_404(request, pk)
    unit = _notice_unit(request, period, unit_pk)
    response = HttpResponse(documents.notice_docx(period, unit), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, documents.notice_filename(period, unit, "docx"))
    return response


@login_required
def notice_pdf(request, pk, unit_pk):
    period = _published_or_404(request, pk)
    unit = _notice_unit(request, period, unit_pk)
    response = HttpResponse(documents.notice_pdf(period, unit), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, documents.notice_filename(period, unit, "pdf"))
    return response


@login_required
def month_export(request, pk):
    period = _published_or_404(request, pk)
    rows = (Result.objects.visible_to(request.user).filter(period=period, is_current=True)
            .select_related("person", "branch", "unit").order_by(F("rank_centre").asc(nulls_last=True),
                                                                 "person__name"))
    response = HttpResponse(documents.month_xlsx(period, rows), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{period.centre.name}-{period.label}-双百分考核结果.xlsx")
    return response


@login_required
def tally(request):
    """A centre's year (an administrator or a city office picks the centre: the whole city's year is
    two million results to group)."""
    year = year_param(request)
    centres = list(ServiceCentre.objects.filter(
        pk__in=Period.objects.visible_to(request.user).values("centre_id")).order_by("code", "pk"))
    wanted = request.GET.get("centre", "")
    centre = next((c for c in centres if str(c.pk) == wanted), centres[0] if centres else None)
    results = Result.objects.visible_to(request.user)
    # The centre's months as a list of ids: the index on (period, ...) reads them, where a join on the
    # period's centre (next to visible_to's ORs) read every result of the city.
    months = list(Period.objects.filter(centre=centre, month__year=year).values_list("pk", flat=True)) if centre else []
    results = results.filter(period__in=months)
    data = documents.yearly_tally(results, year)
    return render(request, "assessment/tally.html", {**data, "years": range(year - 3, year + 2),
                                                     "centres": centres if len(centres) > 1 else [],
                                                     "centre": centre})


@require_safe
@cache_control(max_age=300, public=True)
def board(request, floor_pk, month=None):
    """Public: the floor branch's star members of a month (the latest published by default).
    Names and photos only, as on the printed board."""
    floor = get_object_or_404(Floor.objects.select_related("centre"), pk=floor_pk)
    periods = Period.objects.filter(centre=floor.centre, status__in=[Period.Status.PUBLICITY, Period.Status.FINAL])
    if month:
        try:
            day = datetime.date(int(month[:4]), int(month[5:7]), 1)
        except (ValueError, IndexError) as e:
            raise Http404 from e
        period = periods.filter(month=day).first()
    else:
        period = periods.order_by("-month").first()
    stars, unassessed = [], 0
    if period is not None:
        unassessed = Result.objects.filter(period=period, is_current=True, total__isnull=True,
                                           branch__floor=floor).count()
        stars = list(Result.objects.filter(period=period, is_current=True, is_star=True, branch__floor=floor)
                     .select_related("person", "person__window", "branch").order_by("rank_branch", "person__name"))
    branch = getattr(floor, "branch", None)
    return render(request, "assessment/public/board.html", {
        "floor": floor, "centre": floor.centre, "period": period, "stars": stars, "branch": branch,
        "unassessed": unassessed,
        "screen": request.GET.get("screen") == "1",
        "months": periods.order_by("-month")[:12],
    })
