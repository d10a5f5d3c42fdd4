"""Who may write posts. Reading is `visible_to`; only the centre's party-building
office (or an administrator) creates, edits, discloses, names and revokes."""

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for


def can_manage_posts(user, centre_id):
    scope = scope_for(user)
    return scope.is_admin or centre_id in scope.centres(Role.OFFICE)


def manageable_centres(user):
    from vanguard.org.models import ServiceCentre

    scope = scope_for(user)
    if scope.is_admin:
        return ServiceCentre.objects.all()
    return ServiceCentre.objects.filter(pk__in=scope.centres(Role.OFFICE))
