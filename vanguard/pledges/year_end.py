"""Units' annual party-building target assessment: each signed letter scored at year end
from its evidence (read from the data where it exists), then ranked and published."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit

from .letters import _require_office
from .models import Letter, Pledge, PledgeStat, Target

Status = Pledge.Status


def _rate(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def evidence_for(target):
    """(achieved %, words) of one target from the data: pledges kept, posts not revoked, the
    satisfaction rate, ratings that were not bad reviews, cases answered on time (cases'
    selectors), the members' monthly assessment results (assessment's selectors), or the
    latest quarterly progress entered. A leader's letter reads the leader's own records."""
    letter = target.letter
    Metric = Target.Metric
    if target.metric == Metric.PLEDGES_KEPT:
        stats = PledgeStat.objects.filter(year=letter.year, unit_id=letter.unit_id).order_by()
        if letter.leader_id:
            stats = None
            rows = Pledge.objects.filter(year=letter.year, person_id=letter.leader_id).aggregate(
                approved=Count("pk", filter=Q(status=Status.APPROVED)), kept=Count("pk", filter=Q(result="kept")))
        else:
            rows = {"approved": 0, "kept": 0}
            for s in stats.values("approved", "kept"):
                rows["approved"] += s["approved"]
                rows["kept"] += s["kept"]
        rate = _rate(rows["kept"], rows["approved"])
        return rate, _("%(kept)s of %(approved)s approved pledges kept") % rows
    if target.metric == Metric.POSTS_KEPT:
        from vanguard.posts.models import VanguardPost

        posts = VanguardPost.objects.filter(Q(unit_id=letter.unit_id) | Q(window__unit_id=letter.unit_id))
        counts = posts.aggregate(named=Count("pk", filter=Q(status="named"), distinct=True),
                                 revoked=Count("pk", filter=Q(status="revoked"), distinct=True))
        rate = _rate(counts["named"], counts["named"] + counts["revoked"])
        return rate, _("%(named)s posts named, %(revoked)s revoked") % counts
    if target.metric in (Metric.SATISFACTION, Metric.BAD_REVIEWS):
        from vanguard.ratings import figures

        data = figures.period_figures("unit", letter.unit_id, "year", datetime.date(letter.year, 1, 1))
        if target.metric == Metric.BAD_REVIEWS:
            # Achieved: the share of ratings that were not bad (一般 and better).
            rate = _rate(data["total"] - data["bad"], data["total"])
            return rate, _("%(bad)s bad reviews of %(total)s ratings") % {"bad": data["bad"], "total": data["total"]}
        rate = None if data["rate"] is None else Decimal(str(data["rate"]))
        return rate, _("satisfaction %(rate)s%% of %(total)s ratings") % {
            "rate": data["rate"] if data["rate"] is not None else "—", "total": data["total"]}
    if target.metric == Metric.CASES_ON_TIME:
        from vanguard.cases.selectors import answered_on_time

        who = {"person_id": letter.leader_id} if letter.leader_id else {"unit_id": letter.unit_id}
        counts = answered_on_time(letter.year, **who)
        return _rate(counts["on_time"], counts["answered"]), _(
            "%(on_time)s of %(answered)s cases answered on time") % counts
    if target.metric == Metric.MEMBERS_RESULTS:
        from vanguard.assessment.selectors import year_results

        who = {"person_id": letter.leader_id} if letter.leader_id else {"unit_id": letter.unit_id}
        row = year_results(letter.year, **who)
        parts = [Decimal(v) for v in (row["party"], row["work"]) if v is not None]
        rate = (sum(parts) / len(parts)).quantize(Decimal("0.01"), ROUND_HALF_UP) if parts else None
        return (min(rate, Decimal(100)) if rate is not None else None), _(
            "%(members)s members, %(months)s monthly results, average %(average)s of 100 per part, "
            "%(stars)s star months") % {**row, "average": rate if rate is not None else "—"}
    latest = target.progress.order_by("-quarter").first()
    if latest is None:
        return None, _("no progress recorded")
    return Decimal(latest.percent), _("quarter %(q)s: %(percent)s%%") % {"q": latest.quarter,
                                                                        "percent": latest.percent}


@transaction.atomic
def score_letter(actor, letter):
    """The year-end score of a signed letter, recomputed from its evidence: each target's
    weight times its achievement; a target without evidence scores 0."""
    _require_office(actor, letter.centre_id)
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != Letter.Status.SIGNED:
        raise ValidationError({"status": _("Only a signed letter is scored.")})
    before = audit.snapshot(letter)
    total = Decimal("0")
    targets = list(letter.targets.select_related("letter"))
    for target in targets:
        achieved, words = evidence_for(target)
        target.achieved = achieved
        target.score = ((Decimal(target.weight) * (achieved or 0)) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        target.evidence_note = str(words)[:200]
        total += target.score
    Target.objects.bulk_update(targets, ["achieved", "score", "evidence_note"])
    letter.score, letter.scored_at = total, timezone.now()
    letter.save()
    audit.record_update(actor, letter, before, verb=audit.Event.LETTER_SCORED)
    return letter


@transaction.atomic
def publish_letter_results(actor, centre, year):
    """Rank the scored units' letters of a year and publish them."""
    _require_office(actor, centre.pk)
    letters = list(Letter.objects.select_for_update().filter(centre=centre, year=year, kind=Letter.Kind.UNIT,
                                                              score__isnull=False).order_by("-score", "unit__name"))
    if not letters:
        raise ValidationError({"year": _("No scored letters of %(year)s to publish.") % {"year": year}})
    now, rank, previous = timezone.now(), 0, None
    for position, letter in enumerate(letters, start=1):
        if letter.score != previous:
            rank, previous = position, letter.score
        letter.rank, letter.published_at = rank, now
    Letter.objects.bulk_update(letters, ["rank", "published_at"])
    audit.record(actor, audit.Action.ACTION, centre, {"letters": [None, [lt.pk for lt in letters]]},
                 verb=audit.Event.LETTER_RESULTS_PUBLISHED)
    return letters
