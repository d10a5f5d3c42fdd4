"""Who may change the organisation. Reading is `visible_to`; these say who may write."""

from vanguard.core.permissions import is_office_of
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for


def can_edit_reference(user, centre_id):
    """Floors, windows, units and the party tree: the centre's office, or an administrator."""
    return is_office_of(user, centre_id)


def can_edit_organization(user, organization):
    """The office over the tree; a secretary over their own branch's committee."""
    scope = scope_for(user)
    if can_edit_reference(user, organization.centre_id):
        return True
    return scope.covers_path(organization.path, Role.SECRETARY)


def can_edit_person(user, person):
    if is_office_of(user, person.centre_id):
        return True
    return bool(person.branch_id) and scope_for(user).covers_path(person.branch.path, Role.SECRETARY)


def can_add_people(user, centre_id):
    scope = scope_for(user)
    return scope.is_admin or centre_id in scope.centres(Role.OFFICE, Role.SECRETARY)
