"""Reads shared by the ratings pages and the API: which figures a user may
see, and the figures themselves. Pages (views.py) and the API (api.py) both
import from here; neither imports the other."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Floor, Organization, Person, Unit, Window
from vanguard.posts.models import VanguardPost

from . import figures
from .permissions import office_centres

DIMENSION_MODELS = {"unit": Unit, "window": Window, "person": Person, "post": VanguardPost, "floor": Floor,
                    "branch": Organization}


def allowed_units(user):
    """None = the whole centre(s) (office, admin); else the unit ids the user may see figures of."""
    scope = scope_for(user)
    if scope.is_admin or scope.centres(Role.OFFICE):
        return None
    return set(scope.units(Role.HANDLER, Role.LIAISON, Role.SCORER))


def _secretary_branches(user):
    scope = scope_for(user)
    paths = scope.paths(Role.SECRETARY)
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(path__in=paths)


def resolve_target(user, dimension, key):
    """(dimension, key, label, centre_id) the user may read figures of, or PermissionDenied / 404."""
    scope = scope_for(user)
    units = allowed_units(user)
    if dimension == "centre" or not key:
        centres = office_centres(user)
        centre = centres.filter(pk=key).first() if key and dimension == "centre" else centres.first()
        if centre is None:
            branch = _secretary_branches(user).first()
            if branch is not None and not units:
                return "branch", branch.pk, branch.name, branch.centre_id
            if units:
                unit = Unit.objects.get(pk=sorted(units)[0])
                return "unit", unit.pk, unit.name, unit.centre_id
            raise PermissionDenied(_("You are not allowed to do this."))
        return "centre", centre.pk, centre.name, centre.pk
    model = DIMENSION_MODELS.get(dimension)
    if model is None:
        raise PermissionDenied(_("You are not allowed to do this."))
    obj = get_object_or_404(model.objects.visible_to(user), pk=key)
    if dimension == "branch" and units is not None and obj in _secretary_branches(user):
        return dimension, obj.pk, str(obj), obj.centre_id
    if units is not None:
        unit_id = {"unit": lambda o: o.pk, "window": lambda o: o.unit_id, "person": lambda o: o.unit_id,
                   "post": lambda o: o.unit_id or (o.window.unit_id if o.window_id else None)}.get(
            dimension, lambda o: None)(obj)
        if unit_id not in units:
            raise PermissionDenied(_("You are not allowed to do this."))
    centre_id = getattr(obj, "centre_id", None)
    if not scope.is_admin and centre_id not in scope.centre_ids:
        raise PermissionDenied(_("You are not allowed to do this."))
    return dimension, obj.pk, str(obj), centre_id


def figures_payload(user, dimension, key, year):
    dimension, key, label, centre_id = resolve_target(user, dimension, key)
    data = figures.figures_for(dimension, key, year, centre_id=centre_id)
    return dimension, key, label, centre_id, data
