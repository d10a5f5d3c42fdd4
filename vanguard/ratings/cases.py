"""Bad-review rectification (差评整改): verify within 1 working day, rectify
within the centre's N working days, call back, close; a unit may ask the office
to set a mistaken or malicious review aside. Overdue is recorded once, by the
periodic job, at the moment it happens, and escalated to the office.

A "still dissatisfied" call-back is not an end: the case goes back for another
round (重办) with a new working-day deadline. It closes only on a satisfied
call-back, or by the office's decision with a reason. Each step is a CaseStep
row: the case page shows that timeline."""

import secrets
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.system import SYSTEM
from vanguard.core.upload_checks import EXTENSIONS, check_upload
from vanguard.core.workdays import WorkingCalendar
from vanguard.org.models import ServiceCentre

from .models import REASONS, CaseStep, Notice, RectificationCase
from .permissions import is_handler, is_office

State = RectificationCase.State
Callback = RectificationCase.Callback
Step = CaseStep.Action
VERIFY_DAYS = 1
# A call-back with one of these results lets the handler close the case.
CLOSING_CALLBACKS = (Callback.SATISFIED, Callback.BASIC)
# Evidence for a set-aside request: a scan, a photo or screenshot, a written statement.
EVIDENCE_KINDS = ("pdf", "jpeg", "png", "docx")


def deadlines(opened_on, rectification_days, calendar=None):
    calendar = calendar or WorkingCalendar()
    return (calendar.add_working_days(opened_on, VERIFY_DAYS),
            calendar.add_working_days(opened_on, rectification_days))


_CALENDAR = {"at": 0.0, "calendar": None}
CALENDAR_SECONDS = 60


def shared_calendar():
    """One working-day calendar per process, reloaded every minute: opening a case on
    the hot rating path then costs no calendar queries."""
    now = time.monotonic()
    if _CALENDAR["calendar"] is None or now - _CALENDAR["at"] > CALENDAR_SECONDS:
        _CALENDAR["calendar"], _CALENDAR["at"] = WorkingCalendar(), now
    return _CALENDAR["calendar"]


def _new_case(rating, calendar, days=None):
    opened_on = timezone.localdate(rating.rated_at)
    if days is None:
        days = ServiceCentre.objects.filter(pk=rating.centre_id).values_list("rectification_days", flat=True).first() \
            if "centre" not in rating._state.fields_cache else rating.centre.rectification_days
    verify_due, rectify_due = deadlines(opened_on, days, calendar)
    return RectificationCase(rating=rating, centre_id=rating.centre_id, unit_id=rating.unit_id,
                             person_id=rating.person_id, opened_on=opened_on, verify_due=verify_due,
                             rectify_due=rectify_due)


def open_case(rating, calendar=None):
    case = _new_case(rating, calendar or shared_calendar())
    case.save()
    audit.record_create(SYSTEM, case, verb="open-case", centre_id=rating.centre_id)
    return case


def open_cases(ratings, days=None):
    """Cases for a batch of bad reviews: one insert, one audit row naming them.
    `days`: {centre id: rectification days}, when the caller has read them already."""
    if not ratings:
        return []
    calendar = shared_calendar()
    if days is None:
        days = dict(ServiceCentre.objects.filter(pk__in={r.centre_id for r in ratings}).values_list(
            "pk", "rectification_days"))  # one query for the batch, not one per case
    made = RectificationCase.objects.bulk_create([_new_case(r, calendar, days[r.centre_id]) for r in ratings])
    audit.record(SYSTEM, audit.Action.CREATE, made[0], {"cases": [None, [c.pk for c in made]]}, verb="open-cases",
                 centre_id=made[0].centre_id)
    return made


def _locked(case):
    return RectificationCase.objects.select_for_update().select_related("rating", "centre").get(pk=case.pk)


def _require_handler(actor, case):
    require(is_handler(actor, case.unit_id), _("Only the unit's case handlers may work on this case."))


