"""The main menu, by role. Each app adds its entries here; an entry whose URL
does not exist yet is skipped, so apps can land in any order."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .scoping import scope_for

STAFF = {Role.ADMIN, Role.OFFICE, Role.SECRETARY, Role.SCORER, Role.LIAISON, Role.HANDLER}
ANYONE = None  # any logged-in user, including a member with no grant

# (label, url name, roles that see it or ANYONE)
NAV = [
    (_("Party tree"), "org:organization-list", STAFF),
    (_("Floors"), "org:floor-list", STAFF),
    (_("Units"), "org:unit-list", STAFF),
    (_("People"), "org:person-list", STAFF),
    (_("Vanguard posts"), "posts:post-list", STAFF),
    (_("Assessment"), "assessment:home", ANYONE),
    (_("Ratings"), "ratings:home", STAFF),
    (_("Evaluations"), "surveys:home", {Role.ADMIN, Role.OFFICE}),
    (_("Study"), "messaging:home", ANYONE),
    (_("Organisational life"), "life:home", ANYONE),
    (_("Feedback cases"), "cases:home", {Role.ADMIN, Role.OFFICE, Role.HANDLER, Role.LIAISON}),
    (_("Pledge cycle"), "pledges:home", ANYONE),
    (_("Honours"), "honours:home", {Role.ADMIN, Role.OFFICE, Role.SECRETARY, Role.LIAISON}),
    (_("Notices"), "notices:inbox", ANYONE),
    (_("Figures"), "dashboard:home", STAFF),
    (_("Accounts"), "core:account-list", {Role.ADMIN, Role.OFFICE, Role.SECURITY_ADMIN}),
    (_("Audit trail"), "core:audit-list", {Role.ADMIN, Role.OFFICE, Role.AUDIT_ADMIN}),
    (_("Working-day calendar"), "core:calendar", {Role.ADMIN, Role.OFFICE, Role.SYSTEM_ADMIN}),
]


def items_for(user, current_path=""):
    scope = scope_for(user)
    items = []
    for label, name, roles in NAV:
        if roles is not ANYONE and not scope.has_role(*roles):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": current_path.startswith(url)})
    return items
