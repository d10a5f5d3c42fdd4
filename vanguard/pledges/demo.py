"""Demo pledges and letters (see vanguard/core/demo.py), built through the services.

Last year: every party member pledged (about 1.55 pledges a member, as Harbin's 479,000
for 310,000), all reviewed, kept with progress, judged at mid-year and year-end:
about seven in ten kept (Harbin: 342,000 of 479,000), some partly, a few not. This year:
pledges in every state (awaiting review, returned, approved with progress, judged at
mid-year), comments awaiting moderation and published. Letters for every home unit for
last year (signed, tracked quarterly, scored, ranked) and drafted or sent for this year."""

import datetime

from django.utils import timezone

from vanguard.org.models import Person

from . import services
from .models import Letter, Pledge, Result, Target
from .selectors import figures, letter_figures, life_choices, stats_for

WHAT = [
    ("帮助老年人网上办事", "全年帮助不少于20位老年人完成网上办理"),
    ("做到材料一次告知", "全年因材料告知不全造成的退件为零"),
    ("联系社区群众10户", "每季度走访联系户不少于一次，记录在册"),
    ("参加志愿服务", "全年参加志愿服务不少于24小时"),
    ("学习新业务政策", "通过中心业务考试，成绩不低于90分"),
    ("带教窗口新同志", "带教1名新同志半年内独立上岗"),
    ("推行预约延时服务", "全年提供预约或延时服务不少于30次"),
    ("解决群众急难愁盼问题", "为群众解决实际困难不少于5件"),
]
PROGRESS = ["已帮助5位老人完成社保认证", "本季度走访联系户3户", "参加周末大扫除志愿服务4小时",
            "完成业务培训并通过考试", "新同志已能独立办理简单业务", "预约服务8次"]
REASONS = {Result.KEPT: "承诺事项已全部兑现，有记录和群众评价佐证",
           Result.PARTLY: "大部分兑现，个别指标未达到，已说明原因",
           Result.NOT_KEPT: "因岗位调整未能兑现，支部已谈话提醒"}
TARGETS = [
    ("party", "落实“三会一课”制度", "全年按时召开，党员参加率不低于90%", 20, Target.Metric.MANUAL),
    ("party", "党员双百分考核", "党员月度考核两部分平均分不低于90分", 10, Target.Metric.MEMBERS_RESULTS),
    ("service", "群众满意度", "全年好差评满意率不低于95%", 15, Target.Metric.SATISFACTION),
    ("service", "诉求按时答复", "诉求件按时答复率不低于95%", 15, Target.Metric.CASES_ON_TIME),
    ("posts", "先锋岗创建", "已命名先锋岗不被撤销", 15, Target.Metric.POSTS_KEPT),
    ("posts", "党员承诺兑现", "党员承诺兑现率不低于80%", 15, Target.Metric.PLEDGES_KEPT),
    ("integrity", "廉洁自律", "全年无违纪违规问题", 10, Target.Metric.MANUAL),
]

# A leader's own letter: their post's targets.
LEADER_TARGETS = [
    ("party", "履行“一岗双责”", "带头参加“三会一课”，讲党课不少于1次", 40, Target.Metric.MANUAL),
    ("posts", "本人承诺兑现", "本人承诺全部兑现", 40, Target.Metric.PLEDGES_KEPT),
    ("integrity", "廉洁从政", "无违纪违规问题", 20, Target.Metric.MANUAL),
]


def _result(rng):
    roll = rng.random()
    return Result.KEPT if roll < 0.714 else (Result.PARTLY if roll < 0.93 else Result.NOT_KEPT)


