"""Use cases of the assessment: schemes, the month's workflow, adjustments,
publication, corrections and appeals. Scores are in `scoring.py`.
Pages, the API and the `assessment` command all call these."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.workdays import WorkingCalendar

from . import auto, compute, previews
from .models import Adjustment, Appeal, Cell, Indicator, Part, Period, Result, Scheme, Score
from .permissions import can_enter_adjustments, can_manage, can_score

RULE_OF_INDICATOR = ("auto_source", "auto_kind", "auto_measure", "auto_formula", "auto_step", "auto_threshold")
INDICATOR_FIELDS = ("part", "code", "name", "description", "maximum", "method", "scorer_kind", "aspect",
                    "sort_order", *RULE_OF_INDICATOR)
RULE_FIELDS = ["name", "formula", "party_weight", "work_weight", "threshold", "quota_kind", "quota_value",
               "tie_break", "veto_rules", "publicity_days", "note_required_loss"]


def month_start(value):
    """A date, "YYYY-MM" or "YYYY-MM-DD" as the first day of its month."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        text = str(value).strip()
        year, month = int(text[:4]), int(text[5:7])
        if text[4] != "-":
            raise ValueError
        return datetime.date(year, month, 1)
    except (ValueError, IndexError) as e:
        raise ValidationError({"month": _("Give the month as YYYY-MM, e.g. 2026-10.")}) from e


# Schemes ----------------------------------------------------------------------------

def _check_indicators(rows):
    errors = []
    codes = set()
    sums = {Part.PARTY: Decimal("0"), Part.WORK: Decimal("0")}
    for row in rows:
        if row.code in codes:
            errors.append(_("Indicator code %(code)s is used twice.") % {"code": row.code})
        codes.add(row.code)
        sums[row.part] += Decimal(row.maximum)
    for part, label in Part.choices:
        if sums[part] != Decimal("100"):
            errors.append(_("The maxima of the %(part)s add up to %(sum)s, not 100.") % {
                "part": label, "sum": sums[part].normalize()})
    if errors:
        raise ValidationError({"indicators": errors})


def _build_indicators(scheme, indicators):
    rows = []
    available = auto.sources()
    for number, data in enumerate(indicators, start=1):
        ind = Indicator(scheme=scheme, **data)
        if not ind.scorer_kind:
            ind.scorer_kind = (Indicator.ScorerKind.BRANCH if ind.part == Part.PARTY
                               else Indicator.ScorerKind.DEPARTMENT)
        for name in ("auto_source", "auto_kind", "auto_measure", "auto_formula"):
            setattr(ind, name, (getattr(ind, name) or "").strip())
        for name in ("auto_step", "auto_threshold"):
            value = getattr(ind, name)
            if value in ("", None):
                setattr(ind, name, None)
                continue
            try:
                setattr(ind, name, Decimal(str(value).strip()))
            except InvalidOperation as e:
                raise ValidationError({"indicators": [
                    _("Indicator %(n)s (%(code)s): %(problem)s") % {
                        "n": number, "code": data.get("code", ""),
                        "problem": _("“%(value)s” is not a number.") % {"value": value}}]}) from e
        problems = auto.check_rule(ind, available)
        if problems:
            raise ValidationError({"indicators": [
                _("Indicator %(n)s (%(code)s): %(problem)s") % {"n": number, "code": data.get("code", ""),
                                                                 "problem": "; ".join(problems)}]})
        try:
            ind.full_clean(exclude=["scheme"])
        except ValidationError as e:
            raise ValidationError({"indicators": [
                _("Indicator %(n)s (%(code)s): %(problem)s") % {"n": number, "code": data.get("code", ""),
                                                                 "problem": "; ".join(e.messages)}]}) from e
        rows.append(ind)
    _check_indicators(rows)
    return rows


