"""The roles of DESIGN.md. A grant gives one role over one scope."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Everything (the installation's break-glass account); held by no one who holds a duty below.
    ADMIN = "admin", _("Administrator (all rights)")
    OFFICE = "office", _("Party-building office")
    SECRETARY = "secretary", _("Branch secretary / committee")
    SCORER = "scorer", _("Department scorer")
    LIAISON = "liaison", _("Home-unit liaison")
    HANDLER = "handler", _("Case handler")
    # Separation of duties (三员分立, as 等保 level 3 asks): configuration and integrations;
    # accounts, roles and grants; reading the audit trail. No account holds two of them.
    SYSTEM_ADMIN = "sysadmin", _("System administrator (configuration)")
    SECURITY_ADMIN = "secadmin", _("Security administrator (accounts and roles)")
    AUDIT_ADMIN = "auditor", _("Audit administrator (audit trail)")


# Roles that act on a subtree of the party tree, and roles that act on a unit.
ORGANIZATION_ROLES = {Role.OFFICE, Role.SECRETARY}
UNIT_ROLES = {Role.SCORER, Role.LIAISON, Role.HANDLER}
DUTY_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# Roles held over no scope (everywhere); an account holds at most one of them.
UNSCOPED_ROLES = {Role.ADMIN} | DUTY_ROLES
# Roles that may edit the organisation's reference data (floors, windows, units, tree).
ORG_EDITORS = {Role.ADMIN, Role.OFFICE}
# Roles that may edit people in their scope.
PEOPLE_EDITORS = {Role.ADMIN, Role.OFFICE, Role.SECRETARY}
