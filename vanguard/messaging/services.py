"""Use cases of lessons, columns and broadcasts. Documents and booklets are in
`services_docs.py`. Each takes the acting user, runs in one transaction and
writes the audit trail."""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.org.phones import normalise_mobile

from .audience import compose, people, preview, reachable
from .channels import backend_name
from .models import Audience, Broadcast, Column, Lesson, Message

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAX_SERIES_WEEKS = 52


is_office = is_office_of


def require_office(user, centre_id):
    require(is_office(user, centre_id), _("Only the party-building office may send study messages."))


def default_send_at(now=None):
    """The coming Monday at 08:00 Asia/Shanghai (today, if it is Monday before 8)."""
    local = (now or timezone.now()).astimezone(SHANGHAI)
    days = (7 - local.weekday()) % 7
    candidate = datetime.datetime.combine(local.date() + datetime.timedelta(days=days), datetime.time(8, 0),
                                          tzinfo=SHANGHAI)
    if candidate <= local:
        candidate += datetime.timedelta(days=7)
    return candidate


def _check_audience(centre, audience, branch, unit, floor, person_ids=None):
    errors = {}
    if audience == Audience.BRANCH and not branch:
        errors["branch"] = _("Choose the branch.")
    if audience == Audience.UNIT and not unit:
        errors["unit"] = _("Choose the unit.")
    if audience == Audience.FLOOR and not floor:
        errors["floor"] = _("Choose the floor.")
    for field, obj in (("branch", branch), ("unit", unit), ("floor", floor)):
        if obj is not None and obj.centre_id != centre.pk:
            errors[field] = _("It belongs to another service centre.")
    if errors:
        raise ValidationError(errors)
    qs = people(centre, audience, branch, unit, floor, person_ids)
    if not qs.exists():
        raise ValidationError({"audience": _("Nobody is in this audience: choose another one.")})
    if not reachable(qs).exists():
        raise ValidationError({"audience": _("Nobody in this audience has a mobile number on record.")})


def _check_text(sms_text, link_code):
    if not (sms_text or "").strip():
        raise ValidationError({"sms_text": _("Write the SMS text.")})
    shown = preview(sms_text, link_code=link_code)
    if shown["too_long"]:
        raise ValidationError({"sms_text": _(
            "The SMS is %(chars)d characters long with the sign and link; the gateway accepts at most "
            "%(limit)d. Shorten it or move the rest to the web version.") % shown})
    return shown


def _check_send_at(send_at, now=None):
    if send_at is None:
        return default_send_at(now)
    if timezone.is_naive(send_at):
        send_at = send_at.replace(tzinfo=SHANGHAI)
    if send_at < (now or timezone.now()) - datetime.timedelta(minutes=1):
        raise ValidationError({"send_at": _("The send time is in the past.")})
    return send_at


# Lessons and columns ---------------------------------------------------------------------------


@transaction.atomic
def create_column(actor, centre, *, name, description=""):
    require_office(actor, centre.pk)
    column = Column(centre=centre, name=name, description=description)
    column.full_clean()
    column.save()
    audit.record_create(actor, column)
    return column


@transaction.atomic
def create_lesson(actor, centre, *, title, sms_text, category="", column=None, web_body="",
                  audience=Audience.ALL, branch=None, unit=None, floor=None, send_at=None,
                  repeat_weekly=False, series_weeks=1, urgent=False, now=None):
    """A lesson (or a column's story) and its broadcast(s): one per week of a series."""
    require_office(actor, centre.pk)
    if not category and column is None:
        raise ValidationError({"category": _("Choose a category or a story column.")})
    if column is not None and column.centre_id != centre.pk:
        raise ValidationError({"column": _("It belongs to another service centre.")})
    weeks = series_weeks if repeat_weekly else 1
    if not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise ValidationError({"series_weeks": _("A series lasts 1 to 52 weeks.")})
    send_at = _check_send_at(send_at, now)
    lesson = Lesson(centre=centre, title=title, sms_text=sms_text.strip(), category=category, column=column,
                    web_body=web_body, audience=audience, branch=branch if audience == Audience.BRANCH else None,
                    unit=unit if audience == Audience.UNIT else None,
                    floor=floor if audience == Audience.FLOOR else None, send_at=send_at,
                    repeat_weekly=repeat_weekly, series_weeks=weeks, urgent=urgent, created_by=actor)
    lesson.full_clean()
    _check_text(lesson.sms_text, lesson.code if web_body.strip() else None)
    _check_audience(centre, audience, lesson.branch, lesson.unit, lesson.floor)
    lesson.save()
    audit.record_create(actor, lesson)
    text = compose(lesson.sms_text, link_code=lesson.code if lesson.web_body.strip() else None)
    Broadcast.objects.bulk_create([
        Broadcast(centre=centre, lesson=lesson, title=lesson.title, text=text, audience=audience,
                  branch=lesson.branch, unit=lesson.unit, floor=lesson.floor,
                  send_at=send_at + datetime.timedelta(weeks=week), urgent=urgent, channel=backend_name(),
                  created_by=actor)
        for week in range(weeks)])
    return lesson


