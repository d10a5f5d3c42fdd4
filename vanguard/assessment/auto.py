"""Automatic indicators: the records give the points.

An indicator with a rule (`Indicator.auto_formula`) reads one figure of one source
for every assessed member and turns it into points. The sources are read functions
of other apps, `(centre, first_day, last_day, kind) -> {person_id: value-dict}`,
set-based (one or a few queries for a whole centre month); this module never reads
another app's tables.

When it runs (the simplest design that stays correct)
-----------------------------------------------------
Computed cells are kept as one `ComputedRow` per person and month (models_cells: the rules'
points and the source's figures, so each figure can be followed to its records), and every
reader sees them through the `Cell` view beside the Score rows (hand cells and a scorer's
overrides, which say why). They are written for a whole centre month at once, by an upsert that
skips unchanged rows (`compute_month`): when every source offers its figures as an aggregate
query (`Source.figures`, the same query its read function runs), the rules' figures and points
are computed inside the database (`auto_rows.sql_rows`); otherwise in Python. It
runs:

- whenever someone looks while the month is open: `ensure_computed` compares each
  source's fingerprint (one cheap aggregate per source, e.g. the centre's month
  figures of the ratings) and the population with those of the last computation, and
  recomputes only if one moved. The grid, the records page and every score save call
  it, so a scorer never sees or saves against stale figures;
- when scoring closes and when a month is published from scoring (inside the same
  transaction as the step, recomputed if anything moved), so the published month is
  computed from the records as they were at that moment;
- in the background every few minutes (`tasks.compute_open_months`) and right away
  when an app that writes records calls `records_changed(centre_id, day)`, so the
  figures are fresh without anyone opening the grid.

Pulling by fingerprint needs no hook in the hot write paths of other apps (a rating is
written hundreds of times a second; an UPDATE of the month there would serialise
them), and it cannot miss a write path: any change to the records moves the
fingerprint. Published months are never recomputed: `compute_month` does nothing once
a month no longer accepts scores, so a later record changes nothing published; a
correction goes through `services.correct_scores` and makes a new version as before.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import import_module

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import auto_rows
from .models import Indicator, Period
from .permissions import assessed_people

M = Indicator.Measure
S = Indicator.AutoSource
F = Indicator.Formula
ZERO = Decimal("0")
RATE_MEASURES = {M.ATTENDANCE, M.SATISFACTION, M.SIGNED_RATE}


def month_bounds(period):
    """The month's first and last day."""
    first = period.month
    nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first, nxt - datetime.timedelta(days=1)


# Sources ------------------------------------------------------------------------------------

@dataclass
class Source:
    """One source of records. `read` gives {person_id: value-dict}; `zero` is the value-dict
    of a person with no record; `fingerprint(centre, first, last)` is cheap and moves
    whenever the records do (None: the source has none, and its reads are hashed instead);
    `kinds()` the kinds a rule may name ([] = kinds do not apply); `rows_url(person, first,
    last, kind)` a page of the source's own listing the records (None: the records page here
    lists them through `rows`). `figures(centre, first, last, kind)`, when the source has it,
    is the aggregate query behind `read` (a values queryset of person_id and the keys of
    `zero`): the bulk computation joins it in SQL, so `read` and the cells share one
    definition; a source without it is computed in Python from `read`. `figures_by_kinds(centre,
    first, last, kinds)`, when the source has kinds, is the same aggregate for several kinds in one
    query (columns k{i}_<key> for the i-th kind), so the month's records are read once per source."""

    key: str
    read: object
    measures: tuple
    zero: dict
    fingerprint: object = None
    figures: object = None
    figures_by_kinds: object = None
    kinds: object = None
    rows: object = None
    rows_url: object = None
    extra: dict = field(default_factory=dict)


def _life():
    """The life app's read functions, once they exist (another room, built separately)."""
    try:
        selectors = import_module("vanguard.life.selectors")
    except ImportError:
        return None
    if not hasattr(selectors, "attendance_by_person") or not hasattr(selectors, "activity_by_person"):
        return None
    return selectors


