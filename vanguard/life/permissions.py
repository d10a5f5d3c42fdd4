"""Who may write organisational life (reading is `visible_to`)."""

from django.utils.translation import gettext as _

from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for


def manages(user, organization):
    """The branch's secretary (committee), or the office of its centre."""
    scope = scope_for(user)
    return scope.covers_path(organization.path, Role.SECRETARY, Role.OFFICE) or is_office_of(user, organization.centre_id)


def require_manager(user, organization):
    require(manages(user, organization), _("Only the branch's secretary or the party-building office may do this."))


def require_office(user, centre_id):
    require(is_office_of(user, centre_id), _("Only the party-building office may do this."))


def is_manager_anywhere(user):
    return scope_for(user).has_role(Role.SECRETARY, Role.OFFICE)


def managed_q(user, lookup="organization"):
    """Rows whose organisation (at `lookup`) the user manages: the office's centres, the
    secretary's subtrees (Q() for an administrator). One condition for an office (models.scope_q)."""
    from django.db.models import Q

    from .models import scope_q

    scope = scope_for(user)
    if scope.is_admin:
        return Q()
    return scope_q(scope, lookup, f"{lookup}__centre")
