"""Numbers read from a page's query string: what cannot be read, or lies outside the
sensible range (a year of 99999 or -1, page "abc"), falls back to the default instead
of reaching a date constructor or a paginator and failing with a 500."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

YEAR_RANGE = (1900, 2100)


def int_param(request, name, default, lo=None, hi=None):
    raw = request.GET.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return default
    return value


def year_param(request, name="year", default=None):
    default = default or timezone.localdate().year
    return int_param(request, name, default, *YEAR_RANGE)


def page_param(request, name="page"):
    return int_param(request, name, 1, 1)


def date_param(raw, field):
    """A date typed into a filter (YYYY-MM-DD, 1900..2100), None when empty; anything else
    is a 400 naming the field (parse_date raises on "2026-02-31")."""
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None or not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
        raise ValidationError({field: _("Enter a valid date such as 2026-10-01.")})
    return value