def _log(actor, case, action, note=""):
    CaseStep.objects.create(case=case, round=case.round, action=action, note=note or "", at=timezone.now(),
                            actor=actor if getattr(actor, "pk", None) else None,
                            actor_name=getattr(actor, "username", "") or "system")


def _step(actor, case, expected, verb, step=None, note="", **changes):
    case = _locked(case)
    if case.state not in expected:
        raise ValidationError({"state": _("This case is “%(state)s”; this step is not possible now.") % {
            "state": case.get_state_display()}})
    before = audit.snapshot(case)
    for name, value in changes.items():
        setattr(case, name, value)
    case.save()
    audit.record_update(actor, case, before, verb=verb)
    if step:
        _log(actor, case, step, note)
    return case


def _text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@transaction.atomic
def verify_case(actor, case, *, verification):
    _require_handler(actor, case)
    text = _text(verification, "verification", _("Say what the verification found."))
    return _step(actor, case, [State.VERIFYING], "verify", Step.VERIFY, text, verification=text,
                 verified_at=timezone.now(), state=State.RECTIFYING)


# A bad review's reason that says which of the post's four signboard pledges was broken.
REASON_PLEDGES = {"slow": "time", "many_trips": "work", "unclear": "quality", "rude": "attitude"}


@transaction.atomic
def rectify_case(actor, case, *, rectification):
    _require_handler(actor, case)
    text = _text(rectification, "rectification", _("Say what was rectified."))
    case = _step(actor, case, [State.RECTIFYING], "rectify", Step.RECTIFY, text, rectification=text,
                 rectified_at=timezone.now(), state=State.CALLING_BACK)
    _record_broken_pledges(actor, case, text)
    return case


def _record_broken_pledges(actor, case, rectification):
    """A bad review rectified for a reason that names a signboard pledge: the post's pledge is
    recorded as broken (once per case and pledge, whatever the number of rounds)."""
    rating = case.rating
    codes = sorted({REASON_PLEDGES[r] for r in rating.reasons or [] if r in REASON_PLEDGES})
    if not rating.post_id or not codes:
        return
    from vanguard.pledges.services import record_post_pledge_breach
    from vanguard.posts.models import VanguardPost

    post = VanguardPost.objects.get(pk=rating.post_id)
    labels = dict(REASONS)
    for code in codes:
        reasons = "、".join(str(labels[r]) for r in rating.reasons if REASON_PLEDGES.get(r) == code)
        record_post_pledge_breach(actor, post, code, "rating",
                                  _("Bad review (%(reasons)s) rectified: %(what)s") % {
                                      "reasons": reasons, "what": rectification},
                                  ref=rating.transaction.number)


@transaction.atomic
def call_back(actor, case, *, result, note=""):
    """Record the call-back. "Still dissatisfied" sends the case back for another round
    of rectification (重办) with a new deadline of the centre's working days from today."""
    _require_handler(actor, case)
    if result not in Callback.values:
        raise ValidationError({"callback_result": _("Choose the result of the call-back.")})
    note = (note or "").strip()
    now = timezone.now()
    case = _step(actor, case, [State.CALLING_BACK], "call-back", Step.CALL_BACK,
                 f"{Callback(result).label}{'：' + note if note else ''}", callback_result=result,
                 callback_note=note, called_back_at=now)
    if result == Callback.DISSATISFIED:
        case = _redo(actor, case, now)
    return case


def _redo(actor, case, now):
    today = timezone.localdate(now)
    due = shared_calendar().add_working_days(today, case.centre.rectification_days)
    before = audit.snapshot(case)
    case.round += 1
    case.state, case.rectify_due = State.RECTIFYING, due
    # The new round starts empty; the earlier rounds stay in the timeline.
    case.rectification, case.rectified_at, case.called_back_at = "", None, None
    case.save()
    audit.record_update(actor, case, before, verb="redo")
    _log(actor, case, Step.REDO, _("Round %(round)s: rectify by %(due)s.") % {
        "round": case.round, "due": due.isoformat()})
    return case


