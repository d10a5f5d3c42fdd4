"""Scoped object lookups for views and the API: an object outside what the user
may see is a 404, never a hint that it exists. They fail closed: a queryset
without `visible_to` (a model nobody gave a scoping rule) finds nothing, rather
than falling back to every row."""

import logging

from django.core.exceptions import ValidationError
from django.http import Http404

log = logging.getLogger(__name__)


def scoped(user, model_or_queryset):
    """`visible_to(user)` of a model or queryset; none at all when it has no scoping."""
    qs = model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    if not hasattr(qs, "visible_to"):
        log.error("%s has no visible_to(): lookups in it find nothing", qs.model.__name__)
        return qs.none()
    return qs.visible_to(user)


def visible_or_404(request_or_user, model_or_queryset, pk, *, select=(), **filters):
    """The object with this pk if `request_or_user` may see it, else Http404 (also for a
    pk that is not even a number: a URL is not a reason for a 500)."""
    user = getattr(request_or_user, "user", request_or_user)
    qs = scoped(user, model_or_queryset).select_related(*select)
    try:
        return qs.get(pk=pk, **filters)
    except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError, OverflowError) as error:
        raise Http404 from error
