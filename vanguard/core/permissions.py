"""Checks that services and views share. A refusal is PermissionDenied with a
Chinese reason; views turn it into 403."""

from django.core.exceptions import PermissionDenied, ValidationError
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


def office_centres(user):
    """The service centres `user` is the party-building office of, as a queryset (every centre for an
    administrator). Pages, the API and services read an office grant through this or `office_centre`."""
    from vanguard.org.models import ServiceCentre

    scope = scope_for(user)
    if scope.is_admin:
        return ServiceCentre.objects.all()
    return ServiceCentre.objects.filter(pk__in=scope.centres(Role.OFFICE))


def office_centre(user, wanted=None, *, by="pk", several=None, message=None, required=True):
    """Which service centre is `user` the party-building office of?

    - `wanted` (an id, or a code with `by="code"`) narrows the answer to that centre; one the user is not
      the office of counts as none.
    - Several centres: the first by id, or, given `several` (a message), a ValidationError on `centre`
      asking the caller to choose.
    - None: PermissionDenied with `message`, or None when not `required`."""
    centres = office_centres(user)
    if wanted not in (None, ""):
        if by == "pk":
            wanted = str(wanted)
            centres = centres.filter(pk=int(wanted)) if wanted.isdigit() and len(wanted) < 12 else centres.none()
        else:
            centres = centres.filter(**{by: wanted})
    found = list(centres.order_by("pk")[:2 if several else 1])
    if not found:
        if required:
            raise PermissionDenied(message or _("Only the party-building office may do this."))
        return None
    if len(found) > 1:
        raise ValidationError({"centre": several})
    return found[0]


def require_role(user, *roles):
    require(scope_for(user).has_role(*roles))


class ScopedViewMixin:
    """Class-based views: every queryset starts from `visible_to(request.user)`."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)