@transaction.atomic
def close_case(actor, case):
    _require_handler(actor, case)
    locked = _locked(case)
    if not locked.called_back_at:
        raise ValidationError({"state": _("Call the rater back and record the result before closing.")})
    if locked.callback_result not in CLOSING_CALLBACKS:
        raise ValidationError({"state": _(
            "The rater was not satisfied (or not reached): the case cannot be closed by the unit. Call back "
            "again, or ask the office to decide.")})
    return _step(actor, locked, [State.CALLING_BACK], "close", Step.CLOSE, closed_at=timezone.now(),
                 state=State.CLOSED)


@transaction.atomic
def close_by_office(actor, case, *, reason):
    """The office ends an open case by its own decision (e.g. the rater cannot be reached
    or asks for what the law does not allow), with a written reason."""
    require(is_office(actor, case.centre_id), _("Only the party-building office may close a case by decision."))
    text = _text(reason, "decision_note", _("Give the reason for closing the case."))
    now = timezone.now()
    return _step(actor, case, [State.VERIFYING, State.RECTIFYING, State.CALLING_BACK], "office-close",
                 Step.OFFICE_CLOSE, text, state=State.CLOSED, closed_at=now, decision="closed", decision_note=text,
                 decided_at=now, decided_by=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def request_set_aside(actor, case, *, reason, evidence=None):
    _require_handler(actor, case)
    text = _text(reason, "set_aside_reason", _("Say why the review is mistaken or malicious."))
    if evidence:
        # Checked like every kept upload: the kind by its bytes, the size; stored under a random name.
        kind = check_upload(evidence, kinds=EVIDENCE_KINDS, field="set_aside_evidence")
        evidence.name = f"{secrets.token_hex(16)}{EXTENSIONS[kind]}"
    changes = {"set_aside_reason": text, "state_before_request": case.state, "state": State.SET_ASIDE_REQUESTED,
               "decision": "", "decision_note": ""}
    case = _step(actor, case, [State.VERIFYING, State.RECTIFYING], "request-set-aside", Step.REQUEST, text,
                 **changes)
    if evidence:
        case.set_aside_evidence.save(evidence.name, evidence, save=True)
    return case


@transaction.atomic
def decide_set_aside(actor, case, *, approve, note=""):
    require(is_office(actor, case.centre_id), _("Only the party-building office decides set-aside requests."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"decision_note": _("Say why the request is refused.")})
    locked = _locked(case)
    if locked.state != State.SET_ASIDE_REQUESTED:
        raise ValidationError({"state": _("There is no set-aside request to decide.")})
    changes = {"decision": "approved" if approve else "refused", "decision_note": note, "decided_at": timezone.now(),
               "decided_by": actor if getattr(actor, "pk", None) else None,
               "state": State.SET_ASIDE if approve else locked.state_before_request}
    if approve:
        changes["closed_at"] = timezone.now()
    case = _step(actor, locked, [State.SET_ASIDE_REQUESTED], "decide-set-aside",
                 Step.APPROVE if approve else Step.REFUSE, note, **changes)
    if approve:
        from .services import set_aside_rating

        set_aside_rating(actor, case.rating, reason=case.set_aside_reason, _from_case=True)
    return case


def close_as_set_aside(actor, case, reason):
    """The office set the rating aside from the flag review: the case ends with it."""
    return _step(actor, case, [s for s in State.values if s not in (State.CLOSED, State.SET_ASIDE)], "set-aside",
                 Step.APPROVE, reason, state=State.SET_ASIDE, decision="approved", decision_note=reason, closed_at=timezone.now())


def _notify_overdue(case):
    """Urgent: the unit's handlers and the centre's office, in their inboxes and by SMS."""
    from vanguard.notices.services import notify

    notify(SYSTEM, recipients=[case.unit, case.centre], kind="escalation", centre=case.centre, urgency="urgent",
           title=_("Overdue bad-review rectification: %(number)s (%(unit)s)") % {
               "number": case.rating.transaction.number, "unit": case.unit.name},
           body=_("Stage “%(stage)s” was due on %(due)s.") % {"stage": case.get_state_display(),
                                                            "due": case.due.isoformat()},
           url=f"/ratings/cases/{case.pk}/")


def mark_overdue(now=None):
    """Record each case's overdue moment once and escalate it. A conditional
    UPDATE (overdue_at IS NULL) makes a second run, or a second worker, a no-op."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    late = RectificationCase.objects.filter(overdue_at__isnull=True).filter(
        Q(state=State.VERIFYING, verify_due__lt=today)
        | Q(state__in=[State.RECTIFYING, State.CALLING_BACK], rectify_due__lt=today, called_back_at__isnull=True))
    marked = 0
    for case in late.select_related("rating__transaction", "unit", "centre"):
        won = RectificationCase.objects.filter(pk=case.pk, overdue_at__isnull=True).update(
            overdue_at=now, overdue_stage=case.state, escalated_at=now)
        if not won:
            continue
        marked += 1
        Notice.objects.create(
            centre_id=case.centre_id, kind=Notice.Kind.ESCALATION, unit_id=case.unit_id,
            subject=_("Overdue bad-review rectification: %(number)s (%(unit)s)") % {
                "number": case.rating.transaction.number, "unit": case.unit.name},
            body=_("Stage “%(stage)s” was due on %(due)s.") % {"stage": case.get_state_display(),
                                                             "due": case.due.isoformat()},
            link=f"/ratings/cases/{case.pk}/")
        _notify_overdue(case)
        audit.record(SYSTEM, audit.Action.UPDATE, case, {"overdue_at": [None, now.isoformat()]}, verb="overdue",
                     centre_id=case.centre_id)
    return marked


def timeline(case):
    """[(time, round, label, who, note)] of a case, oldest first: the bad review that opened
    it, every recorded step, and the moment it became overdue (by the system)."""
    rating = case.rating
    rows = [(rating.rated_at, 1, _("Bad review received; case opened"), _("system"),
             rating.get_level_display())]
    rows += [(s.at, s.round, s.get_action_display(), s.actor_name, s.note) for s in case.steps.all()]
    if case.overdue_at:
        rows.append((case.overdue_at, None, _("Became overdue (escalated to the office)"), _("system"),
                     _("Stage “%(stage)s”") % {"stage": dict(State.choices).get(case.overdue_stage, "")}))
    return sorted(rows, key=lambda row: row[0])


def case_figures(cases):
    """Bad-review rectification figures over a queryset of cases."""
    agg = cases.aggregate(
        total=Count("pk"), set_aside=Count("pk", filter=Q(state=State.SET_ASIDE)),
        rectified=Count("pk", filter=Q(rectified_at__isnull=False) & ~Q(state=State.SET_ASIDE)),
        called_back=Count("pk", filter=Q(called_back_at__isnull=False) & ~Q(state=State.SET_ASIDE)),
        closed=Count("pk", filter=Q(state=State.CLOSED)),
        closed_on_time=Count("pk", filter=Q(state=State.CLOSED, overdue_at__isnull=True)),
        overdue=Count("pk", filter=Q(overdue_at__isnull=False)),
        open=Count("pk", filter=~Q(state__in=[State.CLOSED, State.SET_ASIDE])),
    )
    valid = agg["total"] - agg["set_aside"]

    def pct(a, b):
        return round(a * 100 / b, 2) if b else None

    agg["rectification_rate"] = pct(agg["rectified"], valid)
    agg["callback_rate"] = pct(agg["called_back"], valid)
    agg["on_time_rate"] = pct(agg["closed_on_time"], agg["closed"])
    return agg