@transaction.atomic
def create_scheme(actor, centre, *, indicators, valid_from, status=Scheme.Status.ACTIVE, **rules):
    """A new version of the centre's scheme, valid from `valid_from`'s month. A draft
    applies to no month until it is activated."""
    require(can_manage(actor, centre.pk))
    valid_from = month_start(valid_from)
    last = Scheme.objects.filter(centre=centre).aggregate(v=Max("version"))["v"] or 0
    if Period.objects.filter(centre=centre, month__gte=valid_from).exclude(scheme__valid_from__gte=valid_from).exists():
        raise ValidationError({"valid_from": _(
            "A month from %(month)s on has already been opened with an earlier scheme; "
            "start the new version after it.") % {"month": f"{valid_from:%Y-%m}"}})
    if Scheme.objects.filter(centre=centre, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _(
            "A version of the scheme already starts in %(month)s; choose another month.") % {
            "month": f"{valid_from:%Y-%m}"}})
    scheme = Scheme(centre=centre, version=last + 1, valid_from=valid_from, created_by=actor, status=status,
                    **rules)
    scheme.full_clean()
    scheme.save()
    Indicator.objects.bulk_create(_build_indicators(scheme, indicators))
    audit.record_create(actor, scheme, verb=audit.Event.SCHEME)
    rules = _rules(scheme)
    if rules:
        audit.record(actor, audit.Action.CREATE, scheme, {"rules": [None, rules]}, verb=audit.Event.SCHEME)
    return scheme


@transaction.atomic
def update_scheme(actor, scheme, **changes):
    """Edit the rules of a version no month uses yet."""
    require(can_manage(actor, scheme.centre_id))
    if scheme.in_use:
        raise ValidationError(_("This scheme is in use by a month and cannot be edited; "
                                "create a new version from a later month."))
    before = audit.snapshot(scheme)
    indicators = changes.pop("indicators", None)
    for field, value in changes.items():
        if field not in RULE_FIELDS:
            raise ValidationError({field: _("This field of a scheme cannot be changed.")})
        setattr(scheme, field, value)
    scheme.full_clean()
    scheme.save()
    rules_before = _rules(scheme)
    if indicators is not None:
        scheme.indicators.all().delete()
        Indicator.objects.bulk_create(_build_indicators(scheme, indicators))
    audit.record_update(actor, scheme, before, verb=audit.Event.SCHEME)
    rules_after = _rules(scheme)
    if rules_after != rules_before:
        audit.record(actor, audit.Action.UPDATE, scheme, {"rules": [rules_before, rules_after]},
                     verb=audit.Event.SCHEME)
    return scheme


def _rules(scheme):
    """{code: rule} of the scheme's automatic indicators, for the audit trail."""
    return {i.code: auto.rule_text(i) for i in scheme.indicators.all() if i.is_computed}


def indicator_dicts(scheme):
    return [{f: getattr(i, f) for f in INDICATOR_FIELDS}
            for i in scheme.indicators.all()]


@transaction.atomic
def new_scheme_version(actor, scheme, valid_from, *, status=Scheme.Status.ACTIVE, **changes):
    """A change to a scheme in use: a copy with the changes, from a later month."""
    rules = {f: getattr(scheme, f) for f in RULE_FIELDS}
    indicators = changes.pop("indicators", None) or indicator_dicts(scheme)
    rules.update(changes)
    return create_scheme(actor, scheme.centre, indicators=indicators, valid_from=valid_from, status=status, **rules)


def copy_scheme(actor, scheme, valid_from):
    """The office's way to next year's scheme: a draft copy of `scheme` to edit, then activate."""
    return new_scheme_version(actor, scheme, valid_from, status=Scheme.Status.DRAFT)


