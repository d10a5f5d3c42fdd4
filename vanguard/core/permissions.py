"""Checks that services and views share. A refusal is PermissionDenied with a
Chinese reason; views turn it into 403."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import Role
from .scoping import scope_for


def require(allowed, message=None):
    if not allowed:
        raise PermissionDenied(message or _("You are not allowed to do this."))


def is_office_of(user, centre_id):
    """Is `user` the party-building office of this centre (or an administrator)?
    The one answer every app asks for: managing a centre's schemes, posts,
    messages, ratings, reference data and accounts."""
    scope = scope_for(user)
    return scope.is_admin or (centre_id is not None and centre_id in scope.centres(Role.OFFICE))


def require_role(user, *roles):
    require(scope_for(user).has_role(*roles))


class ScopedViewMixin:
    """Class-based views: every queryset starts from `visible_to(request.user)`."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)
