"""The centre a city-wide list shows.

A user who sees several centres (the city's administrator: 50 centres, 300,000 people) picks one;
without a choice a list shows their own centre (or the first by name), never the whole city at
once. A user of one centre is offered no choice."""

from vanguard.core.params import int_param
from vanguard.core.scoping import scope_for

from .models import ServiceCentre


def centre_choice(request):
    """(the centre shown, the centres offered): the ?centre= the user sees, else their own person's
    centre, else the first by name; (None, []) for a user who sees one centre or none (no field)."""
    cached = getattr(request, "_vg_centres", None)
    if cached is not None:
        return cached
    centres = list(ServiceCentre.objects.visible_to(request.user).order_by("name").only("pk", "name"))
    if len(centres) < 2:
        chosen = (None, [])
    else:
        by_pk = {c.pk: c for c in centres}
        wanted = int_param(request, "centre", None, 1)
        own = getattr(getattr(request.user, "person", None), "centre_id", None) if scope_for(request.user).person_id \
            else None
        chosen = (by_pk.get(wanted) or by_pk.get(own) or centres[0], centres)
    request._vg_centres = chosen
    return chosen
