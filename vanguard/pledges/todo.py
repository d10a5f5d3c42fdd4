"""Pledges' part of the home page (vanguard/core/todo.py): pledges awaiting the branch's
review, progress to confirm, comments to moderate, year-end judgements due (from
December); a member's own returned pledges. A few counts, one query each."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.scoping import scope_for
from vanguard.core.todo import Figure, Item

from . import selectors
from .models import Comment, Pledge, Progress
from .permissions import is_reviewer

# From this month on, approved pledges not yet judged are a year-end judgement due.
YEAR_END_MONTH = 12
MIDYEAR_MONTH = 6


def todo_items(user):
    items = []
    scope = scope_for(user)
    today = timezone.localdate()
    if scope.person_id:
        returned = Pledge.objects.filter(person_id=scope.person_id, status=Pledge.Status.RETURNED).count()
        if returned:
            items.append(Item(text=_("%(n)s of your pledges were returned: revise them") % {"n": returned},
                              url=reverse("pledges:home"), count=returned, order=60))
    if not is_reviewer(user):
        return items
    counts = Pledge.objects.visible_to(user).filter(year=today.year).aggregate(
        submitted=Count("pk", filter=Q(status=Pledge.Status.SUBMITTED)),
        due=Count("pk", filter=Q(status=Pledge.Status.APPROVED, result="")),
        midyear_due=Count("pk", filter=Q(status=Pledge.Status.APPROVED, midyear_result="")))
    queue = reverse("pledges:queue")
    if counts["submitted"]:
        items.append(Item(text=_("%(n)s pledges await review") % {"n": counts["submitted"]}, url=queue,
                          count=counts["submitted"], order=61))
    progress = Progress.objects.visible_to(user).filter(confirmed_at__isnull=True).count()
    if progress:
        items.append(Item(text=_("%(n)s progress records to confirm") % {"n": progress}, url=queue, count=progress,
                          order=62))
    comments = Comment.objects.visible_to(user).filter(status=Comment.Status.PENDING).count()
    if comments:
        items.append(Item(text=_("%(n)s comments on pledge walls to moderate") % {"n": comments}, url=queue,
                          count=comments, order=63))
    if today.month >= YEAR_END_MONTH and counts["due"]:
        items.append(Item(text=_("%(n)s pledges to judge at year-end") % {"n": counts["due"]},
                          url=selectors.list_url(today.year, state="due"), count=counts["due"], order=64))
    elif MIDYEAR_MONTH <= today.month < YEAR_END_MONTH and counts["midyear_due"]:
        items.append(Item(text=_("%(n)s pledges to judge at mid-year") % {"n": counts["midyear_due"]},
                          url=selectors.list_url(today.year, state="approved"), count=counts["midyear_due"],
                          order=64))
    return items


def key_figures(user):
    if not is_reviewer(user):
        return []
    year = timezone.localdate().year
    total, _rows = selectors.figures(selectors.stats_for(user), year)
    if not total["made"]:
        return []
    return [Figure(label=_("Pledges kept in %(year)s") % {"year": year}, value=f"{total['kept']}/{total['made']}",
                   url=reverse("pledges:figures"),
                   note=_("%(members)s members pledged") % {"members": total["members"]})]