def _meeting_kinds():
    models = import_module("vanguard.life.models")
    return list(models.MeetingKind.choices)


def _activity_kinds():
    """The default kinds every centre starts with (a centre may add its own codes)."""
    models = import_module("vanguard.life.models")
    return [(code, name) for code, name, *_rest in models.DEFAULT_ACTIVITY_KINDS]


def kind_arg(kind):
    """A rule's kind as the read functions take it: None (all), one code, or a list
    ("members,committee,group,lesson": the three meetings and one lesson)."""
    parts = [k.strip() for k in (kind or "").split(",") if k.strip()]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts


def _life_rows_url(fn_name):
    def rows_url(person, first, last, kind):
        fn = getattr(_life(), fn_name, None)
        return fn(person=person, kind=kind_arg(kind), first_day=first, last_day=last) if fn else None
    return rows_url


def _life_fn(fn_name):
    """One of life's read functions by name, None while life does not offer it."""
    return getattr(_life(), fn_name, None)


def _life_fingerprint(fn_name):
    """life's own cheap fingerprint when it offers one; None otherwise (its reads are hashed)."""
    def fingerprint(centre, first, last):
        fn = getattr(_life(), fn_name, None)
        return fn(centre, first, last) if fn else None
    return fingerprint


def sources():
    """The registry: every source available in this installation, by key."""
    from vanguard.messaging import selectors as messaging
    from vanguard.ratings import selectors as ratings

    found = {
        S.RATINGS: Source(S.RATINGS, ratings.ratings_by_person, (M.BAD, M.SATISFACTION),
                          {"ratings": 0, "satisfied": 0, "bad": 0, "default": 0, "set_aside": 0},
                          fingerprint=ratings.ratings_fingerprint, rows=ratings.rating_rows,
                          figures=ratings.ratings_figures),
        S.CIRCULARS: Source(S.CIRCULARS, messaging.circulars_by_person, (M.UNSIGNED, M.SIGNED_RATE),
                            {"expected": 0, "signed": 0, "unsigned": 0},
                            fingerprint=messaging.circulars_fingerprint, rows=messaging.circular_rows),
        S.STUDY: Source(S.STUDY, messaging.readings_by_person, (M.READS,), {"reads": 0},
                        fingerprint=messaging.readings_fingerprint, rows=messaging.reading_rows,
                        figures=getattr(messaging, "readings_figures", None)),
    }
    life = _life()
    if life is not None:
        found[S.MEETINGS] = Source(
            S.MEETINGS, life.attendance_by_person, (M.ABSENT, M.MISSED, M.ATTENDANCE),
            {"expected": 0, "present": 0, "leave": 0, "absent": 0, "makeup": 0},
            fingerprint=_life_fingerprint("attendance_fingerprint"), kinds=_meeting_kinds,
            rows_url=_life_rows_url("attendance_rows_url"), figures=_life_fn("attendance_figures"),
            figures_by_kinds=_life_fn("attendance_figures_by_kinds"))
        found[S.ACTIVITIES] = Source(
            S.ACTIVITIES, life.activity_by_person, (M.TIMES, M.HOURS), {"times": 0, "hours": 0},
            fingerprint=_life_fingerprint("activity_fingerprint"), kinds=_activity_kinds,
            rows_url=_life_rows_url("activity_rows_url"), figures=_life_fn("activity_figures"),
            figures_by_kinds=_life_fn("activity_figures_by_kinds"))
    return found


SOURCE_MEASURES = {
    S.MEETINGS: (M.ABSENT, M.MISSED, M.ATTENDANCE),
    S.ACTIVITIES: (M.TIMES, M.HOURS),
    S.RATINGS: (M.BAD, M.SATISFACTION),
    S.CIRCULARS: (M.UNSIGNED, M.SIGNED_RATE),
    S.STUDY: (M.READS,),
}


# Rules ----------------------------------------------------------------------------------------

def _dec(value):
    return Decimal(str(value))


