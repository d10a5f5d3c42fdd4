"""Cases' part of the home page (vanguard/core/todo.py): for a unit's handler, the cases to
accept or return and to answer (with the first deadline), answers to call back; for the
office, cases to dispatch, returns and redo limits to decide, extensions asked, open cases
that were overdue. One aggregate query per role."""

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Figure, Item

from .models import OPEN_STATUSES, Case, Extension, Status
from .selectors import figures


def _url(**params):
    return f"{reverse('cases:home')}?{urlencode(params)}"


def todo_items(user):
    scope = scope_for(user)
    items = []
    today = timezone.localdate()
    units = scope.units(Role.HANDLER)
    if units:
        c = Case.objects.filter(unit__in=units, status__in=[Status.DISPATCHED, Status.ACCEPTED, Status.ANSWERED]) \
            .aggregate(accept=Count("pk", filter=Q(status=Status.DISPATCHED)),
                       answer=Count("pk", filter=Q(status=Status.ACCEPTED)),
                       call_back=Count("pk", filter=Q(status=Status.ANSWERED)),
                       first_due=Min("due", filter=Q(status__in=[Status.DISPATCHED, Status.ACCEPTED])))
        due, overdue = c["first_due"], bool(c["first_due"] and c["first_due"] < today)
        if c["accept"]:
            items.append(Item(text=_("%(n)s cases to accept or return") % {"n": c["accept"]},
                              url=_url(status=Status.DISPATCHED), count=c["accept"], order=20))
        if c["answer"]:
            items.append(Item(text=_("%(n)s cases to answer") % {"n": c["answer"]}, url=_url(status=Status.ACCEPTED),
                              count=c["answer"], due=due, overdue=overdue, order=21))
        if c["call_back"]:
            items.append(Item(text=_("%(n)s answered cases to call back") % {"n": c["call_back"]},
                              url=_url(status=Status.ANSWERED), count=c["call_back"], order=22))
    centres = scope.centres(Role.OFFICE)
    if centres:
        c = Case.objects.filter(centre__in=centres, status__in=OPEN_STATUSES).aggregate(
            new=Count("pk", filter=Q(status=Status.NEW)),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
            deciding=Count("pk", filter=Q(status=Status.OFFICE_DECIDES)),
            extension=Count("pk", filter=Q(extension=Extension.REQUESTED, status=Status.ACCEPTED)),
            overdue=Count("pk", filter=Q(overdue_at__isnull=False, status__in=[Status.DISPATCHED, Status.ACCEPTED])))
        for key, text, params, order in (
                ("new", _("%(n)s cases to dispatch"), {"status": Status.NEW}, 23),
                ("returned", _("%(n)s returned cases to decide"), {"status": Status.RETURNED}, 24),
                ("deciding", _("%(n)s cases still dissatisfied after the redo limit"), {"status": Status.OFFICE_DECIDES}, 25),
                ("extension", _("%(n)s extensions asked"), {"status": Status.ACCEPTED}, 26),
                ("overdue", _("%(n)s open cases overdue"), {"status": "open", "overdue": 1}, 27)):
            if c[key]:
                items.append(Item(text=text % {"n": c[key]}, url=_url(**params), count=c[key],
                                  overdue=key == "overdue", order=order))
    return items


def key_figures(user):
    scope = scope_for(user)
    centres = scope.centres(Role.OFFICE)
    if not centres:
        return []
    year = timezone.localdate().year
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    data = figures(Case.objects.filter(centre__in=centres, received_at__gte=start))
    if not data["total"]:
        return []
    return [Figure(label=_("Cases in %(year)s") % {"year": year}, value=str(data["total"]),
                   url=reverse("cases:figures"),
                   note=_("on time %(on_time)s%%, satisfied %(satisfied)s%%") % {
                       "on_time": data["on_time_rate"] if data["on_time_rate"] is not None else "—",
                       "satisfied": data["satisfied_rate"] if data["satisfied_rate"] is not None else "—"})]
