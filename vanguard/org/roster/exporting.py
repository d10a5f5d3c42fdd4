"""The template and the export, each checked against who may have them."""

from django.utils.translation import gettext as _

from vanguard.core.permissions import require

from ..models import Person
from .access import can_export_roster
from .workbook import build_workbook


def roster_template(user, centre):
    require(can_export_roster(user, centre), _("You may not download this centre's roster template."))
    return build_workbook(centre)


def export_roster(user, centre):
    """The active people of `centre` that `user` can see, as a roster workbook."""
    require(can_export_roster(user, centre), _("You may not export this centre's roster."))
    people = (Person.objects.visible_to(user).filter(centre=centre, is_active=True)
              .select_related("unit", "branch", "window").order_by("branch__path", "name", "pk"))
    return build_workbook(centre, people.iterator(chunk_size=2000))