@transaction.atomic
def activate_scheme(actor, scheme):
    """A draft becomes the version that months from its first month open with."""
    require(can_manage(actor, scheme.centre_id))
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if not scheme.is_draft:
        raise ValidationError(_("Version %(v)s is already active.") % {"v": scheme.version})
    _check_indicators(list(scheme.indicators.all()))
    if Period.objects.filter(centre_id=scheme.centre_id, month__gte=scheme.valid_from).exists():
        raise ValidationError({"valid_from": _(
            "A month from %(month)s on has already been opened with an earlier scheme; "
            "start the new version after it.") % {"month": f"{scheme.valid_from:%Y-%m}"}})
    before = audit.snapshot(scheme)
    scheme.status = Scheme.Status.ACTIVE
    scheme.save(update_fields=["status"])
    audit.record_update(actor, scheme, before, verb=audit.Event.SCHEME_ACTIVATED)
    return scheme


def scheme_for_month(centre, month):
    """The active version valid in `month` (drafts apply to no month)."""
    return (Scheme.objects.filter(centre=centre, valid_from__lte=month, status=Scheme.Status.ACTIVE)
            .order_by("-valid_from", "-version").first())


# The month's workflow -------------------------------------------------------------------

@transaction.atomic
def open_period(actor, centre, month, *, scoring_due=None):
    require(can_manage(actor, centre.pk))
    month = month_start(month)
    if Period.objects.filter(centre=centre, month=month).exists():
        raise ValidationError({"month": _("%(month)s has already been opened.") % {"month": f"{month:%Y-%m}"}})
    scheme = scheme_for_month(centre, month)
    if scheme is None:
        raise ValidationError({"month": _("No assessment scheme applies to %(month)s yet.") % {
            "month": f"{month:%Y-%m}"}})
    if scoring_due is None:
        # Scoring is due on the fifth working day of the following month.
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        scoring_due = WorkingCalendar().add_working_days(next_month, 4)
    try:
        with transaction.atomic():
            period = Period.objects.create(centre=centre, month=month, scheme=scheme, scoring_due=scoring_due)
    except IntegrityError as e:
        # Opened at the same moment by another click or user: the same error as above.
        raise ValidationError({"month": _("%(month)s has already been opened.") % {"month": f"{month:%Y-%m}"}}) from e
    audit.record_create(actor, period, verb=audit.Event.MONTH_OPENED)
    return period


def _move(actor, period, allowed_from, to, verb, **fields):
    require(can_manage(actor, period.centre_id))
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status not in allowed_from:
        raise ValidationError(_("%(month)s is “%(status)s”; this step is not possible now.") % {
            "month": period.label, "status": period.get_status_display()})
    before = audit.snapshot(period)
    period.status = to
    for key, value in fields.items():
        setattr(period, key, value)
    period.save()
    audit.record_update(actor, period, before, verb=verb)
    return period


@transaction.atomic
def start_scoring(actor, period):
    return _move(actor, period, [Period.Status.OPEN], Period.Status.SCORING, audit.Event.SCORING_STARTED)


class UnscoredRefused(ValidationError):
    """The step would leave members with no score in a part; `summary` counts them."""

    def __init__(self, message, summary):
        super().__init__(message, code="unscored")
        self.summary = summary


def _check_unscored(actor, period, confirm_unscored, event, counts=None):
    """Refuse the step while members have no score in a part, unless the office confirms;
    a confirmed decision is audited with the counts."""
    summary = previews.unscored_summary(period, counts)
    if not summary["members"]:
        return summary
    if not confirm_unscored:
        raise UnscoredRefused(_(
            "%(n)s members have no score at all in a part (party-building part: %(party)s, work part: "
            "%(work)s). They would be published as “not assessed” in that part, without rank or star. "
            "Check the list and confirm, or have them scored first.") % {
            "n": summary["members"], "party": summary[Part.PARTY], "work": summary[Part.WORK]}, summary)
    audit.record(actor, audit.Action.ACTION, period, {
        "members_not_assessed": [None, summary["members"]],
        "party_part_not_assessed": [None, summary[Part.PARTY]],
        "work_part_not_assessed": [None, summary[Part.WORK]]},
        verb=event)
    return summary


