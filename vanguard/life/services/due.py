"""Due and overdue meetings, the quarterly completion board (红黑榜) and the secretaries' reminders."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.org.models import Organization

from ..models import (
    Meeting,
    MeetingKind,
)
from .meetings import cadence_for

# Due and overdue ------------------------------------------------------------------------------------


def period_of(day, months):
    """(first day, last day) of the `months`-long period (aligned on the year) holding `day`."""
    start_month = (day.month - 1) // months * months + 1
    first = datetime.date(day.year, start_month, 1)
    end_month = start_month + months
    last = (datetime.date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - datetime.timedelta(days=1))
    return first, last


def branches_of(centre):
    return Organization.objects.filter(centre=centre, kind__in=[Organization.Kind.BRANCH,
                                                                Organization.Kind.GENERAL_BRANCH])


def held_counts(centre, first_day, last_day, organizations=None):
    """{(organization id, kind): meetings held} in the range: one query."""
    rows = Meeting.objects.filter(centre=centre, status=Meeting.Status.HELD, date__gte=first_day,
                                  date__lte=last_day)
    if organizations is not None:
        rows = rows.filter(organization__in=organizations)
    from django.db.models import Count

    return {(r["organization_id"], r["kind"]): r["n"]
            for r in rows.values("organization_id", "kind").annotate(n=Count("pk")).order_by()}


def overdue(centre, today=None, branches=None):
    """[(branch, kind, (first, last) of the last whole period missed)] for the periods just ended:
    a branch that held no meeting of a required kind in its last complete period."""
    today = today or timezone.localdate()
    cadence = cadence_for(centre)
    branches = list(branches if branches is not None else branches_of(centre))
    result = []
    periods = {}
    for kind, months in cadence.items():
        if months:
            current_first, _last = period_of(today, months)
            periods[kind] = period_of(current_first - datetime.timedelta(days=1), months)
    if not periods:
        return result
    first = min(p[0] for p in periods.values())
    last = max(p[1] for p in periods.values())
    rows = Meeting.objects.filter(centre=centre, status=Meeting.Status.HELD, date__gte=first, date__lte=last,
                                  organization__in=branches).values_list("organization_id", "kind", "date")
    held = {}
    for org_id, kind, day in rows:
        held.setdefault((org_id, kind), []).append(day)
    for branch in branches:
        for kind, (p_first, p_last) in periods.items():
            if not any(p_first <= d <= p_last for d in held.get((branch.pk, kind), [])):
                result.append((branch, kind, (p_first, p_last)))
    return result


def due_soon(centre, today=None, within_days=7, branches=None):
    """[(branch, kind, last day)] of required kinds whose current period ends within `within_days`
    with no meeting of that kind held in it yet."""
    today = today or timezone.localdate()
    branches = list(branches if branches is not None else branches_of(centre))
    result = []
    cadence = {k: m for k, m in cadence_for(centre).items() if m}
    periods = {kind: period_of(today, months) for kind, months in cadence.items()}
    periods = {k: p for k, p in periods.items() if (p[1] - today).days <= within_days}
    if not periods:
        return result
    first = min(p[0] for p in periods.values())
    rows = Meeting.objects.filter(centre=centre, status=Meeting.Status.HELD, date__gte=first, date__lte=today,
                                  organization__in=branches).values_list("organization_id", "kind", "date")
    held = {}
    for org_id, kind, day in rows:
        held.setdefault((org_id, kind), []).append(day)
    for branch in branches:
        for kind, (p_first, p_last) in periods.items():
            if not any(p_first <= d for d in held.get((branch.pk, kind), [])):
                result.append((branch, kind, p_last))
    return result


def completion_board(centre, year, quarter, branches=None):
    """The quarterly 红黑榜: per branch, per required kind, meetings required and held in the
    quarter. A yearly kind is required in the fourth quarter (or earlier, if held)."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    _f, last = period_of(first, 3)
    cadence = {k: m for k, m in cadence_for(centre).items() if m}
    branches = list(branches if branches is not None else branches_of(centre).order_by("path"))
    held_quarter = held_counts(centre, first, last, branches)
    longer = {}
    for months in {m for m in cadence.values() if m > 3}:
        period_first, period_last = period_of(first, months)
        if period_last <= last:
            longer[months] = held_counts(centre, period_first, period_last, branches)
    board = []
    for branch in branches:
        lines, complete = [], True
        for kind, months in cadence.items():
            if months <= 3:
                required = 3 // months
                held = held_quarter.get((branch.pk, kind), 0)
            else:
                # A half-yearly or yearly kind: due by the end of its period.
                required = 1 if months in longer else 0
                held = longer[months].get((branch.pk, kind), 0) if required else 0
            met = held >= required
            complete &= met
            lines.append({"kind": kind, "label": MeetingKind(kind).label, "required": required, "held": held,
                          "met": met})
        board.append({"branch": branch, "lines": lines, "complete": complete})
    return board


def branch_filter_q(organizations, lookup="organization"):
    q = Q(pk__in=[])
    for org in organizations:
        q |= Q(**{f"{lookup}__path__startswith": org.path})
    return q


# Reminders ------------------------------------------------------------------------------------------

REMIND_DAYS = getattr(settings, "LIFE_REMIND_DAYS", 7)


def send_due_reminders(actor=None, today=None, within_days=REMIND_DAYS):
    """Tell each branch's secretary (their notice inbox) which required meeting kinds fall due within
    `within_days` with none held yet; each (branch, kind, period) once, however often this runs."""
    from vanguard.core.system import SYSTEM
    from vanguard.notices.services import notify

    from ..models import MeetingReminder

    actor = actor or SYSTEM
    today = today or timezone.localdate()
    sent = 0
    labels = dict(MeetingKind.choices)
    centres = Organization.objects.filter(kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]) \
        .values_list("centre", flat=True).distinct()
    from vanguard.org.models import ServiceCentre

    for centre in ServiceCentre.objects.filter(pk__in=list(centres)):
        due = due_soon(centre, today, within_days)
        if not due:
            continue
        with transaction.atomic():
            existing = set(MeetingReminder.objects.filter(
                organization__in={b for b, _k, _d in due}, due_on__in={d for _b, _k, d in due})
                .values_list("organization_id", "kind", "due_on"))
            fresh = [(b, k, d) for b, k, d in due if (b.pk, k, d) not in existing]
            if not fresh:
                continue
            MeetingReminder.objects.bulk_create([MeetingReminder(organization=b, kind=k, due_on=d) for b, k, d in fresh],
                                                ignore_conflicts=True)
            by_branch = {}
            for branch, kind, day in fresh:
                by_branch.setdefault(branch, []).append((kind, day))
            for branch, kinds in by_branch.items():
                text = "；".join(_("%(kind)s by %(date)s") % {"kind": labels[k], "date": d.isoformat()} for k, d in kinds)
                notify(actor, recipients=[branch], kind="meeting", centre=centre,
                       title=_("%(branch)s: meetings falling due") % {"branch": branch.name},
                       body=_("No meeting held yet: %(list)s.") % {"list": text},
                       url=reverse("life:meeting-create"))
                audit.record(actor, audit.Action.ACTION, branch, {"kinds": [None, [k for k, _d in kinds]]},
                             verb=Event.MEETING_REMINDER, centre_id=centre.pk)
                sent += 1
    return sent
