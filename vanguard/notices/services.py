"""Use cases of notices. `notify` is what every app calls to tell people something.

    notify(actor, *, recipients, kind, title, body="", url="", urgency="normal", centre=None) -> list[Notice]

Recipients are `org.Person`, `org.Unit`, `org.Organization` (a branch), `org.ServiceCentre`
(its office) or `core.User` objects, mixed freely. Each becomes accounts:

- a Person: its own account (if it has one) and, for SMS, its own mobile;
- a Unit: the accounts holding the case-handler or home-unit-liaison role over that unit
  (the people who act for the unit); a unit with neither reaches its centre's office;
- an Organization: the accounts holding the secretary role over that organisation;
  one with none reaches its centre's office;
- a ServiceCentre: the accounts holding the party-building office role in that centre;
- a User: that account.

Everyone reached gets one Recipient row (deduplicated per account, or per person
without an account) in one bulk insert. One Notice per centre the recipients belong to
(`centre` forces one), so each centre's office sees its own notices. Returns the notices.

Urgent notices also go out by the recipient's preference (`Preference`, default SMS):
SMS as a messaging broadcast to the chosen people (urgent, so quiet hours do not hold it;
the broadcast engine sends each message once, retries the gateway's temporary failures and
lists the final ones on the broadcast's page), or a post to the configured work-group
robots (a task; retried by the schedule three times, the outcome shown on the notice).
Normal notices stay in the inbox.

`notify` trusts its caller: it is called by services that have already checked their own
permission (closing an evaluation, deciding an appeal...). It writes one audit row per notice."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.audit_events import Event
from vanguard.core.models import Grant, User
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.org.models import Organization, Person, ServiceCentre, Unit

from .models import Notice, Preference, Recipient, Urgency

log = logging.getLogger(__name__)

UNIT_ROLES = (Role.HANDLER, Role.LIAISON)
MAX_ROBOT_ATTEMPTS = 3
SMS_BODY_CHARS = 120


def _office_users(centre_ids):
    """{centre id: [user ids of its office]}."""
    found = {}
    for user_id, centre_id in Grant.objects.filter(role=Role.OFFICE, organization__centre_id__in=centre_ids,
                                                   user__is_active=True).values_list(
            "user_id", "organization__centre_id"):
        found.setdefault(centre_id, []).append(user_id)
    return found


def _resolve(recipients):
    """[(user id or None, person id or None, centre id or None, via label)], deduplicated."""
    people, units, orgs, centres, users = [], [], [], [], []
    for r in recipients:
        if isinstance(r, Person):
            people.append(r)
        elif isinstance(r, Unit):
            units.append(r)
        elif isinstance(r, Organization):
            orgs.append(r)
        elif isinstance(r, ServiceCentre):
            centres.append(r)
        elif isinstance(r, User):
            users.append(r)
        elif r is not None:
            raise TypeError(f"notify(): cannot address a notice to {type(r).__name__}")
    rows = []
    rows += [(p.user_id, p.pk, p.centre_id, p.name) for p in people]
    fallback = []  # (centre id, via) of units / organisations nobody acts for
    if units:
        by_unit = {}
        for user_id, unit_id in Grant.objects.filter(role__in=UNIT_ROLES, unit__in=units, user__is_active=True)\
                .values_list("user_id", "unit_id"):
            by_unit.setdefault(unit_id, []).append(user_id)
        for unit in units:
            rows += [(u, None, unit.centre_id, unit.name) for u in by_unit.get(unit.pk, [])]
            if unit.pk not in by_unit:
                fallback.append((unit.centre_id, unit.name))
    if orgs:
        by_org = {}
        for user_id, org_id in Grant.objects.filter(role=Role.SECRETARY, organization__in=orgs,
                                                    user__is_active=True).values_list("user_id", "organization_id"):
            by_org.setdefault(org_id, []).append(user_id)
        for org in orgs:
            rows += [(u, None, org.centre_id, org.name) for u in by_org.get(org.pk, [])]
            if org.pk not in by_org:
                fallback.append((org.centre_id, org.name))
    wanted_offices = {c.pk for c in centres} | {c for c, _via in fallback}
    offices = _office_users(wanted_offices) if wanted_offices else {}
    office_label = _("party-building office")
    for centre in centres:
        rows += [(u, None, centre.pk, centre.office_name or office_label) for u in offices.get(centre.pk, [])]
    for centre_id, via in fallback:
        rows += [(u, None, centre_id, f"{via} → {office_label}") for u in offices.get(centre_id, [])]
    rows += [(u.pk, None, None, getattr(getattr(u, "person", None), "name", None) or u.username)
             for u in users if getattr(u, "pk", None)]
    # Accounts' people (for SMS and for the centre of an account addressed directly).
    user_ids = {r[0] for r in rows if r[0] and r[1] is None}
    person_of = dict(Person.objects.filter(user_id__in=user_ids).values_list("user_id", "pk")) if user_ids else {}
    centre_of_person = {}
    if person_of:
        centre_of_person = dict(Person.objects.filter(pk__in=person_of.values()).values_list("pk", "centre_id"))
    seen_users, seen_people, out = set(), set(), []
    for user_id, person_id, centre_id, via in rows:
        person_id = person_id or person_of.get(user_id)
        if user_id and user_id in seen_users or (not user_id and person_id in seen_people):
            continue
        if user_id:
            seen_users.add(user_id)
        if person_id:
            seen_people.add(person_id)
        out.append((user_id, person_id, centre_id or centre_of_person.get(person_id), via))
    return out


def _sms_text(notice):
    body = (notice.body or "").strip()
    if len(body) > SMS_BODY_CHARS:
        body = body[:SMS_BODY_CHARS - 1] + "…"
    text = notice.title + (f"：{body}" if body else "")
    text += _("(Please see the notice in the system.)")
    limit = settings.SMS["MAX_CHARS"] - len(settings.SMS["SIGN"]) - 2
    return text[:limit]


@transaction.atomic
def notify(actor, *, recipients, kind, title, body="", url="", urgency=Urgency.NORMAL, centre=None):
    """Put a notice in every recipient's inbox (and, when urgent, out by SMS or robot). See the module."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A notice needs a title.")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Urgency is “normal” or “urgent”.")})
    resolved = _resolve(recipients if isinstance(recipients, list | tuple | set) else [recipients])
    if not resolved:
        return []
    groups = {}
    for row in resolved:
        groups.setdefault(centre.pk if centre is not None else row[2], []).append(row)
    created_by = actor if getattr(actor, "pk", None) else None
    notices = []
    for centre_id, rows in groups.items():
        notice = Notice.objects.create(centre_id=centre_id, kind=kind, title=title[:200], body=body or "",
                                       url=url or "", urgency=urgency, created_by=created_by)
        recipients_ = [Recipient(notice=notice, user_id=u, person_id=p, via=(via or "")[:120])
                       for u, p, _c, via in rows]
        if urgency == Urgency.URGENT:
            _deliver_urgent(actor, notice, recipients_)
        Recipient.objects.bulk_create(recipients_)
        audit.record(actor, audit.Action.CREATE, notice, verb=Event.NOTICE_SENT, centre_id=centre_id, changes={
            "title": [None, notice.title], "kind": [None, kind], "urgency": [None, urgency],
            "recipients": [None, len(recipients_)], "sms": [None, sum(r.sms == Recipient.Sms.QUEUED
                                                                     for r in recipients_)]})
        notices.append(notice)
    return notices