@transaction.atomic
def close_scoring(actor, period, *, confirm_unscored=False):
    """Close scoring for review. Members with no score in a part need `confirm_unscored`."""
    require(can_manage(actor, period.centre_id))
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status in (Period.Status.OPEN, Period.Status.SCORING):
        # The records as they are now decide the automatic cells (recomputed if they moved since
        # the last computation); the month then stops following them.
        auto.ensure_computed(period, actor=actor)
        _check_unscored(actor, period, confirm_unscored, audit.Event.SCORING_CLOSED_UNASSESSED)
    return _move(actor, period, [Period.Status.OPEN, Period.Status.SCORING], Period.Status.REVIEW,
                 audit.Event.SCORING_CLOSED)


@transaction.atomic
def publish_period(actor, period, *, today=None, confirm_unscored=False):
    """Compute totals, ranks and stars and store them (version 1), and start the
    publicity period. From scoring, scoring is closed first. Members with no score
    in a part are published as not assessed in it, only with `confirm_unscored`."""
    require(can_manage(actor, period.centre_id))
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status in (Period.Status.OPEN, Period.Status.SCORING):
        auto.ensure_computed(period, actor=actor)
    # Computed once: the members not assessed are counted from the rows that are then stored.
    compute.compute_month(period)
    if period.status in (Period.Status.OPEN, Period.Status.SCORING, Period.Status.REVIEW):
        _check_unscored(actor, period, confirm_unscored, audit.Event.PUBLISHED_UNASSESSED,
                        compute.computed_unscored())
    if period.status in (Period.Status.OPEN, Period.Status.SCORING):
        period = _move(actor, period, [Period.Status.OPEN, Period.Status.SCORING], Period.Status.REVIEW,
                       audit.Event.SCORING_CLOSED)
    today = today or timezone.localdate()
    ends = WorkingCalendar().add_working_days(today, period.scheme.publicity_days)
    now = timezone.now()
    period = _move(actor, period, [Period.Status.REVIEW], Period.Status.PUBLICITY, audit.Event.PUBLISHED,
                   published_at=now, publicity_ends=ends)
    count = compute.insert_results(period, now, computed=True)
    audit.record(actor, audit.Action.ACTION, period, {"results": [None, count]}, verb=audit.Event.RESULTS_COMPUTED)
    return period


@transaction.atomic
def finalise_period(actor, period, *, today=None):
    today = today or timezone.localdate()
    if period.status == Period.Status.PUBLICITY and period.publicity_ends and today <= period.publicity_ends:
        raise ValidationError(_("The publicity period runs until %(date)s; the month can be made final after it.")
                              % {"date": period.publicity_ends})
    if period.appeals.filter(status=Appeal.Status.OPEN).exists():
        raise ValidationError(_("Decide the open appeals before making the month final."))
    return _move(actor, period, [Period.Status.PUBLICITY], Period.Status.FINAL, audit.Event.MADE_FINAL,
                 finalised_at=timezone.now())


# Results after publication -------------------------------------------------------------

def recompute_period(actor, period, reason):
    """Recompute a published month; every member whose result changes gets a new
    version carrying `reason`. Returns the number of new versions."""
    if not period.is_published:
        return 0
    fresh = compute.compute_rows(period, from_results=True)
    stored = compute.stored_rows(period)
    changed = [pid for pid, row in fresh.items() if stored.get(pid) != row]
    if not changed:
        return 0
    current = {r.person_id: r for r in Result.objects.filter(period=period, is_current=True, person_id__in=changed)}
    Result.objects.filter(pk__in=[r.pk for r in current.values()]).update(is_current=False)
    now = timezone.now()
    new = []
    for pid in changed:
        row = dict(fresh[pid])
        new.append(Result(period=period, version=current[pid].version + 1, is_current=True,
                          change_reason=reason[:300], created_at=now, **row))
    Result.objects.bulk_create(new)
    for old, result in zip([current[p] for p in changed], new, strict=True):
        changes = audit.diff(audit.snapshot(old, fields=compute.FIELDS), audit.snapshot(result, fields=compute.FIELDS))
        changes.update(version=[old.version, result.version], reason=[None, reason])
        audit.record(actor, audit.Action.UPDATE, result, changes, verb=audit.Event.RESULT_NEW_VERSION,
                     centre_id=period.centre_id)
    return len(new)


