"""Honours' use cases: opening a selection, nominating (the evidence filled from the data),
closing nominations, panel scores, the review and a red-flag branch's four standards."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.org.models import Organization, Unit

from . import evidence
from .base import (
    CANDIDATE_MODELS,
    DEFAULT_QUOTAS,
    State,
    Status,
    _actor_user,
    _office,
    _reviewable,
    _text,
)
from .models import (
    HONOUR_CANDIDATES,
    STANDARDS,
    CandidateKind,
    HonourKind,
    Nomination,
    PanelScore,
    Selection,
)


@transaction.atomic
def open_selection(actor, centre, *, title, year, honour, candidate_kind=None, quota=None, max_nominations=None,
                   criteria="", nominate_until, notice_days=5, panel_scoring=False, public_vote=False, half=0):
    _office(actor, centre.pk)
    errors = {}
    title = _text(title, 100)
    if not title:
        errors["title"] = _("Give the selection a title.")
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Give a valid year.")
    if honour not in HonourKind.values:
        errors["honour"] = _("Choose the honour.")
    allowed = HONOUR_CANDIDATES.get(honour, set(CandidateKind.values))
    if candidate_kind is None and len(allowed) == 1:
        candidate_kind = next(iter(allowed))
    if candidate_kind not in CandidateKind.values:
        errors["candidate_kind"] = _("Choose the kind of candidate.")
    elif candidate_kind not in allowed:
        errors["candidate_kind"] = _("This honour is not given to that kind of candidate.")
    if quota in (None, ""):
        quota = DEFAULT_QUOTAS.get(honour, 0)
    try:
        quota = int(quota)
        if quota < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["quota"] = _("The number of places is at least 1.")
        quota = 1
    try:
        max_nominations = quota if max_nominations in (None, "") else int(max_nominations)
        if max_nominations < quota:
            raise ValueError
    except (TypeError, ValueError):
        errors["max_nominations"] = _("Nominations cannot be fewer than the places.")
    try:
        notice_days = int(notice_days)
        if not 1 <= notice_days <= 30:
            raise ValueError
    except (TypeError, ValueError):
        errors["notice_days"] = _("The public notice lasts 1 to 30 working days.")
    if int(half or 0) not in (0, 1, 2):
        errors["half"] = _("Choose the whole year or a half.")
    if not isinstance(nominate_until, datetime.date):
        errors["nominate_until"] = _("Give the date nominations close.")
    if errors:
        raise ValidationError(errors)
    selection = Selection.objects.create(
        centre=centre, title=title, year=year, half=int(half or 0), honour=honour, candidate_kind=candidate_kind,
        quota=quota, max_nominations=max_nominations, criteria=_text(criteria), nominate_until=nominate_until,
        notice_days=notice_days, panel_scoring=bool(panel_scoring), public_vote=bool(public_vote),
        created_by=_actor_user(actor))
    audit.record_create(actor, selection, verb=audit.Event.SELECTION_OPENED)
    return selection


def _candidate_centre(kind, candidate):
    return candidate.centre_id


def _candidate_floor(kind, c):
    if kind == "person":
        return c.window.floor_id if c.window_id else (c.branch.floor_id if c.branch_id else None)
    if kind == "branch":
        return c.floor_id
    if kind == "window":
        return c.floor_id
    if kind == "post":
        return c.window.floor_id if c.window_id else None
    if kind == "team":
        return c.floor_id
    return None


def _candidate_name(kind, c):
    if kind == "window":
        return f"{c.number} {c.name}".strip()
    if kind == "brand":
        return f"{c.name}（{c.unit.name}）"
    return str(c.name)


def _reach(actor, kind, c):
    """Which nominating body the actor nominates for, if the candidate lies within its scope; else None."""
    scope = scope_for(actor)
    if is_office_of(actor, c.centre_id):
        return _("Party-building office")
    branch_paths = scope.paths(Role.SECRETARY)
    if branch_paths:
        branch = {"person": lambda: c.branch, "branch": lambda: c,
                  "window": lambda: getattr(c.floor, "branch", None),
                  "post": lambda: getattr(c.window.floor, "branch", None) if c.window_id else None,
                  "team": lambda: getattr(c.floor, "branch", None) if c.floor_id else None}.get(kind, lambda: None)()
        if branch is not None and scope.covers_path(branch.path, Role.SECRETARY):
            own = Organization.objects.filter(path__in=branch_paths).order_by("depth").first()
            return own.name if own else branch.name
    units = set(scope.units(Role.LIAISON))
    if units:
        unit_id = {"person": lambda: c.unit_id, "window": lambda: c.unit_id, "unit": lambda: c.pk,
                   "post": lambda: c.unit_id or (c.window.unit_id if c.window_id else None),
                   "team": lambda: c.unit_id, "brand": lambda: c.unit_id}.get(kind, lambda: None)()
        if unit_id in units:
            return Unit.objects.get(pk=unit_id).name
    return None


def may_nominate(actor, selection):
    scope = scope_for(actor)
    return (is_office_of(actor, selection.centre_id)
            or selection.centre_id in scope.centres(Role.SECRETARY, Role.LIAISON))


@transaction.atomic
def nominate(actor, selection, *, candidate, reasons):
    require(may_nominate(actor, selection), _("Only the office, a branch or a unit may nominate."))
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status != Status.NOMINATING:
        raise ValidationError(_("Nominations for this selection are closed."))
    kind = selection.candidate_kind
    model = CANDIDATE_MODELS[kind]
    if not isinstance(candidate, model):
        raise ValidationError({"candidate": _("This selection takes a %(kind)s as candidate.") % {
            "kind": CandidateKind(kind).label}})
    if candidate.centre_id != selection.centre_id:
        raise ValidationError({"candidate": _("“%(name)s” is outside this selection's scope: another service "
                                              "centre.") % {"name": candidate}})
    if kind == "branch" and candidate.kind != Organization.Kind.BRANCH:
        raise ValidationError({"candidate": _("“%(name)s” is not a party branch.") % {"name": candidate}})
    if (selection.honour in (HonourKind.MEMBER,) and kind == "person" and not candidate.is_party_member):
        raise ValidationError({"candidate": _("“%(name)s” is not a party member.") % {"name": candidate}})
    if kind == "person" and not candidate.is_active:
        raise ValidationError({"candidate": _("“%(name)s” no longer works here.") % {"name": candidate}})
    body = _reach(actor, kind, candidate)
    if body is None:
        raise ValidationError({"candidate": _("“%(name)s” is outside the branch or unit you nominate for.") % {
            "name": candidate}})
    reasons = _text(reasons)
    if not reasons:
        raise ValidationError({"reasons": _("Give the reasons for the nomination.")})
    if Nomination.objects.filter(selection=selection, **{kind: candidate}).exists():
        raise ValidationError({"candidate": _("“%(name)s” has already been nominated.") % {"name": candidate}})
    in_play = selection.nominations.exclude(state=State.REJECTED).count()
    if in_play >= selection.max_nominations:
        raise ValidationError({"candidate": _("The selection is full: %(max)s nominations for %(quota)s places.") % {
            "max": selection.max_nominations, "quota": selection.quota}})
    nomination = Nomination.objects.create(
        selection=selection, name=_candidate_name(kind, candidate)[:120], floor_id=_candidate_floor(kind, candidate),
        nominated_by=body[:100], reasons=reasons, evidence=evidence.pack(selection, kind, candidate),
        standards=({k: {"figures": v, "met": None, "note": ""} for k, v in
                    evidence.standards_figures(candidate, selection.year).items()}
                   if selection.honour == HonourKind.RED_FLAG else {}),
        created_by=_actor_user(actor), **{kind: candidate})
    audit.record_create(actor, nomination, verb=audit.Event.NOMINATED, centre_id=selection.centre_id)
    return nomination


@transaction.atomic
def close_nominations(actor, selection):
    _office(actor, selection.centre_id)
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status != Status.NOMINATING:
        raise ValidationError(_("Nominations for this selection are closed."))
    if not selection.nominations.exists():
        raise ValidationError(_("Nobody has been nominated yet."))
    before = audit.snapshot(selection)
    selection.status = Status.REVIEW
    selection.save(update_fields=["status"])
    audit.record_update(actor, selection, before, verb=audit.Event.NOMINATIONS_CLOSED)
    return selection


@transaction.atomic
def score_nomination(actor, nomination, *, score):
    """A panel member's score (0-100); the office sits on the panel."""
    selection = nomination.selection
    _office(actor, selection.centre_id)
    if not selection.panel_scoring:
        raise ValidationError(_("This selection has no panel scoring."))
    _reviewable(selection)
    try:
        score = Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if not 0 <= score <= 100:
            raise ValueError
    except (ValueError, ArithmeticError):
        raise ValidationError({"score": _("“%(name)s”: the score is between 0 and 100.") % {
            "name": nomination.name}}) from None
    PanelScore.objects.update_or_create(nomination=nomination, scorer=actor, defaults={"score": score})
    average = nomination.panel_scores.aggregate(a=Avg("score"))["a"]
    Nomination.objects.filter(pk=nomination.pk).update(
        panel_score=Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    audit.record(actor, audit.Action.UPDATE, nomination, {"score": [None, str(score)]}, verb=audit.Event.NOMINATION_SCORED,
                 centre_id=selection.centre_id)
    nomination.refresh_from_db()
    return nomination


@transaction.atomic
def review_nomination(actor, nomination, *, approve, note=""):
    selection = nomination.selection
    _office(actor, selection.centre_id)
    _reviewable(selection)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    note = _text(note, 300)
    if not approve and not note:
        raise ValidationError({"review_note": _("“%(name)s”: say why it did not pass.") % {"name": nomination.name}})
    if approve and selection.honour == HonourKind.RED_FLAG:
        unmet = [str(label) for key, label in STANDARDS if not (nomination.standards.get(key) or {}).get("met")]
        if unmet:
            raise ValidationError({"standards": _("“%(name)s”: the committee has not judged these standards met: "
                                                  "%(list)s.") % {"name": nomination.name, "list": "、".join(unmet)}})
    if approve:
        approved = selection.nominations.filter(state=State.APPROVED).exclude(pk=nomination.pk).count()
        if approved >= selection.quota:
            raise ValidationError({"state": _("All %(quota)s places are taken.") % {"quota": selection.quota}})
    before = audit.snapshot(nomination, ["state", "review_note"])
    nomination.state = State.APPROVED if approve else State.REJECTED
    nomination.review_note = note
    nomination.save(update_fields=["state", "review_note"])
    audit.record_update(actor, nomination, before, verb=audit.Event.NOMINATION_REVIEWED, centre_id=selection.centre_id)
    return nomination


@transaction.atomic
def judge_standards(actor, nomination, judgements):
    """The committee's judgement of a red-flag branch against the four standards:
    {standard: {"met": bool, "note": str}}. Every standard must be judged."""
    selection = nomination.selection
    _office(actor, selection.centre_id)
    _reviewable(selection)
    if selection.honour != HonourKind.RED_FLAG:
        raise ValidationError(_("Only a red-flag selection is judged against the four standards."))
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    errors, standards = {}, dict(nomination.standards)
    for key, label in STANDARDS:
        given = (judgements or {}).get(key)
        if not isinstance(given, dict) or given.get("met") not in (True, False):
            errors[f"standards_{key}"] = _("Judge “%(standard)s”: met or not.") % {"standard": label}
            continue
        note = _text(given.get("note"), 300)
        if given["met"] is False and not note:
            errors[f"standards_{key}"] = _("“%(standard)s”: say why it is not met.") % {"standard": label}
            continue
        entry = dict(standards.get(key) or {})
        entry.update({"met": given["met"], "note": note})
        standards[key] = entry
    if errors:
        raise ValidationError(errors)
    before = {"standards": nomination.standards}
    nomination.standards = standards
    nomination.save(update_fields=["standards"])
    audit.record(actor, audit.Action.UPDATE, nomination, audit.diff(before, {"standards": standards}),
                 verb=audit.Event.STANDARDS_JUDGED, centre_id=selection.centre_id)
    return nomination
