"""Organisational life's part of the home page (see vanguard/core/todo.py): leave and
activities waiting for the secretary's approval, meeting kinds falling due in the
secretary's branches with no meeting held, and (for the office) branches overdue."""

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Item

from .models import Activity, Attendance, MeetingKind
from .permissions import managed_q


def _waiting(user):
    """(leave requests, activity records) waiting for the user's decision: one query."""
    # Unordered (a count), and matching the partial index of waiting leave (models.Attendance.Meta).
    leave = (Attendance.objects.filter(leave_requested_at__isnull=False, status=Attendance.Status.PENDING)
             .filter(managed_q(user, "meeting__organization")).order_by().values("pk"))
    activities = (Activity.objects.filter(status=Activity.Status.PENDING).filter(managed_q(user)).order_by()
                  .values("pk"))
    leave_sql, leave_params = leave.query.sql_with_params()
    activity_sql, activity_params = activities.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM ({leave_sql}) leave_rows), "  # noqa: S608 -- compiled querysets
                       f"(SELECT COUNT(*) FROM ({activity_sql}) activity_rows)", [*leave_params, *activity_params])
        return cursor.fetchone()


def todo_items(user):
    scope = scope_for(user)
    if not (scope.is_admin or scope.has_role(Role.SECRETARY, Role.OFFICE)):
        return []
    from . import services
    from .forms import manageable_organizations

    items = []
    leave, activities = _waiting(user)
    if leave:
        items.append(Item(text=ngettext("%(n)d leave request waiting for approval",
                                        "%(n)d leave requests waiting for approval", leave) % {"n": leave},
                          url=reverse("life:approvals"), count=leave, order=40))
    if activities:
        items.append(Item(text=ngettext("%(n)d activity record waiting for approval",
                                        "%(n)d activity records waiting for approval", activities) % {"n": activities},
                          url=reverse("life:approvals"), count=activities, order=41))
    if scope.is_admin or scope.centres(Role.OFFICE):
        return items
    # A secretary: the kinds falling due within a week in their branches, none held yet.
    today = timezone.localdate()
    labels = dict(MeetingKind.choices)
    by_centre = {}
    for org in manageable_organizations(user).select_related("centre")[:20]:
        by_centre.setdefault(org.centre, []).append(org)
    for centre, branches in by_centre.items():
        for branch, kind, last in services.due_soon(centre, today, branches=branches):
            items.append(Item(text=_("%(branch)s: hold a %(kind)s by %(date)s") % {
                "branch": branch.name, "kind": labels[kind], "date": last.isoformat()},
                url=reverse("life:meeting-create"), due=last, order=42))
    return items
