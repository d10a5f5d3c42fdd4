"""Ratings' part of the home page (vanguard/core/todo.py): bad-review
rectification cases due or overdue, call-backs to make, set-aside requests to
decide; this year's satisfaction rate as a key figure. One query for the cases."""

import datetime

from django.db.models import Case, Count, DateField, Min, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Figure, Item

from . import figures
from .models import RectificationCase

State = RectificationCase.State
# Within this many days a case's current step counts as due.
DUE_DAYS = 2
# The due date of the step a case is at (verify, then rectify); none once it waits for a call-back.
CURRENT_DUE = Case(When(state=State.VERIFYING, then="verify_due"), When(state=State.RECTIFYING, then="rectify_due"),
                   default=None, output_field=DateField())


def due_cases(queryset, today=None):
    """Open cases whose current step is due within DUE_DAYS or overdue (the case list's ?due=1)."""
    today = today or timezone.localdate()
    return queryset.filter(_due_between(None, today + datetime.timedelta(days=DUE_DAYS)))


def _due_between(first, last):
    """Q: the current step is due between two days (None: unbounded)."""
    q = Q(pk__in=[])
    for state, field in ((State.VERIFYING, "verify_due"), (State.RECTIFYING, "rectify_due")):
        bounds = {**({f"{field}__gte": first} if first else {}), **({f"{field}__lte": last} if last else {})}
        q |= Q(state=state, **bounds)
    return q


def _acting_cases(user):
    """The cases this user acts on: the office's centres, the handler's units (a liaison only reads)."""
    scope = scope_for(user)
    if not scope.has_role(Role.OFFICE, Role.HANDLER):
        return None
    cases = RectificationCase.objects.visible_to(user)
    if not scope.is_admin:
        cases = cases.filter(Q(centre__in=scope.centres(Role.OFFICE)) | Q(unit__in=scope.units(Role.HANDLER)))
    return cases


def todo_items(user):
    cases = _acting_cases(user)
    if cases is None:
        return []
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_DAYS)
    counts = cases.aggregate(
        overdue=Count("pk", filter=_due_between(None, today - datetime.timedelta(days=1))),
        due=Count("pk", filter=_due_between(today, soon)),
        first_due=Min(CURRENT_DUE, filter=_due_between(today, soon)),
        call_back=Count("pk", filter=Q(state=State.CALLING_BACK)),
        requested=Count("pk", filter=Q(state=State.SET_ASIDE_REQUESTED)))
    url = reverse("ratings:cases")
    items = []
    if counts["overdue"]:
        items.append(Item(text=_("%(n)s rectification cases overdue") % {"n": counts["overdue"]},
                          url=f"{url}?{urlencode({'due': 1})}", count=counts["overdue"], overdue=True, order=30))
    if counts["due"]:
        items.append(Item(text=_("%(n)s rectification cases due within %(days)s days") % {
            "n": counts["due"], "days": DUE_DAYS}, url=f"{url}?{urlencode({'due': 1})}", count=counts["due"],
            due=counts["first_due"], order=31))
    if counts["call_back"]:
        items.append(Item(text=_("%(n)s rectified cases to call back") % {"n": counts["call_back"]},
                          url=f"{url}?{urlencode({'state': State.CALLING_BACK})}", count=counts["call_back"],
                          order=32))
    if counts["requested"] and scope_for(user).has_role(Role.OFFICE):
        items.append(Item(text=_("%(n)s requests to set a bad review aside") % {"n": counts["requested"]},
                          url=f"{url}?{urlencode({'state': State.SET_ASIDE_REQUESTED})}", count=counts["requested"],
                          order=33))
    return items


def key_figures(user):
    scope = scope_for(user)
    centres = scope.centres(Role.OFFICE)
    if not centres:
        return []
    today = timezone.localdate()
    year = figures.period_figures("centre", centres[0], "year", today)
    if year["rate"] is None:
        return []
    return [Figure(label=_("Satisfaction rate in %(year)s") % {"year": today.year}, value=f"{year['rate']}%",
                   url=reverse("ratings:home"), note=_("%(n)s ratings") % {"n": year["total"]})]
