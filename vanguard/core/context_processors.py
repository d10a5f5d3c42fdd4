from .navigation import items_for
from .roles import Role
from .scoping import scope_for
from .workers import warning_for as worker_warning_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "nav_items": items_for(user, request.path),
        "nav_roles": [Role(r).label for r in sorted(scope.roles)],
        "scope": scope,
        "worker_warning": worker_warning_for(request),
    }