def _channels(user_ids):
    chosen = dict(Preference.objects.filter(user_id__in=user_ids).values_list("user_id", "channel"))
    return lambda user_id: chosen.get(user_id, Preference.Channel.SMS) if user_id else Preference.Channel.SMS


def _deliver_urgent(actor, notice, recipients):
    """Set each recipient's SMS state, queue one SMS broadcast per centre, mark the robot post."""
    from vanguard.messaging.audience import MOBILE_REGEX, compose
    from vanguard.messaging.channels import backend_name
    from vanguard.messaging.models import Audience, Broadcast

    channel_of = _channels([r.user_id for r in recipients if r.user_id])
    by_sms = [r for r in recipients if channel_of(r.user_id) == Preference.Channel.SMS]
    wants_robot = any(channel_of(r.user_id) == Preference.Channel.ROBOT for r in recipients)
    person_ids = [r.person_id for r in by_sms if r.person_id]
    mobiles = dict(Person.objects.filter(pk__in=person_ids, is_active=True, mobile__regex=MOBILE_REGEX)
                   .values_list("pk", "centre_id")) if person_ids else {}
    per_centre = {}
    for r in by_sms:
        if r.person_id in mobiles:
            r.sms = Recipient.Sms.QUEUED
            per_centre.setdefault(mobiles[r.person_id], []).append(r.person_id)
        else:
            r.sms = Recipient.Sms.NO_MOBILE
    text = compose(_sms_text(notice))
    broadcasts = []
    for centre_id, ids in per_centre.items():
        broadcast = Broadcast.objects.create(
            centre_id=centre_id, title=(_("Notice: %(title)s") % {"title": notice.title})[:100], text=text,
            audience=Audience.PEOPLE, person_ids=sorted(set(ids)), send_at=timezone.now(), urgent=True,
            channel=backend_name(), created_by=actor if getattr(actor, "pk", None) else None)
        broadcasts.append(broadcast.pk)
    if broadcasts:
        from vanguard.messaging.tasks import dispatch

        transaction.on_commit(lambda: dispatch.enqueue())
    notice.broadcasts = broadcasts
    if wants_robot and settings.SMS["ROBOTS"]:
        notice.robot_state = Notice.RobotState.PENDING
        from .tasks import post_robots

        transaction.on_commit(lambda: post_robots.enqueue())
    notice.save(update_fields=["broadcasts", "robot_state"])


