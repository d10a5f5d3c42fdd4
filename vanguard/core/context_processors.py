from .navigation import items_for
from .roles import Role
from .scoping import scope_for
from .workers import warning_for as worker_warning_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Once per request: every template rendered with the request runs this (a table's template columns
    # render one per cell: 50 rows x 2 columns of menu reversing took a third of the audit page).
    cached = getattr(request, "_vg_navigation", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    request._vg_navigation = {
        "nav_items": items_for(user, request.path),
        "nav_roles": [Role(r).label for r in sorted(scope.roles)],
        "scope": scope,
        "worker_warning": worker_warning_for(request),
    }
    return request._vg_navigation