def figure(measure, value):
    """The number a rule counts, from a source's value-dict; None for a rate with no basis
    (no meeting expected, no rating, nothing to sign)."""
    v = value or {}
    if measure == M.ABSENT:
        return _dec(v.get("absent", 0))
    if measure == M.MISSED:
        return _dec(v.get("absent", 0)) + max(ZERO, _dec(v.get("leave", 0)) - _dec(v.get("makeup", 0)))
    if measure == M.ATTENDANCE:
        expected = _dec(v.get("expected", 0))
        return None if not expected else (_dec(v.get("present", 0)) * 100 / expected)
    if measure == M.TIMES:
        return _dec(v.get("times", 0))
    if measure == M.HOURS:
        return _dec(v.get("hours", 0))
    if measure == M.BAD:
        return _dec(v.get("bad", 0))
    if measure == M.SATISFACTION:
        total = _dec(v.get("ratings", 0))
        return None if not total else (_dec(v.get("satisfied", 0)) * 100 / total)
    if measure == M.UNSIGNED:
        return _dec(v.get("unsigned", 0))
    if measure == M.SIGNED_RATE:
        expected = _dec(v.get("expected", 0))
        return None if not expected else (_dec(v.get("signed", 0)) * 100 / expected)
    if measure == M.READS:
        return _dec(v.get("reads", 0))
    raise ValueError(measure)


def points_for(indicator, value):
    """The rule's points for one person's value-dict: within 0 and the maximum, to 0.1."""
    fig = figure(indicator.auto_measure, value)
    top, step = indicator.maximum, indicator.auto_step
    if indicator.auto_formula == F.DEDUCT_PER:
        pts = top - step * fig
    elif indicator.auto_formula == F.ADD_PER:
        pts = step * fig
    elif indicator.auto_formula == F.RATE_MIN:
        threshold = indicator.auto_threshold
        pts = top if fig is None or fig >= threshold else top - step * (threshold - fig)
    else:
        raise ValueError(indicator.auto_formula)
    pts = min(top, max(ZERO, pts))
    return pts.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def check_rule(indicator, available=None):
    """Problems with an indicator's rule, as Chinese sentences (empty: fine). A rule is
    optional; once a formula is given, the rest must fit it."""
    problems = []
    ind = indicator
    if not ind.auto_formula:
        if ind.auto_measure or ind.auto_step is not None or ind.auto_threshold is not None:
            problems.append(_("choose a rule, or leave the figure counted and the points per unit empty"))
        if ind.auto_kind and not ind.auto_source:
            problems.append(_("a kind of record needs an automatic source"))
        return problems
    if not ind.auto_source:
        return [_("a rule needs an automatic source")]
    available = sources() if available is None else available
    if ind.auto_source not in available:
        problems.append(_("the source “%(source)s” is not available in this installation yet") % {
            "source": ind.get_auto_source_display()})
    if ind.method == Indicator.Method.YESNO:
        problems.append(_("a yes/no indicator cannot be computed by a rule"))
    allowed = SOURCE_MEASURES.get(ind.auto_source, ())
    if ind.auto_measure not in allowed:
        problems.append(_("“%(measure)s” is not a figure of %(source)s; choose one of: %(allowed)s") % {
            "measure": ind.get_auto_measure_display() if ind.auto_measure else "—",
            "source": ind.get_auto_source_display(),
            "allowed": "、".join(str(M(m).label) for m in allowed)})
    is_rate = ind.auto_measure in RATE_MEASURES
    if ind.auto_formula == F.RATE_MIN and ind.auto_measure and not is_rate:
        problems.append(_("the rate rule needs a rate (a figure in %)"))
    if ind.auto_formula != F.RATE_MIN and is_rate:
        problems.append(_("a rate (%) is counted by the rate rule only"))
    if ind.auto_step is None or ind.auto_step < 0:
        problems.append(_("give the points per unit (0 or more)"))
    if ind.auto_formula == F.RATE_MIN:
        if ind.auto_threshold is None or not (0 <= ind.auto_threshold <= 100):
            problems.append(_("give the rate from which full marks are given (0 to 100)"))
    elif ind.auto_threshold is not None:
        problems.append(_("a threshold belongs to the rate rule only"))
    if ind.auto_kind:
        source = available.get(ind.auto_source)
        kinds = source.kinds() if source is not None and source.kinds else []
        if not kinds:
            problems.append(_("%(source)s has no kinds; leave the kind empty") % {
                "source": ind.get_auto_source_display()})
        else:
            known = {k for k, _label in kinds}
            for kind in ind.auto_kind.split(","):
                if kind.strip() not in known:
                    problems.append(_("“%(kind)s” is not a kind of %(source)s (kinds: %(kinds)s)") % {
                        "kind": kind.strip(), "source": ind.get_auto_source_display(),
                        "kinds": "、".join(f"{k} {label}" for k, label in kinds)})
    return problems


