"""What the life pages share: paging, the ?kind=/?from=/?to= parameters, running a service."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.utils import timezone
from django_tables2 import RequestConfig

from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import date_param
from vanguard.org.forms import add_service_errors
from vanguard.org.models import Organization

PAGE = 50


def _kinds_param(request):
    raw = request.GET.get("kind", "")
    return [k for k in raw.split(",") if k] or None


def _range_params(request):
    """(first, last) from ?from= and ?to=, default the current year; 400 on a bad date."""
    today = timezone.localdate()
    first = date_param(request.GET.get("from"), "from") or datetime.date(today.year, 1, 1)
    last = date_param(request.GET.get("to"), "to") or datetime.date(today.year, 12, 31)
    return first, last


def _paged(request, table):
    try:
        RequestConfig(request, paginate={"per_page": PAGE, "paginator_class": CappedPaginator}).configure(table)
    except (EmptyPage, PageNotAnInteger):  # ?page=-1 or abc: the first page, not a 500
        table.paginate(page=1, per_page=PAGE, paginator_class=CappedPaginator)
    return table


def _org_path(user, pk):
    """The path of an organisation the user may see (an unknown or hidden one matches nothing)."""
    org = Organization.objects.visible_to(user).filter(pk=pk).values_list("path", flat=True).first()
    return org or "-none-"




def _flash(request, error):
    for message in error.messages:
        messages.error(request, message)


def _run(request, form, service, *args, **kwargs):
    """Call the service; its ValidationError goes onto the form (or the page's messages)."""
    try:
        return service(*args, **kwargs)
    except ValidationError as error:
        if form is None:
            _flash(request, error)
        else:
            add_service_errors(form, error)
        return None