@transaction.atomic
def correct_scores(actor, period, person, corrections, reason):
    """The office corrects published scores [(indicator, points)], with a reason;
    the results are recomputed as new versions."""
    from .scoring import parse_points

    require(can_manage(actor, period.centre_id))
    if not period.is_published:
        raise ValidationError(_("Before publication, scores are changed in the grid."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the published result is corrected.")})
    if period.status == Period.Status.FINAL and not reason:
        raise ValidationError({"reason": _("Say why the published result is corrected.")})
    for indicator, raw in corrections:
        if indicator.scheme_id != period.scheme_id:
            raise ValidationError({"indicator": _("This indicator is not part of the month's scheme.")})
        points = parse_points(raw, indicator)
        defaults = {"points": points, "scored_by": actor, "note": reason[:200]}
        # A computed cell (kept in the month's ComputedRow) corrected: an override carrying the
        # correction's reason beside the rule's points and figures, as published.
        rule_cell = Cell.objects.filter(period=period, person=person, indicator=indicator, score__isnull=True,
                                        computed=True).first()
        if rule_cell is not None:
            defaults.update(computed=False, override_reason=reason[:200], computed_points=rule_cell.computed_points,
                            source_value=rule_cell.source_value)
        score, created = Score.objects.get_or_create(
            period=period, person=person, indicator=indicator, defaults=defaults)
        if not created:
            before = audit.snapshot(score, fields={"points", "note", "computed", "override_reason"})
            score.points, score.note, score.scored_by = points, reason[:200], actor
            if score.computed_points is not None and (score.computed or score.override_reason):
                # A computed cell corrected: an override carrying the correction's reason.
                score.computed, score.override_reason = False, reason[:200]
            score.save()
            audit.record_update(actor, score, before, verb=audit.Event.SCORE_CORRECTED)
        else:
            audit.record_create(actor, score, verb=audit.Event.SCORE_CORRECTED)
    return recompute_period(actor, period, reason)


# Adjustments and vetoes ------------------------------------------------------------------

@transaction.atomic
def create_adjustment(actor, period, person, *, kind, points=Decimal("0"), reason, source=Adjustment.Source.INSPECTION,
                      aspect="", evidence=None):
    require(can_enter_adjustments(actor, period.centre_id) and
            (can_manage(actor, period.centre_id) or can_score(actor, person, Part.PARTY)))
    if person.centre_id != period.centre_id:
        raise ValidationError({"person": _("This person does not work in the month's centre.")})
    if period.status == Period.Status.FINAL:
        raise ValidationError(_("%(month)s is final; its results can no longer change.") % {"month": period.label})
    points = Decimal("0") if kind == Adjustment.Kind.VETO else Decimal(points or 0)
    if kind != Adjustment.Kind.VETO and points <= 0:
        raise ValidationError({"points": _("Give the points of the bonus or penalty (more than 0).")})
    if source == Adjustment.Source.INSPECTION and not aspect:
        raise ValidationError({"aspect": _("Say which aspect of the discipline inspection this is.")})
    adj = Adjustment(period=period, person=person, kind=kind, points=points, reason=reason, source=source,
                     aspect=aspect or "", created_by=actor)
    if evidence:
        adj.evidence = evidence
    adj.full_clean()
    adj.save()
    audit.record_create(actor, adj, verb=audit.Event.ADJUSTMENT_ENTERED)
    return adj


@transaction.atomic
def decide_adjustment(actor, adjustment, *, approve):
    require(can_manage(actor, adjustment.period.centre_id))
    if adjustment.status != Adjustment.Status.PENDING:
        raise ValidationError(_("This adjustment has already been decided."))
    if adjustment.period.status == Period.Status.FINAL:
        raise ValidationError(_("%(month)s is final; its results can no longer change.") % {
            "month": adjustment.period.label})
    before = audit.snapshot(adjustment)
    adjustment.status = Adjustment.Status.APPROVED if approve else Adjustment.Status.REJECTED
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.save()
    audit.record_update(actor, adjustment, before, verb=audit.Event.ADJUSTMENT_DECIDED)
    if approve and adjustment.period.is_published:
        recompute_period(actor, adjustment.period, _("%(kind)s approved after publication: %(reason)s") % {
            "kind": adjustment.get_kind_display(), "reason": adjustment.reason})
    return adjustment


# Appeals ------------------------------------------------------------------------------

@transaction.atomic
def submit_appeal(actor, period, text, *, indicator=None, today=None):
    person = getattr(actor, "person", None) if actor is not None else None
    require(person is not None and person.centre_id == period.centre_id,
            _("Only a member assessed this month can appeal."))
    if not Result.objects.filter(period=period, person=person).exists():
        raise ValidationError(_("You have no published result for %(month)s.") % {"month": period.label})
    if not period.appeal_open(today or timezone.localdate()):
        raise ValidationError(_("Appeals for %(month)s were possible until the end of the publicity period "
                                "(%(date)s).") % {"month": period.label, "date": period.publicity_ends or "—"})
    if not text or not text.strip():
        raise ValidationError({"text": _("Say what you object to.")})
    if indicator is not None and indicator.scheme_id != period.scheme_id:
        raise ValidationError({"indicator": _("This indicator is not part of the month's scheme.")})
    appeal = Appeal(period=period, person=person, indicator=indicator, text=text.strip(), submitted_by=actor)
    appeal.full_clean()
    appeal.save()
    audit.record_create(actor, appeal, verb=audit.Event.APPEAL_SUBMITTED)
    return appeal


def _notify_appeal_decided(actor, appeal):
    """The member's inbox (and whoever submitted it for them) learns the answer."""
    from django.urls import reverse

    from vanguard.notices.services import notify

    upheld = appeal.status == Appeal.Status.UPHELD
    notify(actor, recipients=[appeal.person, *([appeal.submitted_by] if appeal.submitted_by_id else [])],
           kind="appeal", centre=appeal.period.centre,
           title=(_("Your appeal was upheld") if upheld else _("Your appeal was rejected")),
           body=appeal.answer, url=reverse("assessment:mine"))


@transaction.atomic
def decide_appeal(actor, appeal, *, uphold, answer, corrections=()):
    """Reject, or uphold with the corrected scores [(indicator, points)]: the
    results are recomputed and the member's new version says why."""
    require(can_manage(actor, appeal.period.centre_id))
    if appeal.status != Appeal.Status.OPEN:
        raise ValidationError(_("This appeal has already been decided."))
    if not answer or not answer.strip():
        raise ValidationError({"answer": _("Write the answer the member will read.")})
    before = audit.snapshot(appeal)
    appeal.status = Appeal.Status.UPHELD if uphold else Appeal.Status.REJECTED
    appeal.answer, appeal.decided_by, appeal.decided_at = answer.strip(), actor, timezone.now()
    try:  # the answer's bounds (length, control characters); the objection was checked when submitted
        Appeal._meta.get_field("answer").run_validators(appeal.answer)
    except ValidationError as e:
        raise ValidationError({"answer": e.messages}) from e
    appeal.save()
    audit.record_update(actor, appeal, before, verb=audit.Event.APPEAL_DECIDED)
    _notify_appeal_decided(actor, appeal)
    appeal.new_versions = 0  # results given a new version by the decision, for the office's feedback
    if uphold and corrections:
        reason = _("Appeal no. %(n)s upheld: %(answer)s") % {"n": appeal.pk, "answer": appeal.answer}
        appeal.new_versions = correct_scores(actor, appeal.period, appeal.person, corrections, reason)
    return appeal
