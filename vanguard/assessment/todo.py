"""The assessment's part of the home page (vanguard/core/todo.py): cells left to
score and their due date, appeals and adjustments to decide; the last published
month's stars as a key figure."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Figure, Item

from .models import Adjustment, Appeal, Indicator, Part, Period, Result, Score
from .permissions import can_manage, scorable_people, scoring_parts


def _is_office(user):
    scope = scope_for(user)
    return scope.is_admin or bool(scope.centres(Role.OFFICE))


TODO_MONTHS = 3  # months being scored whose cells are counted here (oldest first); the rest are linked


def todo_items(user):
    items = []
    today = timezone.localdate()
    # The months still being scored, oldest first: opening the next month hides none of them. Counting a
    # month's cells reads its scores (a city centre's: 100,000 rows), so at most TODO_MONTHS are counted
    # and any others are one line to the assessment's page (an administrator sees every centre's month).
    periods = (Period.objects.visible_to(user).filter(status__in=[Period.Status.OPEN, Period.Status.SCORING])
               .select_related("scheme").order_by("month", "centre_id"))
    scoring = [(period, parts) for period in periods for parts in [scoring_parts(user, period.centre_id)] if parts]
    # Months of several centres (the city's administrator: 50) are one line to the assessment's page, where a
    # centre is chosen: counting three centres' cells made the city administrator's home 0.35 s.
    several = len({period.centre_id for period, _parts in scoring}) > 1
    counted = [] if several else scoring[:TODO_MONTHS]
    needed, part_of = {}, {}
    for pk, scheme_id, part in Indicator.objects.filter(
            scheme__in={p.scheme_id for p, _parts in counted}, auto_source="").values_list("pk", "scheme_id", "part"):
        needed[scheme_id, part] = needed.get((scheme_id, part), 0) + 1
        part_of[pk] = part
    for period, parts in counted:
        # Cells a person fills: indicators entered by hand, per part; one count of the month's scores by part.
        people = {part: scorable_people(user, period, part) for part in parts}
        same = len(parts) == 2 and can_manage(user, period.centre_id)  # the office: everyone, both parts
        totals = {part: people[part].count() for part in (parts[:1] if same else parts)}
        if same:
            totals[parts[1]] = totals[parts[0]]
            # Counted per indicator (a hash aggregate on the score table alone), summed per part here.
            scored = {}
            for indicator_id, n in (Score.objects.filter(period=period, person__in=people[parts[0]]).order_by()
                                    .values("indicator_id").annotate(n=Count("indicator_id")).values_list("indicator_id", "n")):
                if indicator_id in part_of:
                    scored[part_of[indicator_id]] = scored.get(part_of[indicator_id], 0) + n
        else:
            scored = {part: Score.objects.filter(period=period, indicator__part=part, indicator__auto_source="",
                                                 person__in=people[part]).count() for part in parts}
        for part in parts:
            total = totals[part]
            left = total * needed.get((period.scheme_id, part), 0) - scored.get(part, 0)
            if left <= 0:
                continue
            items.append(Item(
                text=_("%(month)s %(part)s: %(left)s cells left to score for %(people)s people") % {
                    "month": period.label, "part": Part(part).label, "left": left, "people": total},
                url=reverse("assessment:grid", args=[period.pk]) + f"?part={part}", count=left,
                due=period.scoring_due, overdue=bool(period.scoring_due and period.scoring_due < today), order=10))
    if several:
        items.append(Item(text=_("%(n)s months are being scored in %(centres)s centres") % {
            "n": len(scoring), "centres": len({period.centre_id for period, _parts in scoring})},
            url=reverse("assessment:home"), count=len(scoring), order=11))
    elif len(scoring) > TODO_MONTHS:
        more = len(scoring) - TODO_MONTHS
        items.append(Item(text=ngettext("%(n)s more month is being scored", "%(n)s more months are being scored",
                                        more) % {"n": more},
                          url=reverse("assessment:home"), count=more, order=11))
    managed = [period.pk for period, _parts in scoring if can_manage(user, period.centre_id)]
    if managed:
        labels = {period.pk: period.label for period, _parts in scoring}
        for row in (Adjustment.objects.filter(period__in=managed, status=Adjustment.Status.PENDING).order_by()
                    .values("period_id").annotate(n=Count("pk")).order_by("period_id")):
            items.append(Item(
                text=_("%(month)s: %(n)s adjustments to decide") % {"month": labels[row["period_id"]], "n": row["n"]},
                url=reverse("assessment:adjustments", args=[row["period_id"]]), count=row["n"], order=20))
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
