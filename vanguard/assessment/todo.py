"""The assessment's part of the home page (vanguard/core/todo.py): cells left to
score and their due date, appeals and adjustments to decide; the last published
month's stars as a key figure."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Figure, Item

from .models import Adjustment, Appeal, Part, Period, Result, Score
from .permissions import can_manage, scorable_people, scoring_parts


def _is_office(user):
    scope = scope_for(user)
    return scope.is_admin or bool(scope.centres(Role.OFFICE))


def todo_items(user):
    items = []
    today = timezone.localdate()
    # Every month still being scored, oldest first: opening the next month hides none of them.
    periods = (Period.objects.visible_to(user).filter(status__in=[Period.Status.OPEN, Period.Status.SCORING])
               .order_by("month"))
    for period in periods:
        parts = scoring_parts(user, period.centre_id)
        if not parts:
            continue
        # Cells a person fills: indicators entered by hand, per part.
        needed = {row["part"]: row["n"] for row in period.scheme.indicators.filter(auto_source="")
                  .values("part").annotate(n=Count("pk"))}
        for part in parts:
            people = scorable_people(user, period, part)
            total = people.count()
            scored = Score.objects.filter(period=period, indicator__part=part, indicator__auto_source="",
                                          person__in=people).count()
            left = total * needed.get(part, 0) - scored
            if left <= 0:
                continue
            items.append(Item(
                text=_("%(month)s %(part)s: %(left)s cells left to score for %(people)s people") % {
                    "month": period.label, "part": Part(part).label, "left": left, "people": total},
                url=reverse("assessment:grid", args=[period.pk]) + f"?part={part}", count=left,
                due=period.scoring_due, overdue=bool(period.scoring_due and period.scoring_due < today), order=10))
        if can_manage(user, period.centre_id):
            pending = Adjustment.objects.filter(period=period, status=Adjustment.Status.PENDING).count()
            if pending:
                items.append(Item(
                    text=_("%(month)s: %(n)s adjustments to decide") % {"month": period.label, "n": pending},
                    url=reverse("assessment:adjustments", args=[period.pk]), count=pending, order=20))
    if _is_office(user):
        appeals = Appeal.objects.visible_to(user).filter(status=Appeal.Status.OPEN).count()
        if appeals:
            items.append(Item(text=_("%(n)s appeals to decide") % {"n": appeals},
                              url=reverse("assessment:appeals"), count=appeals, order=15))
    return items


def key_figures(user):
    if not _is_office(user):
        return []
    latest = (Period.objects.visible_to(user).filter(status__in=[Period.Status.PUBLICITY, Period.Status.FINAL])
              .order_by("-month").first())
    if latest is None:
        return []
    stars = Result.objects.current().filter(period=latest, is_star=True).count()
    return [Figure(label=_("Star members in %(month)s") % {"month": latest.label}, value=str(stars),
                   url=reverse("assessment:results", args=[latest.pk]))]
