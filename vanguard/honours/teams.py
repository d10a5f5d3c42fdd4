"""Honours' use cases: teams honoured as one, service brands and exemplar stories' links."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from .base import (
    _office,
    _text,
)
from .models import (
    BrandPhoto,
    ServiceBrand,
    StoryLink,
    Team,
)


@transaction.atomic
def create_team(actor, centre, *, name, unit=None, floor=None, description="", members=()):
    _office(actor, centre.pk)
    name = _text(name, 100)
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    if Team.objects.filter(centre=centre, name=name).exists():
        raise ValidationError({"name": _("A team of this name already exists.")})
    members = list(members)
    for obj, field in ((unit, "unit"), (floor, "floor")):
        if obj is not None and obj.centre_id != centre.pk:
            raise ValidationError({field: _("It belongs to another service centre.")})
    if any(p.centre_id != centre.pk for p in members):
        raise ValidationError({"members": _("It belongs to another service centre.")})
    team = Team.objects.create(centre=centre, name=name, unit=unit, floor=floor, description=_text(description))
    team.members.set(members)
    audit.record_create(actor, team, verb=audit.Event.TEAM_CREATED)
    return team


@transaction.atomic
def create_brand(actor, unit, *, name, description, photos=()):
    """A service brand: a named practice of a unit. The office or the unit's liaison."""
    scope = scope_for(actor)
    require(is_office_of(actor, unit.centre_id) or scope.covers_unit(unit.pk, Role.LIAISON),
            _("Only the party-building office or the unit may describe its service brand."))
    name, description = _text(name, 60), _text(description)
    errors = {}
    if not name:
        errors["name"] = _("Give the brand a name.")
    elif ServiceBrand.objects.filter(centre_id=unit.centre_id, name=name).exists():
        errors["name"] = _("A service brand of this name already exists.")
    if not description:
        errors["description"] = _("Describe the practice.")
    if len(photos) > 6:
        errors["photos"] = _("At most 6 photos.")
    if errors:
        raise ValidationError(errors)
    from vanguard.core.upload_checks import check_photo

    for photo in photos:  # every photo checked before anything is stored
        check_photo(photo, field="photos")
    brand = ServiceBrand.objects.create(centre_id=unit.centre_id, unit=unit, name=name, description=description)
    for photo in photos:
        BrandPhoto.objects.create(brand=brand, image=photo)
    audit.record_create(actor, brand, verb=audit.Event.BRAND_CREATED)
    return brand


@transaction.atomic
def link_story(actor, lesson, *, person=None, team=None):
    """Link an exemplar story (a column's lesson) to the person or team it honours."""
    _office(actor, lesson.centre_id)
    if lesson.column_id is None:
        raise ValidationError({"lesson": _("Only a story of a column honours someone.")})
    if (person is None) == (team is None):
        raise ValidationError({"person": _("Choose either a person or a team.")})
    subject = person or team
    if subject.centre_id != lesson.centre_id:
        raise ValidationError({"person" if person else "team": _("It belongs to another service centre.")})
    link, created = StoryLink.objects.get_or_create(lesson=lesson, person=person, team=team)
    if created:
        audit.record_create(actor, link, verb=audit.Event.STORY_LINKED, centre_id=lesson.centre_id)
    return link
