"""The roles of DESIGN.md. A grant gives one role over one scope."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    OFFICE = "office", _("Party-building office")
    SECRETARY = "secretary", _("Branch secretary / committee")
    SCORER = "scorer", _("Department scorer")
    LIAISON = "liaison", _("Home-unit liaison")
    HANDLER = "handler", _("Case handler")


# Roles that act on a subtree of the party tree, and roles that act on a unit.
ORGANIZATION_ROLES = {Role.OFFICE, Role.SECRETARY}
UNIT_ROLES = {Role.SCORER, Role.LIAISON, Role.HANDLER}
# Roles that may edit the organisation's reference data (floors, windows, units, tree).
ORG_EDITORS = {Role.ADMIN, Role.OFFICE}
# Roles that may edit people in their scope.
PEOPLE_EDITORS = {Role.ADMIN, Role.OFFICE, Role.SECRETARY}
