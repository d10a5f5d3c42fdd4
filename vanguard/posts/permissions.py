"""Who may write posts. Reading is `visible_to`; only the centre's party-building
office (or an administrator) creates, edits, discloses, names and revokes."""

from vanguard.core.permissions import is_office_of
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for


def can_manage_posts(user, centre_id):
    return is_office_of(user, centre_id)


def manageable_centres(user):
    from vanguard.org.models import ServiceCentre

    scope = scope_for(user)
    if scope.is_admin:
        return ServiceCentre.objects.all()
    return ServiceCentre.objects.filter(pk__in=scope.centres(Role.OFFICE))
