"""Why a member is or is not a star: one sentence from the stored result and
the scheme's rule, so the member reads the very numbers that decided it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import Adjustment, Result, Scheme


def rule_text(scheme):
    if scheme.formula == Scheme.Formula.WEIGHTED:
        formula = _("total = party-building part × %(pw)s + work part × %(ww)s + bonus − penalty") % {
            "pw": scheme.party_weight.normalize(), "ww": scheme.work_weight.normalize()}
    else:
        formula = _("total = party-building part + work part + bonus − penalty")
    return _("%(formula)s; a star needs at least %(threshold)s points and no veto; %(quota)s; "
             "ties: %(tie)s, then earlier registration.") % {
        "formula": formula, "threshold": scheme.threshold.normalize(), "quota": scheme.quota_text(),
        "tie": scheme.get_tie_break_display()}


def explain(result, scheme, vetoes=()):
    if result.reason == Result.Reason.UNASSESSED:
        return _("Not assessed this month in: %(parts)s (no score was entered). No points were made up for "
                 "it, so there is no total, no rank and no star.") % {
            "parts": "、".join(str(p) for p in result.unassessed_parts())}
    numbers = {"total": result.total.normalize(), "threshold": scheme.threshold.normalize(),
               "place": result.star_place, "quota": result.quota, "size": result.branch_size,
               "rule": scheme.quota_text(), "tie": scheme.get_tie_break_display()}
    if result.reason == Result.Reason.VETOED:
        reasons = "；".join(v.reason for v in vetoes) or _("see the adjustments")
        return _("Ruled out by a veto this month (%(reasons)s): no star, whatever the score.") % {
            "reasons": reasons}
    if result.reason == Result.Reason.BELOW:
        return _("Total %(total)s is below the star threshold of %(threshold)s.") % numbers
    if result.reason == Result.Reason.QUOTA:
        return _("Total %(total)s reaches the threshold of %(threshold)s, but is place %(place)s among the "
                 "branch's qualifying members, beyond its quota of %(quota)s (%(rule)s, %(size)s members "
                 "assessed; ties: %(tie)s).") % numbers
    return _("Total %(total)s reaches the threshold of %(threshold)s, place %(place)s among the branch's "
             "qualifying members within its quota of %(quota)s (%(rule)s, %(size)s members assessed), "
             "and no veto: star member.") % numbers


def vetoes_of(period, person):
    return list(Adjustment.objects.filter(period=period, person=person, kind=Adjustment.Kind.VETO,
                                          status=Adjustment.Status.APPROVED))


CHANGE_FIELDS = [("party_points", _lazy("party-building part")), ("work_points", _lazy("work part")),
                 ("bonus", _lazy("bonus")), ("penalty", _lazy("penalty")), ("total", _lazy("total")),
                 ("rank_branch", _lazy("rank in branch")), ("rank_centre", _lazy("rank in centre")),
                 ("is_star", _lazy("star member"))]


def changes_between(old, new):
    """[(label, old, new)] of what a new version changed."""
    out = []
    for field, label in CHANGE_FIELDS:
        a, b = getattr(old, field), getattr(new, field)
        if a != b:
            if isinstance(a, bool):
                a, b = (_("yes") if a else _("no")), (_("yes") if b else _("no"))
            out.append((str(label), a, b))
    return out
