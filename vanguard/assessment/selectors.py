"""Reads shared by the assessment pages and the API: a month's counts.
Pages (views.py) and the API (api.py) both import from here; neither imports the other."""

from django.db.models import Count, Q

from .models import Adjustment, Result


def current_results(user, period):
    """The month's current result rows that `user` may read."""
    return Result.objects.visible_to(user).filter(period=period, is_current=True)


def month_counts(user, period):
    """A month's counts as `user` may see them, in one aggregate over its current results:
    results, star members, not assessed (no total) and adjustments awaiting approval."""
    counts = current_results(user, period).aggregate(
        results=Count("pk"), stars=Count("pk", filter=Q(is_star=True)),
        unassessed=Count("pk", filter=Q(total__isnull=True)))
    counts["pending"] = Adjustment.objects.filter(period=period, status=Adjustment.Status.PENDING).count()
    return counts
