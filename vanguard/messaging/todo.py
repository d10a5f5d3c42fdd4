"""Messaging's part of the home page (vanguard/core/todo.py): documents to sign,
broadcasts whose messages fail."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.todo import Item

from .models import Broadcast, Circular, Message
from .services_docs import _prefixes

# Failures older than this are history, not a to-do.
RECENT = datetime.timedelta(days=7)
SHOWN_BROADCASTS = 3


def todo_items(user):
    return _to_sign(user) + _failing(user)


def _to_sign(user):
    person = getattr(user, "person", None)
    if person is None or person.branch_id is None or not person.is_active:
        return []
    # Circulated to the person's branch or a branch above it, and not signed yet.
    pending = list(Circular.objects.visible_to(user)
                   .filter(centre_id=person.centre_id, circulated_at__isnull=False,
                           branches__path__in=_prefixes(person.branch.path))
                   .exclude(signatures__person=person).distinct().order_by("circulated_at", "pk")
                   .values_list("pk", "title")[:50])
    if not pending:
        return []
    if len(pending) == 1:
        pk, title = pending[0]
        return [Item(text=_("Sign for “%(title)s”") % {"title": title},
                     url=reverse("messaging:circular-detail", args=[pk]), count=1, order=40)]
    return [Item(text=_("%(n)s documents to sign") % {"n": len(pending)}, url=reverse("messaging:circular-list"),
                 count=len(pending), order=40)]


def _failing(user):
    scope = scope_for(user)
    if not (scope.is_admin or scope.centres(Role.OFFICE)):
        return []
    broadcasts = (Broadcast.objects.visible_to(user)
                  .filter(send_at__gte=timezone.now() - RECENT, messages__state=Message.State.FAILED)
                  .annotate(failed=Count("messages", filter=Q(messages__state=Message.State.FAILED)))
                  .order_by("-send_at")[:SHOWN_BROADCASTS])
    return [Item(text=_("“%(title)s”: %(n)s messages failed") % {"title": b.title, "n": b.failed},
                 url=reverse("messaging:broadcast-detail", args=[b.pk]), count=b.failed, order=45)
            for b in broadcasts]
