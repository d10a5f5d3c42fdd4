"""Who may write. The office imports transactions, records ratings from devices
and platforms, reviews flags and decides set-aside requests; a unit's case
handler works its rectification cases and is the only one who sees raters'
names and phones."""

from vanguard.core.permissions import is_office_of, office_centres  # noqa: F401 (office_centres: ratings' pages and API)
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

is_office = is_office_of


def is_handler(user, unit_id):
    scope = scope_for(user)
    return scope.is_admin or unit_id in scope.units(Role.HANDLER)


def can_see_rater(user, unit_id):
    """Strictly the unit's case handlers: not the office, not an administrator."""
    return unit_id in scope_for(user).units(Role.HANDLER)
