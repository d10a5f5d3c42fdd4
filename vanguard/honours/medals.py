"""Honours' use cases: rotating medals (流动奖牌), moved by their rule each period or by decision,
with the full history of holdings."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit, system
from vanguard.org.models import Floor, Organization, Window
from vanguard.posts.models import VanguardPost

from .base import (
    _actor_user,
    _office,
    _text,
)
from .models import (
    Holding,
    Medal,
    MedalScheme,
)


@transaction.atomic
def create_medal_scheme(actor, centre, *, name, count=10, holder_kind=MedalScheme.HolderKind.WINDOW,
                        cadence=MedalScheme.Cadence.MONTH, rule=MedalScheme.Rule.SATISFACTION, min_ratings=30):
    _office(actor, centre.pk)
    errors = {}
    name = _text(name, 60)
    if not name:
        errors["name"] = _("Give the medals a name.")
    elif MedalScheme.objects.filter(centre=centre, name=name).exists():
        errors["name"] = _("Medals of this name already exist.")
    try:
        count = int(count)
        if not 1 <= count <= 200:
            raise ValueError
    except (TypeError, ValueError):
        errors["count"] = _("Between 1 and 200 medals.")
    if holder_kind not in MedalScheme.HolderKind.values:
        errors["holder_kind"] = _("Medals pass between windows or branches.")
    if cadence not in MedalScheme.Cadence.values:
        errors["cadence"] = _("Medals move monthly or quarterly.")
    if rule not in MedalScheme.Rule.values:
        errors["rule"] = _("Choose the rule.")
    try:
        min_ratings = int(min_ratings)
        if min_ratings < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["min_ratings"] = _("The minimum number of ratings cannot be negative.")
    if errors:
        raise ValidationError(errors)
    scheme = MedalScheme.objects.create(centre=centre, name=name, count=count, holder_kind=holder_kind,
                                        cadence=cadence, rule=rule, min_ratings=min_ratings)
    Medal.objects.bulk_create([Medal(scheme=scheme, number=i) for i in range(1, count + 1)])
    audit.record_create(actor, scheme, verb=audit.Event.MEDALS_CREATED)
    return scheme


def period_of(scheme, day):
    """The first day of the scheme's period (month or quarter) containing `day`."""
    if scheme.cadence == MedalScheme.Cadence.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def next_period(scheme, start):
    months = 3 if scheme.cadence == MedalScheme.Cadence.QUARTER else 1
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def previous_period(scheme, start):
    months = 3 if scheme.cadence == MedalScheme.Cadence.QUARTER else 1
    month = start.month - 1 - months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def _holder_floor(scheme, holder):
    if scheme.holder_kind == MedalScheme.HolderKind.WINDOW:
        return holder.floor_id
    return holder.floor_id


