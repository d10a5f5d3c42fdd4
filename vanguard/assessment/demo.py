"""Demo data of the assessment: the scheme of the seed (21 + 35 indicators),
twelve published months with scores, adjustments from discipline inspections,
a veto now and then, stars, a few appeals (one upheld: a corrected version),
and the current month half-scored so the to-do lists have work in them.
Scores are bulk-written (one row per member x indicator x month); the
workflow steps go through the services so the audit trail reads as usual."""

import datetime
from decimal import Decimal

from django.utils import timezone

from vanguard.core.workdays import WorkingCalendar

from . import auto, services
from .models import Adjustment, Appeal, Cell, Period, Result, Scheme, Score
from .scheme_data import indicator_rows

INSPECTION_REASONS = {
    Adjustment.Aspect.IDENTITY: ("未佩戴党员徽章", "主动亮明党员身份，群众点赞"),
    Adjustment.Aspect.EXAMPLE: ("工作时间玩手机", "带头加班完成集中办件任务"),
    Adjustment.Aspect.SERVICE: ("未落实一次性告知", "为行动不便群众上门帮办"),
    Adjustment.Aspect.DISCIPLINE: ("迟到早退", "拒收服务对象礼品并及时报告"),
}


def _months(today, count):
    first = today.replace(day=1)
    months = []
    for back in range(count, 0, -1):
        year, month = first.year, first.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        months.append(datetime.date(year, month, 1))
    return months


def _points(rng, ind, skill):
    if ind.method == "yesno":
        return ind.maximum if rng.random() < 0.96 else Decimal("0")
    if ind.method == "add":
        return (ind.maximum * Decimal(str(round(rng.random() * skill, 2)))).quantize(Decimal("0.1"))
    if rng.random() < 0.82 + 0.15 * skill:
        return ind.maximum
    return max(Decimal("0"), ind.maximum - Decimal(rng.choice(["0.5", "1", "1.5", "2"])))


def _scores(ctx, period, indicators, members, scorer_for, now, share=1.0):
    """The scorers' points of the indicators entered by hand (the computed ones come from the records)."""
    rng = ctx.rng
    rows = []
    indicators = [i for i in indicators if not i.is_computed]
    for person in members:
        if rng.random() > share:
            continue
        skill = ctx.skill[person.pk]
        for ind in indicators:
            rows.append(Score(period=period, person_id=person.pk, indicator_id=ind.pk, points=_points(rng, ind, skill),
                              scored_by=scorer_for(person, ind), scored_at=now))
    Score.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _adjustments(ctx, period, members, office):
    rng = ctx.rng
    rows = []
    for person in rng.sample(members, k=min(len(members), 8)):
        aspect = rng.choice(list(INSPECTION_REASONS))
        bonus = rng.random() < 0.5
        rows.append(Adjustment(
            period=period, person=person, kind=Adjustment.Kind.BONUS if bonus else Adjustment.Kind.PENALTY,
            points=Decimal(rng.choice(["1", "2", "3"])), reason=INSPECTION_REASONS[aspect][1 if bonus else 0],
            source=Adjustment.Source.INSPECTION, aspect=aspect, status=Adjustment.Status.APPROVED,
            created_by=office, decided_by=office, decided_at=timezone.now()))
    if rng.random() < 0.4:
        rows.append(Adjustment(
            period=period, person=rng.choice(members), kind=Adjustment.Kind.VETO,
            reason="服务对象有效投诉（经核实）", source=Adjustment.Source.COMPLAINT,
            status=Adjustment.Status.APPROVED, created_by=office, decided_by=office, decided_at=timezone.now()))
    Adjustment.objects.bulk_create(rows)
    return len(rows)