def post_pending_robots(limit=50):
    """Post pending (or failed, fewer than MAX_ROBOT_ATTEMPTS times) notices to the work groups.
    A notice is claimed by a conditional UPDATE first, so two workers never post it twice."""
    from vanguard.messaging.audience import compose
    from vanguard.messaging.channels.robots import post_to_groups

    due = list(Notice.objects.filter(Q(robot_state=Notice.RobotState.PENDING) | Q(
        robot_state=Notice.RobotState.FAILED, robot_attempts__lt=MAX_ROBOT_ATTEMPTS)).order_by("pk")
        .values_list("pk", "robot_attempts")[:limit])
    posted = 0
    for pk, attempts in due:
        won = Notice.objects.filter(pk=pk, robot_attempts=attempts).exclude(
            robot_state=Notice.RobotState.SENT).update(robot_attempts=attempts + 1)
        if not won:
            continue
        notice = Notice.objects.get(pk=pk)
        results = post_to_groups(compose(_sms_text(notice)))
        failed = [f"{kind}: {error}" for kind, ok, error in results if not ok]
        state = Notice.RobotState.FAILED if failed or not results else Notice.RobotState.SENT
        Notice.objects.filter(pk=pk).update(robot_state=state, robot_error="; ".join(failed)[:300])
        posted += state == Notice.RobotState.SENT
    return posted


@transaction.atomic
def mark_read(actor, recipients=None):
    """Mark the actor's own notices read (all unread ones, or the given Recipient rows/ids)."""
    qs = Recipient.objects.filter(user_id=getattr(actor, "pk", None), read_at__isnull=True)
    if recipients is not None:
        qs = qs.filter(pk__in=[getattr(r, "pk", r) for r in recipients])
    return qs.update(read_at=timezone.now())


@transaction.atomic
def set_preference(actor, channel):
    if channel not in Preference.Channel.values:
        raise ValidationError({"channel": _("Choose how urgent notices should reach you.")})
    require(getattr(actor, "pk", None) is not None)
    pref, _created = Preference.objects.get_or_create(user=actor)
    before = audit.snapshot(pref)
    pref.channel = channel
    pref.save()
    audit.record_update(actor, pref, before, verb=Event.NOTICE_PREFERENCE)
    return pref


def can_follow_up(user, notice):
    """The office of the notice's centre sees who has not read it."""
    return notice.centre_id is not None and is_office_of(user, notice.centre_id)
