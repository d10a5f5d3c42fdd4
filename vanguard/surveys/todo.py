"""Surveys' part of the home page (vanguard/core/todo.py): evaluations in
progress and when their invitations run out, naming and revocation decisions
to confirm."""

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Item

from .models import Decision, Evaluation


def todo_items(user):
    scope = scope_for(user)
    if not (scope.is_admin or scope.centres(Role.OFFICE)):
        return []
    today = timezone.localdate()
    items = []
    evaluations = (Evaluation.objects.visible_to(user).quarterly().filter(status=Evaluation.Status.OPEN)
                   .annotate(invited=Count("invitations"), answered=Count("invitations", filter=Q(invitations__used=True)),
                             ends=Max("invitations__valid_until")).order_by("ends", "pk"))
    for evaluation in evaluations:
        ends = timezone.localdate(evaluation.ends) if evaluation.ends else None
        items.append(Item(
            text=_("“%(title)s” in progress: %(answered)s of %(invited)s invitations answered") % {
                "title": evaluation.title, "answered": evaluation.answered, "invited": evaluation.invited},
            url=reverse("surveys:evaluation", args=[evaluation.pk]), count=evaluation.invited - evaluation.answered,
            due=ends, overdue=bool(ends and ends < today), order=50))
    proposed = (Decision.objects.filter(evaluation__in=Evaluation.objects.visible_to(user),
                                        state=Decision.State.PROPOSED)
                .values("evaluation_id", "evaluation__title").annotate(n=Count("pk")).order_by("evaluation_id"))
    for row in proposed:
        items.append(Item(text=_("“%(title)s”: %(n)s naming or revocation decisions to confirm") % {
            "title": row["evaluation__title"], "n": row["n"]},
                          url=reverse("surveys:evaluation", args=[row["evaluation_id"]]), count=row["n"], order=51))
    return items