def build(ctx):
    office = ctx.users.get("office") or ctx.admin
    member_user = ctx.users.get("member")
    rng, today = ctx.rng, ctx.today
    last, this = today.year - 1, today.year
    members = [p for p in ctx.members if p.branch_id]
    own = getattr(member_user, "person", None) if member_user else None

    def make(person, year, index):
        what, measure = WHAT[index % len(WHAT)]
        month = 3 + (index * 5) % 9
        actor = member_user if own is not None and person.pk == own.pk else office
        return services.make_pledge(actor, person, year=year, what=what, measure=measure,
                                    deadline=datetime.date(year, month, 28))

    # Last year: everyone pledged; the whole cycle is done.
    made = 0
    for i, person in enumerate(members):
        for k in range(2 if i % 20 < 11 else 1):  # 11 of 20 members make two: 1.55 a member
            pledge = make(person, last, i + k)
            made += 1
            services.review_pledge(office, pledge, approve=True)
            item = services.record_progress(office, pledge, text=PROGRESS[(i + k) % len(PROGRESS)],
                                            day=datetime.date(last, 6, 15))
            services.confirm_progress(office, item)
            services.judge_pledge(office, pledge, stage=services.MIDYEAR, result=Result.KEPT
                                  if rng.random() < 0.6 else Result.PARTLY, reason="上半年按计划推进")
            result = _result(rng)
            services.judge_pledge(office, pledge, stage=services.YEAR_END, result=result, reason=REASONS[result])

    # This year: every state.
    for i, person in enumerate(members[: max(12, len(members) // 2)]):
        pledge = make(person, this, i)
        state = i % 6
        if state == 0:
            continue  # awaiting review
        if state == 1:
            services.review_pledge(office, pledge, approve=False, reason="可衡量结果不够具体，请写明数量")
            continue
        pledge = services.review_pledge(office, pledge, approve=True)
        if state >= 3 and today > datetime.date(this, 1, 10):
            item = services.record_progress(office, pledge, text=PROGRESS[i % len(PROGRESS)],
                                            day=datetime.date(this, 1, 10))
            if state >= 4:
                services.confirm_progress(office, item)
        if state == 5 and today.month >= 7:
            services.judge_pledge(office, pledge, stage=services.MIDYEAR, result=Result.KEPT, reason="上半年进展顺利")
        if state in (2, 4):
            services.add_comment(None, pledge, body="为你点赞！有事找你很放心，电话13812345678", author_name="办事群众")
            if state == 4:
                comment = pledge.comments.first()
                services.moderate_comment(office, comment, publish=True)
    # The member's own pledge of this year, approved, for the signboard and the wall.
    if own is not None and own.is_party_member and own.branch_id:
        own = Person.objects.get(pk=own.pk)
        if not Pledge.objects.filter(person=own, year=this, status=Pledge.Status.APPROVED).exists():
            pledge = services.make_pledge(member_user, own, year=this, what="全年为企业提供帮办代办服务",
                                          measure="帮办代办不少于50件", deadline=datetime.date(this, 12, 31))
            services.review_pledge(office, pledge, approve=True)
        # Progress that cites one of the member's own meetings or activities (the life app's demo).
        pledge = Pledge.objects.filter(person=own, year=this, status=Pledge.Status.APPROVED).order_by("pk").first()
        chosen = next(iter(life_choices(pledge)), None)
        if chosen is not None:
            kind, number = chosen[0][0], chosen[0][1:]
            services.record_progress(member_user, pledge, text="参加支部活动，带头做好帮办代办",
                                     **({"meeting": number} if kind == "m" else {"activity": number}))

    # Letters: every home unit, last year done and ranked; this year drafted or sent.
    targets = [{"section": s, "text": t, "measure": m, "weight": w, "metric": metric} for s, t, m, w, metric in TARGETS]
    leader_targets = [{"section": s, "text": t, "measure": m, "weight": w, "metric": metric}
                      for s, t, m, w, metric in LEADER_TARGETS]
    for n, unit in enumerate(ctx.home_units):
        letter = services.create_letter(office, ctx.centre, year=last, unit=unit, targets=targets)
        Letter.objects.filter(pk=letter.pk).update(created_at=timezone.now())
        services.send_letter(office, letter)
        letter.refresh_from_db()
        services.sign_letter(office, letter, signatory=f"{unit.name}负责人", signed_on=timezone.localdate())
        for target in letter.targets.filter(metric=Target.Metric.MANUAL):
            for quarter in range(1, 5):
                services.record_target_progress(office, target, quarter=quarter,
                                                percent=min(100, 20 * quarter + (n * 7) % 25),
                                                note=f"第{quarter}季度按计划推进")
        services.score_letter(office, letter)
        # The unit's leader signs a letter of their own post's targets.
        leader = Person.objects.filter(unit=unit, is_active=True).order_by("pk").first()
        if leader is not None:
            own_letter = services.create_letter(office, ctx.centre, year=last, unit=unit, kind=Letter.Kind.LEADER,
                                                leader=leader, targets=leader_targets)
            services.send_letter(office, own_letter)
            own_letter.refresh_from_db()
            services.sign_letter(office, own_letter, signatory=leader.name, signed_on=timezone.localdate())
            for target in own_letter.targets.filter(metric=Target.Metric.MANUAL):
                services.record_target_progress(office, target, quarter=4, percent=90 + n % 11,
                                                note="全年履行岗位职责")
            services.score_letter(office, own_letter)
        this_letter = services.create_letter(office, ctx.centre, year=this, unit=unit, targets=targets)
        if n % 2 == 0:
            services.send_letter(office, this_letter)
    if ctx.home_units:
        services.publish_letter_results(office, ctx.centre, last)
    total, _rows = figures(stats_for(office), last)
    signed = letter_figures(Letter.objects.filter(centre=ctx.centre), last)
    ctx.say(f"{last}: {total['members']} members made {total['made']} pledges, {total['kept']} kept "
            f"(partly {total['partly']}, not {total['not_kept']}); {signed['units']} units signed letters, "
            f"with {signed['leaders']} leaders")
