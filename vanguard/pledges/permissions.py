"""Who may write pledges and letters (reading is `visible_to`)."""

from vanguard.core.permissions import is_office_of
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for


def is_owner(user, pledge):
    scope = scope_for(user)
    return scope.person_id is not None and scope.person_id == pledge.person_id


def is_branch_secretary(user, branch):
    """The branch's secretary (or committee), the centre's office, an administrator."""
    scope = scope_for(user)
    return scope.covers_path(branch.path, Role.SECRETARY) or is_office_of(user, branch.centre_id)


def is_office(user, centre_id):
    return is_office_of(user, centre_id)


def is_reviewer(user):
    """Holds a role that reviews, confirms or judges pledges somewhere."""
    return scope_for(user).has_role(Role.SECRETARY, Role.OFFICE)
