"""Who may use the roster: the office (or an administrator) imports a centre's
roster; a branch secretary may also download the template and export the
people they can see (their branch). Members and unit roles may not."""

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from ..models import ServiceCentre
from ..permissions import can_edit_reference


def can_import_roster(user, centre):
    return can_edit_reference(user, centre.pk)


def can_export_roster(user, centre):
    scope = scope_for(user)
    return scope.is_admin or centre.pk in scope.centres(Role.OFFICE, Role.SECRETARY)


def roster_centres(user):
    """The centres whose roster the user may export (and maybe import)."""
    scope = scope_for(user)
    if not scope.authenticated:
        return ServiceCentre.objects.none()
    if scope.is_admin:
        return ServiceCentre.objects.order_by("name")
    return ServiceCentre.objects.filter(pk__in=scope.centres(Role.OFFICE, Role.SECRETARY)).order_by("name")
