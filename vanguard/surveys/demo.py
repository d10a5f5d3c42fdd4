"""Demo evaluations: the two previous quarters closed (one named post fails both
and is revoked automatically on the second; passing disclosed posts are proposed
for naming, one proposal confirmed) and the current quarter open with invitations."""

import datetime
import random

from vanguard.posts.models import VanguardPost

from . import services
from .models import Decision, EvaluatorGroup


def _quarter(day):
    return day.year, (day.month - 1) // 3 + 1


def _previous(year, quarter):
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _answer(evaluation, codes, level_for, rng):
    posts, scale, texts = services.form_for(evaluation)
    for code in codes:
        scores = {(p.pk, q.pk): level_for(p, rng) for p in posts for q in scale}
        services.submit_answers(code, scores=scores, texts={texts[0].pk: rng.choice(["", "", "服务很好，继续保持",
                                                                                    "希望午间增开窗口"])}
                                if texts else {})


def build(ctx):
    rng = random.Random(7)
    office = ctx.users.get("office") or ctx.admin
    today = ctx.today
    posts = list(VanguardPost.objects.filter(centre=ctx.centre).exclude(status=VanguardPost.Status.DRAFT).order_by(
        "named_on", "pk"))
    named = [p for p in posts if p.status == VanguardPost.Status.NAMED and p.named_on]
    # The post that fails twice: the one named longest ago, so both failures fall within its naming.
    failing = named[0] if named else None
    chosen = posts[:10] if failing in posts[:10] else posts[:9] + [failing]

    def level_for(post, rng):
        if post == failing:
            return rng.choice([1, 2, 2, 3, 4])
        return rng.choice([5, 5, 5, 4, 4, 3]) if rng.random() > 0.02 else 2

    now_year, now_q = _quarter(today)
    q2 = _previous(now_year, now_q)
    q1 = _previous(*q2)
    closing_days = {q1: 100, q2: 10}
    evaluations = []
    for year, quarter in (q1, q2):
        evaluation = services.create_evaluation(office, ctx.centre, title=f"{year}年第{quarter}季度先锋岗满意度测评",
                                                year=year, quarter=quarter, posts=chosen, min_answers=12)
        services.open_evaluation(office, evaluation)
        codes = []
        for group in evaluation.groups.all():
            made = services.issue_invitations(office, evaluation, group=group, count=min(group.quota, 8))
            codes += [i.code for i in made]
        _answer(evaluation, codes[:20], level_for, rng)
        services.close_evaluation(office, evaluation,
                                  today=today - datetime.timedelta(days=closing_days[(year, quarter)]))
        evaluations.append(evaluation)
    # The office confirms one naming proposal of the latest evaluation and leaves the rest to decide.
    proposal = Decision.objects.filter(evaluation=evaluations[-1], kind=Decision.Kind.NAMING,
                                       state=Decision.State.PROPOSED).first()
    if proposal:
        services.confirm_naming(office, proposal)
    current = services.create_evaluation(office, ctx.centre, title=f"{now_year}年第{now_q}季度先锋岗满意度测评",
                                         year=now_year, quarter=now_q,
                                         posts=[p for p in chosen if p.pk != getattr(failing, "pk", None)],
                                         min_answers=12)
    services.open_evaluation(office, current)
    issued = 0
    for group in current.groups.all():
        channel = {EvaluatorGroup.Kind.DEPUTIES: "slip", EvaluatorGroup.Kind.USERS: "qr"}.get(group.kind, "sms")
        issued += len(services.issue_invitations(office, current, group=group, count=min(group.quota, 15),
                                                 channel=channel))
    codes = list(current.invitations.values_list("code", flat=True)[:6])
    _answer(current, codes, level_for, rng)
    failing.refresh_from_db()
    ctx.say(f"2 closed evaluations ({failing.name}: {failing.get_status_display()}), 1 open with {issued} "
            f"invitations")
