"""What the honours' use cases share: who may manage honours, the candidates' models, the default quotas."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vanguard.core.permissions import is_office_of, require
from vanguard.org.models import Organization, Person, Unit, Window
from vanguard.posts.models import VanguardPost

from .models import (
    HonourKind,
    Nomination,
    Selection,
    ServiceBrand,
    Team,
)

Status = Selection.Status
State = Nomination.State
CANDIDATE_MODELS = {"person": Person, "branch": Organization, "window": Window, "post": VanguardPost, "unit": Unit,
                    "team": Team, "brand": ServiceBrand}
DEFAULT_QUOTAS = {HonourKind.MODEL_WINDOW: 100, HonourKind.SERVICE_BRAND: 10, HonourKind.SERVICE_MODEL: 10}


def _office(actor, centre_id):
    require(is_office_of(actor, centre_id), _("Only the party-building office may manage honours."))


def _actor_user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, limit=None):
    value = (value or "").strip()
    return value[:limit] if limit else value


def _reviewable(selection):
    if selection.status not in (Status.NOMINATING, Status.REVIEW):
        raise ValidationError(_("The selection is in public notice or awarded; its list can no longer change."))