def _n(value):
    return format(Decimal(value).normalize(), "f") if value is not None else "—"


def rule_text(indicator):
    """The rule in a sentence, for the scheme page and the member."""
    ind = indicator
    if not ind.auto_formula:
        return ""
    what = str(M(ind.auto_measure).label)
    source = ind.get_auto_source_display()
    if ind.auto_kind:
        source = f"{source}（{kind_label(ind)}）"
    numbers = {"what": what, "source": source, "step": _n(ind.auto_step), "max": _n(ind.maximum),
               "threshold": _n(ind.auto_threshold)}
    if ind.auto_formula == F.DEDUCT_PER:
        return _("%(source)s: %(max)s minus %(step)s per unit of “%(what)s”, not below 0.") % numbers
    if ind.auto_formula == F.ADD_PER:
        return _("%(source)s: %(step)s per unit of “%(what)s”, up to %(max)s.") % numbers
    return _("%(source)s: full marks (%(max)s) when “%(what)s” is %(threshold)s or more; %(step)s lost per "
             "percentage point below; full marks when there is nothing to rate.") % numbers


def kind_label(indicator):
    source = sources().get(indicator.auto_source)
    kinds = dict(source.kinds()) if source is not None and source.kinds else {}
    return "、".join(str(kinds.get(k.strip(), k.strip())) for k in indicator.auto_kind.split(","))


VALUE_LABELS = {
    "expected": gettext_lazy("expected"), "present": gettext_lazy("present"), "leave": gettext_lazy("on leave"), "absent": gettext_lazy("absent"),
    "makeup": gettext_lazy("made up"), "times": gettext_lazy("person-times"), "hours": gettext_lazy("hours"), "ratings": gettext_lazy("valid ratings"),
    "satisfied": gettext_lazy("satisfied"), "bad": gettext_lazy("bad reviews"), "default": gettext_lazy("default ratings"),
    "set_aside": gettext_lazy("set aside"), "signed": gettext_lazy("signed"), "unsigned": gettext_lazy("not signed"), "reads": gettext_lazy("read"),
}


VALUE_ORDER = list(VALUE_LABELS)


def ordered_figures(value):
    """[(key, value)] of a value-dict in the order people read them (expected before absent)."""
    return sorted((value or {}).items(), key=lambda kv: (VALUE_ORDER.index(kv[0]) if kv[0] in VALUE_ORDER
                                                          else len(VALUE_ORDER), kv[0]))


def figures_text(value):
    """“expected 4, present 3, absent 1” from a value-dict."""
    return "，".join(f"{VALUE_LABELS.get(k, k)} {_n(_dec(v))}" for k, v in ordered_figures(value))