@transaction.atomic
def update_lesson(actor, lesson, **changes):
    """Edit a lesson while none of its broadcasts has started; the scheduled ones follow."""
    require_office(actor, lesson.centre_id)
    if lesson.broadcasts.exclude(state__in=[Broadcast.State.SCHEDULED, Broadcast.State.CANCELLED]).exists():
        raise ValidationError(_("This lesson has already been sent; write a new one instead."))
    before = audit.snapshot(lesson)
    for field, value in changes.items():
        setattr(lesson, field, value)
    if "send_at" in changes:
        lesson.send_at = _check_send_at(lesson.send_at)
    lesson.full_clean()
    _check_text(lesson.sms_text, lesson.code if lesson.web_body.strip() else None)
    _check_audience(lesson.centre, lesson.audience, lesson.branch, lesson.unit, lesson.floor)
    lesson.save()
    audit.record_update(actor, lesson, before)
    text = compose(lesson.sms_text, link_code=lesson.code if lesson.web_body.strip() else None)
    for week, broadcast in enumerate(lesson.broadcasts.filter(state=Broadcast.State.SCHEDULED).order_by("send_at")):
        Broadcast.objects.filter(pk=broadcast.pk).update(
            title=lesson.title, text=text, audience=lesson.audience, branch=lesson.branch, unit=lesson.unit,
            floor=lesson.floor, urgent=lesson.urgent, send_at=lesson.send_at + datetime.timedelta(weeks=week))
    return lesson


@transaction.atomic
def cancel_lesson(actor, lesson):
    require_office(actor, lesson.centre_id)
    for broadcast in lesson.broadcasts.filter(state__in=[Broadcast.State.SCHEDULED, Broadcast.State.SENDING,
                                                         Broadcast.State.PAUSED]):
        cancel_broadcast(actor, broadcast)
    lesson.status = Lesson.Status.CANCELLED
    lesson.save(update_fields=["status"])
    audit.record(actor, audit.Action.ACTION, lesson, verb="cancel")
    return lesson


@transaction.atomic
def send_test(actor, lesson, mobile):
    """Send the lesson now to one phone (e.g. the office's own) to see it as received."""
    require_office(actor, lesson.centre_id)
    try:
        mobile = normalise_mobile(mobile)
    except ValidationError as e:
        raise ValidationError({"mobile": e.messages}) from e
    broadcast = Broadcast.objects.create(
        centre=lesson.centre, lesson=None, title=_("Test: %(title)s") % {"title": lesson.title},
        text=compose(lesson.sms_text, link_code=lesson.code if lesson.web_body.strip() else None),
        audience=Audience.PEOPLE, send_at=timezone.now(), urgent=True, state=Broadcast.State.SENDING,
        resolved_at=timezone.now(), total=1, channel=backend_name(), created_by=actor)
    Message.objects.create(broadcast=broadcast, mobile=mobile, next_attempt_at=timezone.now())
    audit.record(actor, audit.Action.ACTION, lesson, verb="send test", changes={"mobile": [None, mobile]})
    _kick()
    return broadcast


# Broadcasts ------------------------------------------------------------------------------------------


@transaction.atomic
def create_broadcast(actor, centre, *, title, text, audience=Audience.ALL, branch=None, unit=None, floor=None,
                     person_ids=None, send_at=None, urgent=False):
    """A notice sent as it is (no lesson): now, unless a time is given."""
    require_office(actor, centre.pk)
    shown = _check_text(text, None)
    send_at = timezone.now() if send_at is None else _check_send_at(send_at)
    _check_audience(centre, audience, branch, unit, floor, person_ids)
    broadcast = Broadcast(centre=centre, title=title, text=shown["text"], audience=audience, branch=branch, unit=unit,
                          floor=floor, person_ids=list(person_ids or []), send_at=send_at, urgent=urgent,
                          channel=backend_name(), created_by=actor)
    broadcast.full_clean()
    broadcast.save()
    audit.record_create(actor, broadcast)
    if send_at <= timezone.now():
        _kick()
    return broadcast


