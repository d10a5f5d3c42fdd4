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


def year_results(year, *, unit_id=None, person_id=None):
    """A home unit's members' (or one person's) published, current results of a year:
    {"months": member-months, "members", "stars", "party", "work"} - the average of each part
    (out of 100; None when not assessed). The year-end evidence of the units' responsibility letters."""
    from django.db.models import Avg

    from .reading import _year

    qs = Result.objects.filter(person_id=person_id) if person_id is not None else Result.objects.filter(
        unit_id=unit_id)
    return _year(qs, year).order_by().aggregate(
        months=Count("pk"), members=Count("person_id", distinct=True), stars=Count("pk", filter=Q(is_star=True)),
        party=Avg("party_points"), work=Avg("work_points"))
