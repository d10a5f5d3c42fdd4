"""Complaints upheld against a post feed its accountability (问责制): a configurable
number of upheld complaints in a quarter warns the post, through the posts app's
service, so the warning appears in the post's history."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.system import SYSTEM

from .models import Case, Kind


def quarter_bounds(day):
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end = datetime.date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1)
    return start, end


def upheld_in_quarter(post_id, day):
    start, end = quarter_bounds(day)
    return Case.objects.filter(post_id=post_id, kind=Kind.COMPLAINT, upheld=True, received_on__gte=start,
                               received_on__lt=end).count()


def check_post_warning(actor, case):
    """After an upheld complaint: warn the post when its quarter reaches the centre's number
    (exactly then, so a quarter warns once)."""
    from .base import rules_for

    day = case.received_on or timezone.localdate()
    count = upheld_in_quarter(case.post_id, day)
    rules = rules_for(case.centre_id)
    if count != rules.warn_upheld:
        return None
    from vanguard.posts.services import warn_post

    start, _end = quarter_bounds(day)
    quarter = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return warn_post(SYSTEM, case.post, reason=_(
        "%(n)s upheld complaints in %(quarter)s (the centre's limit); the last one: case %(number)s.") % {
        "n": count, "quarter": quarter, "number": case.number}, source="cases", quarter=quarter, upheld=count,
        case=case.number)