def build(ctx):
    office = ctx.users["office"]
    secretary = ctx.users.get("secretary")
    scorer = ctx.users.get("scorer")
    members = [p for p in ctx.members if p.branch_id]
    ctx.skill = {p.pk: ctx.rng.random() for p in members}
    months = _months(ctx.today, 12)
    scheme = services.create_scheme(
        office, ctx.centre, name="窗口党员“双百分”考核", indicators=_rows_with_rules(ctx, months[0]),
        valid_from=months[0],
        formula=Scheme.Formula.SUM, threshold=Decimal("172"), quota_kind=Scheme.QuotaKind.PERCENT, quota_value=15,
        tie_break=Scheme.TieBreak.PARTY)
    indicators = list(scheme.indicators.all())
    first_branch = ctx.branches[0].pk if ctx.branches else None
    scorer_department = ctx.windows[0].department_id if ctx.windows else None
    windows = {w.pk: w for w in ctx.windows}

    def scorer_for(person, ind):
        if ind.part == "party":
            return secretary if person.branch_id == first_branch else office
        window = windows.get(person.window_id)
        return scorer if window is not None and window.department_id == scorer_department else office

    calendar = WorkingCalendar()
    total_scores = 0
    for index, month in enumerate(months):
        period = services.open_period(office, ctx.centre, month)
        services.start_scoring(office, period)
        now = timezone.now()
        total_scores += _scores(ctx, period, indicators, members, scorer_for, now)
        _adjustments(ctx, period, members, office)
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        published_on = calendar.add_working_days(next_month, 3)
        last = index == len(months) - 1
        # The latest month is in its publicity period now, so members can still appeal.
        period = services.publish_period(office, period, today=ctx.today if last else min(published_on, ctx.today))
        if not last:
            services.finalise_period(office, period, today=period.publicity_ends + datetime.timedelta(days=1))
    latest = Period.objects.get(centre=ctx.centre, month=months[-1])
    _appeals(ctx, latest, office)
    # The current month: being scored, about half done.
    current = services.open_period(office, ctx.centre, ctx.today.replace(day=1))
    services.start_scoring(office, current)
    total_scores += _scores(ctx, current, indicators, members, scorer_for, timezone.now(), share=0.5)
    computed = auto.ensure_computed(current)
    computed += Cell.objects.filter(period__centre=ctx.centre, computed=True).exclude(period=current).count()
    stars = Result.objects.filter(period__centre=ctx.centre, is_current=True, is_star=True).count()
    ctx.say(f"scheme {len(indicators)} indicators ({sum(i.is_computed for i in indicators)} from the records), "
            f"{len(months) + 1} months, {total_scores} scores entered, {computed} computed, "
            f"{stars} star person-times")


def _rows_with_rules(ctx, since):
    """The seed's indicators with the rules of the sources that hold demo records (ratings; the
    life app's meetings and activities once its demo has some): those cells come from the
    records; an indicator whose source has no record yet stays entered by hand."""
    first, last = since, ctx.today
    with_records = {key for key, source in auto.sources().items()
                    if source.read(ctx.centre, first, last, None)}
    rows = indicator_rows(rules=True)
    for row in rows:
        if row.get("auto_formula") and row["auto_source"] not in with_records:
            for key in ("auto_kind", "auto_measure", "auto_formula", "auto_step", "auto_threshold"):
                row.pop(key, None)
    return rows


def _appeals(ctx, period, office):
    """Three appeals on the month in publicity: one open, one rejected, one upheld with a correction."""
    results = list(Result.objects.filter(period=period, is_current=True, is_star=False, vetoed=False)
                   .select_related("person__user").order_by("rank_centre")[:12])
    member_user = ctx.users.get("member")
    people = [r.person for r in results]
    member_person = getattr(member_user, "person", None) if member_user else None
    party_ind = period.scheme.indicators.get(code="P06")
    work_ind = period.scheme.indicators.get(code="W08")
    texts = [("我本月按排班参加了全部下沉值守，记录有误。", party_ind),
             ("限时办结一项因系统故障超时，已有信息科证明。", work_ind),
             ("对本月业务考核扣分有异议。", work_ind)]
    appellants = ([member_person] if member_person and Result.objects.filter(period=period, person=member_person)
                  .exists() else []) + people
    made = []
    for (text, ind), person in zip(texts, appellants[:3], strict=False):
        appeal = Appeal.objects.create(period=period, person=person, indicator=ind, text=text,
                                                submitted_by=person.user if person.user_id else office)
        made.append(appeal)
    if len(made) >= 2:
        # Upheld where points were really taken off, so the correction shows as a new version.
        lost = (Cell.objects.filter(period=period, person=made[1].person, indicator__method="deduct",
                                     indicator__part="work").select_related("indicator").order_by("points").first())
        if lost is not None and lost.points < lost.indicator.maximum:
            made[1].indicator = lost.indicator
            made[1].save(update_fields=["indicator"])
        ind = made[1].indicator
        services.decide_appeal(office, made[1], uphold=True, answer="经核实，系统故障属实，恢复该项分值。",
                               corrections=[(ind, ind.maximum)])
    if len(made) >= 3:
        services.decide_appeal(office, made[2], uphold=False, answer="经复核，扣分依据充分，维持原评分。")
