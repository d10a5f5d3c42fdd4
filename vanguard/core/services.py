"""Use cases of the core app: the working-day calendar's overrides."""

from django.db import transaction

from . import audit
from .models import CalendarOverride, CalendarYear
from .permissions import require_role
from .roles import Role


@transaction.atomic
def set_calendar_override(actor, *, date, kind, note=""):
    require_role(actor, Role.ADMIN, Role.OFFICE, Role.SYSTEM_ADMIN)
    override = CalendarOverride.objects.filter(date=date).first()
    if override is None:
        override = CalendarOverride.objects.create(date=date, kind=kind, note=note)
        audit.record_create(actor, override)
    else:
        before = audit.snapshot(override)
        override.kind, override.note = kind, note
        override.save()
        audit.record_update(actor, override, before)
    return override


@transaction.atomic
def delete_calendar_override(actor, override):
    require_role(actor, Role.ADMIN, Role.OFFICE, Role.SYSTEM_ADMIN)
    audit.record_delete(actor, override)
    override.delete()


@transaction.atomic
def confirm_calendar_year(actor, year):
    """Mark a year's holidays as completely entered (e.g. 2027 from the State Council notice)."""
    require_role(actor, Role.ADMIN, Role.OFFICE, Role.SYSTEM_ADMIN)
    entry, created = CalendarYear.objects.get_or_create(year=year, defaults={"confirmed_by": actor})
    if created:
        audit.record_create(actor, entry, verb="confirm calendar year")
    return entry