def _kick():
    """Start sending soon instead of at the next minute's tick."""
    from .tasks import dispatch

    transaction.on_commit(lambda: dispatch.enqueue())


def _set_state(actor, broadcast, allowed, state, verb):
    require_office(actor, broadcast.centre_id)
    won = Broadcast.objects.filter(pk=broadcast.pk, state__in=allowed).update(state=state)
    if not won:
        raise ValidationError(_("This broadcast is %(state)s; that cannot be done now.")
                              % {"state": broadcast.get_state_display()})
    broadcast.state = state
    audit.record(actor, audit.Action.ACTION, broadcast, verb=verb)
    return broadcast


@transaction.atomic
def pause_broadcast(actor, broadcast):
    return _set_state(actor, broadcast, [Broadcast.State.SENDING, Broadcast.State.SCHEDULED],
                      Broadcast.State.PAUSED, "pause")


@transaction.atomic
def resume_broadcast(actor, broadcast):
    state = Broadcast.State.SENDING if broadcast.resolved_at else Broadcast.State.SCHEDULED
    result = _set_state(actor, broadcast, [Broadcast.State.PAUSED], state, "resume")
    _kick()
    return result


@transaction.atomic
def cancel_broadcast(actor, broadcast):
    """Stop it: messages not yet handed over are cancelled (those being handed over finish).
    `broadcast.cancelled_messages` says how many, for the office's feedback."""
    _set_state(actor, broadcast, [Broadcast.State.SCHEDULED, Broadcast.State.SENDING, Broadcast.State.PAUSED],
               Broadcast.State.CANCELLED, "cancel")
    broadcast.cancelled_messages = Message.objects.filter(
        broadcast=broadcast, state__in=CANCELLABLE).update(state=Message.State.CANCELLED)
    Broadcast.objects.filter(pk=broadcast.pk).update(finished_at=timezone.now())
    return broadcast


CANCELLABLE = [Message.State.QUEUED, Message.State.RETRY]


def preview_cancel(broadcast):
    """What cancelling would stop: messages not yet handed over, and those already sent."""
    counts = dict(Message.objects.filter(broadcast=broadcast).values_list("state").annotate(n=Count("pk"))
                  .values_list("state", "n"))
    return {"stopped": sum(counts.get(s, 0) for s in CANCELLABLE),
            "sent": counts.get(Message.State.SENT, 0) + counts.get(Message.State.DELIVERED, 0)}


@transaction.atomic
def resend_failed(actor, broadcast):
    """Queue the failed messages again (a new, deliberate attempt each). Unknown
    ones are left alone: they may have arrived."""
    require_office(actor, broadcast.centre_id)
    if broadcast.state == Broadcast.State.CANCELLED:
        raise ValidationError(_("This broadcast was cancelled."))
    count = Message.objects.filter(broadcast=broadcast, state=Message.State.FAILED).update(
        state=Message.State.QUEUED, next_attempt_at=timezone.now(), error="")
    if not count:
        raise ValidationError(_("There are no failed messages to re-send."))
    Broadcast.objects.filter(pk=broadcast.pk).update(state=Broadcast.State.SENDING, finished_at=None)
    broadcast.state = Broadcast.State.SENDING
    audit.record(actor, audit.Action.ACTION, broadcast, verb="resend failed", changes={"messages": [None, count]})
    _kick()
    return count


def post_to_work_groups(actor, broadcast):
    """Post the broadcast's text to the configured DingTalk / WeCom work groups."""
    from .channels.robots import post_to_groups

    require_office(actor, broadcast.centre_id)
    results = post_to_groups(broadcast.text)
    if not results:
        raise ValidationError(_("No work-group robot is configured."))
    failed = [f"{kind}: {error}" for kind, ok, error in results if not ok]
    audit.record(actor, audit.Action.ACTION, broadcast, verb="post to work groups",
                 changes={"robots": [None, len(results)], "failed": [None, failed]})
    if failed:
        raise ValidationError(_("Posting to a work group failed: %(errors)s") % {"errors": "; ".join(failed)})
    return len(results)
