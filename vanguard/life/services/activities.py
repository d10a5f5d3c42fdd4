"""Service activities: the centre's kinds, a member's own record or a group's, the secretary's decision."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.core.upload_checks import check_upload
from vanguard.org.models import Person

from ..models import (
    DEFAULT_ACTIVITY_KINDS,
    Activity,
    ActivityKind,
    ActivityParticipant,
)
from ..permissions import require_manager, require_office
from .meetings import _check_people

MAX_HOURS_A_DAY = Decimal("24")
# Service activities ---------------------------------------------------------------------------------


def activity_kinds(centre, active_only=True):
    """The centre's activity kinds; the seed's defaults are created the first time."""
    centre_id = getattr(centre, "pk", centre)
    kinds = ActivityKind.objects.filter(centre_id=centre_id)
    if not kinds.exists():
        ActivityKind.objects.bulk_create(
            [ActivityKind(centre_id=centre_id, code=code, name=name, counts_hours=hours, sort_order=i)
             for i, (code, name, hours) in enumerate(DEFAULT_ACTIVITY_KINDS)], ignore_conflicts=True)
    return kinds.filter(is_active=True) if active_only else kinds


@transaction.atomic
def set_activity_kind(actor, centre, *, code, name, counts_hours=True, is_active=True):
    require_office(actor, centre.pk)
    activity_kinds(centre)
    errors = {}
    if not code or not str(code).replace("_", "").isalnum() or len(code) > 20:
        errors["code"] = _("A code is up to 20 letters, digits or underscores.")
    if not (name or "").strip():
        errors["name"] = _("Give the activity kind's name.")
    if errors:
        raise ValidationError(errors)
    kind, created = ActivityKind.objects.get_or_create(
        centre=centre, code=code, defaults={"name": name.strip(), "counts_hours": counts_hours, "is_active": is_active,
                                            "sort_order": ActivityKind.objects.filter(centre=centre).count()})
    if created:
        audit.record_create(actor, kind, verb=Event.ACTIVITY_KIND_SET, centre_id=centre.pk)
    else:
        before = audit.snapshot(kind)
        kind.name, kind.counts_hours, kind.is_active = name.strip(), counts_hours, is_active
        kind.save()
        audit.record_update(actor, kind, before, verb=Event.ACTIVITY_KIND_SET, centre_id=centre.pk)
    return kind


def _hours(value):
    try:
        hours = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Hours are a number such as 2 or 1.5.")}) from None
    return hours


@transaction.atomic
def record_activity(actor, *, kind, date, hours=0, description, place="", evidence=None, people=None,
                    organization=None):
    """A member's own record (`people` None: waiting for the secretary's approval), or the
    secretary's record of a group activity (one record, many people: approved as recorded)."""
    scope = scope_for(actor)
    group = people is not None
    if group:
        if organization is None:
            raise ValidationError({"organization": _("Choose the branch that held the activity.")})
        require_manager(actor, organization)
    else:
        person = Person.objects.filter(pk=scope.person_id).select_related("branch").first() if scope.person_id else None
        require(person is not None and person.branch_id is not None,
                _("Only a party member registered with a branch records their own activities."))
        organization = person.branch
        people = [person]
    errors = {}
    if kind is None or kind.centre_id != organization.centre_id or not kind.is_active:
        errors["kind"] = _("Choose an activity kind of this centre.")
    hours = _hours(hours)
    if date is None:
        errors["date"] = _("Give the date of the activity.")
    elif date > timezone.localdate():
        errors["date"] = _("An activity cannot be dated in the future.")
    if hours < 0:
        errors["hours"] = _("Hours cannot be negative.")
    elif hours > MAX_HOURS_A_DAY:
        errors["hours"] = _("%(hours)s hours in one day is not possible: at most 24.") % {"hours": hours}
    elif kind is not None and kind.counts_hours and hours == 0:
        errors["hours"] = _("Give the hours of “%(kind)s”.") % {"kind": kind.name}
    if not (description or "").strip():
        errors["description"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)
    members = _check_people(organization, people, "people") if group else people
    if not members:
        raise ValidationError({"people": _("Name at least one participant.")})
    # Nobody works more than 24 hours in a day, counting what is already recorded.
    if hours:
        earlier = dict(ActivityParticipant.objects.filter(
            person__in=members, activity__date=date).exclude(activity__status=Activity.Status.REFUSED)
            .values("person_id").annotate(total=Sum("activity__hours")).values_list("person_id", "total"))
        over = [m.name for m in members if (earlier.get(m.pk) or 0) + hours > MAX_HOURS_A_DAY]
        if over:
            raise ValidationError({"hours": _("%(names)s would have more than 24 hours of activities on %(date)s.")
                                   % {"names": ", ".join(over[:5]), "date": date}})
    if evidence is not None:
        check_upload(evidence, kinds=("jpeg", "png"), field="evidence")
    activity = Activity(centre_id=organization.centre_id, organization=organization, kind=kind, date=date,
                        hours=hours, place=place, description=description.strip(), is_group=group,
                        recorded_by=actor if getattr(actor, "pk", None) else None)
    if group:
        activity.status = Activity.Status.APPROVED
        activity.decided_by, activity.decided_at = activity.recorded_by, timezone.now()
    if evidence is not None:
        activity.evidence.save(evidence.name or "evidence.jpg", evidence, save=False)
    activity.save()
    ActivityParticipant.objects.bulk_create([ActivityParticipant(activity=activity, person=m) for m in members],
                                            batch_size=1000)
    audit.record(actor, audit.Action.CREATE, activity,
                 {"kind": [None, kind.name], "date": [None, date.isoformat()], "hours": [None, str(hours)],
                  "people": [None, [m.name for m in members[:50]]], "count": [None, len(members)]},
                 verb=Event.ACTIVITY_RECORDED, centre_id=activity.centre_id)
    return activity


@transaction.atomic
def decide_activity(actor, activity, approve, reason=""):
    activity = Activity.objects.select_for_update().select_related("organization").get(pk=activity.pk)
    require_manager(actor, activity.organization)
    if activity.status != Activity.Status.PENDING:
        raise ValidationError(_("This activity has already been decided."))
    if not approve and not (reason or "").strip():
        raise ValidationError({"refusal_reason": _("Give the reason for refusing the record.")})
    before = audit.snapshot(activity, fields={"status", "refusal_reason"})
    activity.status = Activity.Status.APPROVED if approve else Activity.Status.REFUSED
    activity.refusal_reason = "" if approve else reason.strip()[:200]
    activity.decided_by = actor if getattr(actor, "pk", None) else None
    activity.decided_at = timezone.now()
    activity.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    audit.record_update(actor, activity, before, verb=Event.ACTIVITY_DECIDED, centre_id=activity.centre_id)
    return activity