def _label(scheme, period):
    if scheme.cadence == MedalScheme.Cadence.QUARTER:
        return _("%(year)s Q%(quarter)s") % {"year": period.year, "quarter": (period.month - 1) // 3 + 1}
    return _("%(year)s-%(month)02d") % {"year": period.year, "month": period.month}


def _forget_signboards(window_ids):
    """A shared cache keeps rendered signboards until told: forget those of the windows whose
    medals changed, once the change commits (a per-process cache reads the post's version)."""
    window_ids = {w for w in window_ids if w}
    if not window_ids:
        return
    from vanguard.posts.signcache import forget_signboard

    codes = list(VanguardPost.objects.filter(window_id__in=window_ids).values_list("code", flat=True))
    transaction.on_commit(lambda: [forget_signboard(code) for code in codes])


def _move(scheme, assignments, period, how, actor, today):
    """assignments: {medal: (holder, reason, rate, ratings)}; ends the medals' current holdings
    whose holder changes and opens the new ones, in medal order (no deadlock)."""
    current = {h.medal_id: h for h in Holding.objects.select_for_update().filter(scheme=scheme, ended_on=None)}
    field = scheme.holder_kind
    moved = []
    ending = [current[medal.pk].pk for medal in assignments if medal.pk in current]
    # Release the medals first, so a holder may pass from one medal number to another.
    if ending:
        Holding.objects.filter(pk__in=ending).update(ended_on=today)
    _forget_signboards([h.window_id for h in current.values() if h.pk in ending]
                       + [holder.pk for holder, *_rest in assignments.values() if field == "window"])
    for medal, (holder, reason, rate, ratings) in sorted(assignments.items(), key=lambda kv: kv[0].number):
        moved.append(Holding(scheme=scheme, medal=medal, period=period, started_on=today, how=how, reason=reason[:300],
                             rate=rate, ratings=ratings, decided_by=_actor_user(actor),
                             floor_id=_holder_floor(scheme, holder), **{field: holder}))
    Holding.objects.bulk_create(moved)
    return moved


@transaction.atomic
def rotate_medals(actor, scheme, *, period, today=None):
    """Move the medals by the rule for `period` (judged on the figures of the period before it):
    the windows or branches with the best satisfaction rate among those with at least
    `min_ratings` ratings; ties by more ratings. A holder that stays among the best keeps
    its medal; the medals of those that drop out pass to the new ones. Each holding
    says why."""
    _office(actor, scheme.centre_id)
    scheme = MedalScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.rule != MedalScheme.Rule.SATISFACTION:
        raise ValidationError(_("These medals move by decision, not by a rule."))
    period = period_of(scheme, period)
    if scheme.last_period and period <= scheme.last_period:
        raise ValidationError(_("The medals have already moved for %(period)s.") % {"period": _label(scheme, period)})
    judged = previous_period(scheme, period)
    from vanguard.ratings import figures

    stats = figures.period_ranking(scheme.centre_id, scheme.holder_kind, scheme.cadence, judged)
    model = Window if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else Organization
    qualified = [(k, s) for k, s in stats.items() if s["rate"] is not None and s["total"] >= scheme.min_ratings]
    qualified.sort(key=lambda ks: (-ks[1]["rate"], -ks[1]["total"], ks[0]))
    holders = model.objects.in_bulk([k for k, _s in qualified])
    qualified = [(k, s) for k, s in qualified if k in holders and holders[k].centre_id == scheme.centre_id]
    if scheme.holder_kind == MedalScheme.HolderKind.BRANCH:
        qualified = [(k, s) for k, s in qualified if holders[k].kind == Organization.Kind.BRANCH]
    best = qualified[:scheme.count]
    places = {k: i for i, (k, _s) in enumerate(best, start=1)}
    medals = list(scheme.medals.order_by("number"))
    field = f"{scheme.holder_kind}_id"
    current = {getattr(h, field): h for h in Holding.objects.filter(scheme=scheme, ended_on=None)}
    label = _label(scheme, judged)
    assignments, kept = {}, set()
    for key, _s in best:
        if key in current:
            kept.add(current[key].medal_id)
    free = [m for m in medals if m.pk not in kept]
    for key, s in best:
        reason = _("%(period)s: satisfaction rate %(rate)s%% over %(total)s ratings, place %(place)s of %(count)s "
                   "(rule: best rate with at least %(min)s ratings)") % {
            "period": label, "rate": s["rate"], "total": s["total"], "place": places[key],
            "count": len(qualified), "min": scheme.min_ratings}
        held = current.get(key)
        medal = next(m for m in medals if m.pk == held.medal_id) if held is not None else free.pop(0)
        assignments[medal] = (holders[key], reason, s["rate"], s["total"])
    # Medals nobody qualified for: vacant (their holding ends), said in the audit row.
    vacant = [m for m in medals if m not in assignments]
    today = today or timezone.localdate()
    if vacant:
        ending = Holding.objects.filter(scheme=scheme, ended_on=None, medal__in=vacant)
        _forget_signboards(ending.values_list("window_id", flat=True))
        ending.update(ended_on=today)
    moved = _move(scheme, assignments, period, Holding.How.RULE, actor, today)
    scheme.last_period = period
    scheme.save(update_fields=["last_period"])
    audit.record(actor, audit.Action.UPDATE, scheme, {"period": [None, period.isoformat()],
                                                       "holders": [None, [h.holder_name for h in moved]],
                                                       "vacant": [None, len(vacant)]}, verb=audit.Event.MEDALS_MOVED)
    return moved


@transaction.atomic
def award_medal(actor, medal, *, holder, reason, today=None):
    """Pass one medal by decision, with the reason."""
    scheme = medal.scheme
    _office(actor, scheme.centre_id)
    scheme = MedalScheme.objects.select_for_update().get(pk=scheme.pk)
    reason = _text(reason, 300)
    model = Window if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else Organization
    if not isinstance(holder, model) or holder.centre_id != scheme.centre_id:
        raise ValidationError({"holder": _("Choose a %(kind)s of this centre.") % {
            "kind": scheme.get_holder_kind_display()}})
    if not reason:
        raise ValidationError({"reason": _("Say why the medal passes to “%(name)s”.") % {"name": holder}})
    today = today or timezone.localdate()
    field = scheme.holder_kind
    if Holding.objects.filter(scheme=scheme, ended_on=None, **{field: holder}).exclude(medal=medal).exists():
        raise ValidationError({"holder": _("“%(name)s” already holds one of these medals.") % {"name": holder}})
    period = period_of(scheme, today)
    if Holding.objects.filter(medal=medal, period=period).exists():
        # A second decision in the same period replaces the first one's holder from today on.
        ending = Holding.objects.filter(medal=medal, ended_on=None)
        _forget_signboards(ending.values_list("window_id", flat=True))
        ending.update(ended_on=today)
        period = today
    moved = _move(scheme, {medal: (holder, reason, None, None)}, period, Holding.How.DECISION, actor, today)
    audit.record_create(actor, moved[0], verb=audit.Event.MEDAL_PASSED, centre_id=scheme.centre_id)
    return moved[0]


def due_rotations(today=None):
    """(scheme, period) pairs whose period has begun and whose medals have not moved yet."""
    today = today or timezone.localdate()
    out = []
    for scheme in MedalScheme.objects.filter(active=True, rule=MedalScheme.Rule.SATISFACTION):
        period = period_of(scheme, today)
        if scheme.last_period is None or scheme.last_period < period:
            out.append((scheme, period))
    return out


def rotate_due(today=None):
    """The job at the turn of the month: every active scheme whose period began moves once."""
    done = []
    for scheme, period in due_rotations(today):
        done.append((scheme, rotate_medals(system.SYSTEM, scheme, period=period, today=today)))
    return done


def floor_of(floor_id):
    return Floor.objects.filter(pk=floor_id).first()