def explain_cell(indicator, score):
    """Why a computed (or overridden) cell has its points, in one sentence."""
    value = score.source_value or {}
    fig = figure(indicator.auto_measure, value)
    text = _("From the records: %(figures)s → %(what)s %(figure)s → %(points)s points by the rule.") % {
        "figures": figures_text(value) or _("no record"), "what": M(indicator.auto_measure).label,
        "figure": _("none") if fig is None else _n(fig.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "points": _n(score.computed_points)}
    if score.override_reason:
        text += " " + _("Overridden by the scorer to %(points)s: %(reason)s") % {
            "points": _n(score.points), "reason": score.override_reason}
    return text


# Computation ------------------------------------------------------------------------------------

def rules_of(period):
    return [i for i in period.scheme.indicators.all() if i.is_computed]


def computes(indicator, available=None):
    """Whether this installation computes the indicator's cells: a rule on a source it has.
    Otherwise (no rule, or records this installation lacks) the scorer enters the points."""
    if not indicator.is_computed:
        return False
    return indicator.auto_source in (sources() if available is None else available)


def _population(period):
    """The assessed people: every cell of a rule, party or work, is computed for each of them
    (the grid lists work cells of people no department supervises too; the office scores those)."""
    return assessed_people(period.centre_id)


def _population_fingerprint(period):
    head = assessed_people(period.centre_id).aggregate(n=Count("pk"), last=Max("pk"), windows=Max("window_id"))
    return [head["n"], head["last"], head["windows"]]


def _hash(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _inputs(period, rules, available, reads):
    """{name: fingerprint} of everything the computation reads. A source's fingerprint does not
    depend on the kind, so it is asked once per source. A source without a cheap fingerprint is
    read now (kept in `reads` for the computation) and its data hashed."""
    first, last = month_bounds(period)
    out = {"people": _population_fingerprint(period)}
    asked = {}
    for key, kind in sorted({(r.auto_source, r.auto_kind) for r in rules}):
        source = available.get(key)
        if source is None:
            out[f"{key}:{kind}"] = None
            continue
        if key not in asked:
            asked[key] = source.fingerprint(period.centre, first, last) if source.fingerprint else None
        fp = asked[key]
        if fp is None:
            reads[(key, kind)] = source.read(period.centre, first, last, kind_arg(kind))
            fp = _hash(sorted((str(k), v) for k, v in reads[(key, kind)].items()))
        out[f"{key}:{kind}"] = fp
    return json.loads(json.dumps(out, default=str))


def ensure_computed(period, actor=None):
    """Recompute the month's automatic cells if a record or the population moved since the
    last computation. Cheap when nothing moved (a fingerprint query per source). Returns the
    number of cells written."""
    if not period.accepts_scores:
        return 0
    rules = rules_of(period)
    if not rules:
        return 0
    available = sources()
    reads = {}
    inputs = _inputs(period, rules, available, reads)
    if period.auto_computed_at is not None and period.auto_inputs == inputs:
        return 0
    return compute_month(period, actor=actor, inputs=inputs, reads=reads, rules=rules, available=available)


# The rule in SQL: the same arithmetic as `figure` and `points_for`, over the source's
# aggregate query joined to the assessed people (a person without a row has the zero figures).

def _sql_figure(measure, v):
    """The SQL of `figure(measure, value)`; `v[key]` is the SQL of one figure (never NULL)."""
    def rate(part, whole):
        return f"(CASE WHEN {v[whole]} = 0 THEN NULL ELSE {v[part]} * 100.0 / {v[whole]} END)"

    if measure == M.MISSED:
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        return f"({v['absent']} + {greatest}(0, {v['leave']} - {v['makeup']}))"
    if measure == M.ATTENDANCE:
        return rate("present", "expected")
    if measure == M.SATISFACTION:
        return rate("satisfied", "ratings")
    if measure == M.SIGNED_RATE:
        return rate("signed", "expected")
    plain = {M.ABSENT: "absent", M.TIMES: "times", M.HOURS: "hours", M.BAD: "bad", M.UNSIGNED: "unsigned",
             M.READS: "reads"}
    return v[plain[measure]]


def _sql_points(indicator, fig):
    """(SQL, params) of `points_for`: the rule, within 0 and the maximum, rounded half up to 0.1."""
    pg = connection.vendor == "postgresql"
    num = "CAST(%s AS numeric)" if pg else "CAST(%s AS REAL)"
    top, step = str(indicator.maximum), str(indicator.auto_step)
    if indicator.auto_formula == F.DEDUCT_PER:
        pts, params = f"({num} - {num} * {fig})", [top, step]
    elif indicator.auto_formula == F.ADD_PER:
        pts, params = f"({num} * {fig})", [step]
    elif indicator.auto_formula == F.RATE_MIN:
        thr = str(indicator.auto_threshold)
        pts = f"(CASE WHEN {fig} IS NULL OR {fig} >= {num} THEN {num} ELSE {num} - {num} * ({num} - {fig}) END)"
        params = [thr, top, top, step, thr]
    else:
        raise ValueError(indicator.auto_formula)
    if pg:
        return f"round(GREATEST(0, LEAST({num}, {pts})), 1)", [top, *params]
    # SQLite counts in binary floating point: a hair added so that a half (7.25) rounds up as in Decimal.
    return f"ROUND(MAX(0, MIN({num}, {pts})) + 1e-9, 1)", [top, *params]


def compute_month(period, *, actor=None, inputs=None, reads=None, rules=None, available=None, bulk=True):
    """Compute every automatic cell of the month from the records, set-based, into one
    `ComputedRow` per assessed person (`auto_rows`): when every rule's source has an aggregate
    query (`Source.figures`), one INSERT ... SELECT ... ON CONFLICT computes the figures and
    points in the database; otherwise one read per (source, kind) and the rules in Python. Only
    rows whose cells changed are written; an override (a Score row) keeps its points, and its
    copy of the rule's points and figures follows. Does nothing once the month no longer accepts
    scores. Audited when something changed. Returns the rows written or removed. `bulk=False`
    computes every rule in Python (the two paths give the same cells; tests compare them)."""
    from vanguard.core import audit
    from vanguard.core.system import SYSTEM

    with transaction.atomic():
        status, previous = Period.objects.filter(pk=period.pk).values_list("status", "auto_inputs").first() or (
            None, None)
        if status not in (Period.Status.OPEN, Period.Status.SCORING):
            return 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # One computation of a month at a time; publication (FOR UPDATE) waits for it.
                cursor.execute(f"SELECT 1 FROM {Period._meta.db_table} WHERE id = %s FOR SHARE", [period.pk])
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, period.pk])
        rules = rules_of(period) if rules is None else rules
        if not rules:
            return auto_rows.tidy(period, [], None)
        available = sources() if available is None else available
        reads = {} if reads is None else reads
        inputs = inputs if inputs is not None else _inputs(period, rules, available, reads)
        first, last = month_bounds(period)
        now = timezone.now()
        pairs = [(rule, available[rule.auto_source]) for rule in sorted(rules, key=lambda r: r.pk)
                 if rule.auto_source in available]
        people = _population(period)
        if not pairs:
            written = 0
        elif bulk and all(source.figures is not None for _rule, source in pairs):
            written = auto_rows.sql_rows(period, pairs, people, first, last, now)
        else:
            written = auto_rows.python_rows(period, [rule for rule, _s in pairs], available, reads,
                                            sorted(people.values_list("pk", flat=True)), first, last, now)
        # A source whose records were missing at the last computation has them now.
        appeared = bool(previous) and any(v is not None and previous.get(k, 0) is None for k, v in inputs.items())
        written += auto_rows.tidy(period, [rule.pk for rule, _s in pairs], people, hand_cells=appeared)
        Period.objects.filter(pk=period.pk).update(auto_computed_at=now, auto_inputs=inputs)
        period.auto_computed_at, period.auto_inputs = now, inputs
        if written:
            audit.record(actor or SYSTEM, audit.Action.ACTION, period, {
                "computed_rows": [None, written], "indicators": [None, [r.code for r in rules]],
                "records": [None, inputs]}, verb=audit.Event.AUTO_COMPUTED)
        return written


def records_changed(centre_id, day):
    """For an app that writes records (meetings, activities, ratings…): the month of `day`
    is recomputed now in the background if it is still being scored. Safe to call inside
    the writer's transaction: the task is enqueued once it commits. Nothing happens to a
    published month."""
    period = (Period.objects.filter(centre_id=centre_id, month=day.replace(day=1),
                                    status__in=[Period.Status.OPEN, Period.Status.SCORING])
              .values_list("pk", flat=True).first())
    if period is None:
        return False
    from .tasks import compute_month as task

    transaction.on_commit(lambda: task.enqueue(period))
    return True
