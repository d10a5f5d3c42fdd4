"""Honours' part of the home page (vanguard/core/todo.py), in one query: for the office,
selections whose nominations have closed, that wait for review or for the award after
their public notice, and objections to answer; for branches and units, selections open
for their nominations."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Item

from .models import Objection, Selection

Status = Selection.Status


def todo_items(user):
    scope = scope_for(user)
    office = set(scope.centres(Role.OFFICE))
    if not (scope.is_admin or office or scope.centres(Role.SECRETARY, Role.LIAISON)):
        return []
    today = timezone.localdate()
    selections = (Selection.objects.visible_to(user).exclude(status=Status.AWARDED)
                  .annotate(open_objections=Count("objections", filter=Q(objections__state=Objection.State.OPEN)))
                  .order_by("nominate_until", "pk")[:50])
    items = []
    for s in selections:
        url = reverse("honours:selection", args=[s.pk])
        if scope.is_admin or s.centre_id in office:
            if s.status == Status.NOMINATING and s.nominate_until < today:
                items.append(Item(text=_("“%(title)s”: nominations closed on %(date)s; close them and review") % {
                    "title": s.title, "date": s.nominate_until.isoformat()}, url=url, due=s.nominate_until,
                    overdue=True, order=60))
            elif s.status == Status.REVIEW:
                items.append(Item(text=_("“%(title)s”: review the nominations and start the public notice") % {
                    "title": s.title}, url=url, order=60))
            elif s.status == Status.NOTICE and s.notice_ends < today:
                items.append(Item(text=_("“%(title)s”: the public notice has ended; award") % {"title": s.title},
                                  url=url, due=s.notice_ends, order=60))
            if s.open_objections:
                items.append(Item(text=_("“%(title)s”: %(n)s objections to answer") % {
                    "title": s.title, "n": s.open_objections}, url=url, count=s.open_objections, order=59))
        elif s.status == Status.NOMINATING and s.nominate_until >= today:
            items.append(Item(text=_("“%(title)s”: nominate by %(date)s") % {
                "title": s.title, "date": s.nominate_until.isoformat()}, url=url, due=s.nominate_until, order=61))
    return items
