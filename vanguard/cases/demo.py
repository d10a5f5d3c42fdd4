"""Demo cases: a year of complaints, suggestions, requests for help and praise about the
demo centre's posts, windows and people, routed to the windows' units, in every state
(to dispatch, awaiting acceptance, returned, being handled, supervised, extension asked,
answered, office to decide, closed after one or two rounds, overdue). Older cases are
written with bulk_create and their steps in order; the most recent few go through the
services, so their audit trail is real too."""

import datetime
import random

from django.utils import timezone

from vanguard.core.system import SYSTEM
from vanguard.core.workdays import WorkingCalendar
from vanguard.posts.models import VanguardPost

from . import services
from .models import Callback, Case, CaseRules, CaseStep, Extension, Kind, Source, Status, new_number

Step = CaseStep.Action
PER_WEEK = (6, 12)
TEXTS = {
    Kind.COMPLAINT: ["窗口人员态度生硬，问了两遍才回答", "材料要求没有一次告知，跑了三趟", "午休时间窗口提前关闭",
                     "叫号后等了四十分钟没人办理", "自助机坏了一周没人修"],
    Kind.SUGGESTION: ["建议增加周末延时服务", "希望大厅多放几把老花镜", "建议公布各窗口的排队人数",
                      "停车场指示牌不清楚，建议加装"],
    Kind.HELP: ["老人不会用自助机，请安排人帮办", "营业执照遗失，不知道怎么补办", "外地社保转入需要什么材料"],
    Kind.PRAISE: ["工作人员耐心细致，一次就办好了", "帮我们企业加班加点办完手续，谢谢", "主动上门服务，非常感谢"],
}
ANSWERS = ["经核实情况属实，已对当事人批评教育并整改", "已安排专人负责，问题已解决", "已采纳建议，将于下月实施",
           "已电话联系群众说明办理流程"]
SOURCES = [Source.SIGNBOARD] * 5 + [Source.PHONE] * 3 + [Source.LETTER, Source.RATING_COMMENT, Source.API]


def _kind(rng):
    return rng.choices([Kind.COMPLAINT, Kind.SUGGESTION, Kind.HELP, Kind.PRAISE], [5, 3, 2, 2])[0]


def build(ctx):
    rng = random.Random(14)
    centre, today = ctx.centre, ctx.today
    tz = timezone.get_current_timezone()
    cal = WorkingCalendar()
    rules = CaseRules.objects.create(centre=centre)
    posts = list(VanguardPost.objects.filter(centre=centre).select_related("window", "unit"))
    staff = [p for p in ctx.people if p.window_id and p.unit_id]
    handler = ctx.users.get("handler")
    handler_units = set(handler.grants.filter(unit__isnull=False).values_list("unit_id", flat=True)) if handler \
        else set()
    cases = []
    latest = timezone.now() - datetime.timedelta(days=2)
    day = today - datetime.timedelta(days=365)
    while day < today - datetime.timedelta(days=3):
        for _i in range(rng.randint(*PER_WEEK) if day.weekday() == 0 else 0):
            received = min(latest, datetime.datetime.combine(day + datetime.timedelta(days=rng.randrange(5)),
                                                             datetime.time(9 + rng.randrange(8), rng.randrange(60)),
                                                             tzinfo=tz))
            kind = _kind(rng)
            post = rng.choice(posts) if posts and rng.random() < 0.6 else None
            person = rng.choice(staff) if not post and staff and rng.random() < 0.5 else None
            window = post.window if post and post.window_id else (person.window if person else None)
            unit = services.route(post=post, window=window, person=person) or rng.choice(ctx.home_units)
            mobile = f"1390001{len(cases):04d}" if rng.random() < 0.6 else ""
            text = rng.choice(TEXTS[kind])
            cases.append(Case(
                number=new_number(), centre=centre, kind=kind, source=rng.choice(SOURCES), content=text,
                public_content=text, post=post, window=window, person=person, unit=unit, anonymous=not mobile,
                contact_name="张先生" if mobile else "", contact_mobile=mobile, mobile_verified=bool(mobile),
                received_at=received, received_on=timezone.localdate(received),
                source_ref=f"12345-{received:%Y%m%d}-{len(cases):04d}" if rng.random() < 0.2 else ""))
        day += datetime.timedelta(days=1)
    Case.objects.bulk_create(cases, batch_size=1000)
    steps = []

    def step(case, action, at, note="", public_note="", public=True, deadline=None, actor="system", round_=1):
        steps.append(CaseStep(case=case, round=round_, action=action, at=past(at), actor_name=actor, unit_id=case.unit_id,
                              note=note, public_note=public_note, public=public, deadline=deadline))

    now = timezone.now()

    def past(moment):
        return min(moment, now - datetime.timedelta(minutes=30))

    for case in cases:
        at = case.received_at
        step(case, Step.RECEIVE, at, public_note=case.get_source_display())
        if case.kind == Kind.PRAISE:
            case.status, case.closed_at = Status.CLOSED, at
            step(case, Step.THANKS, at, public_note="谢谢！您的表扬已转达。")
            continue
        age = (today - case.received_on).days
        if age < 21 and rng.random() < 0.06:
            case.unit = None  # nothing names its unit: the office dispatches it
            continue
        case.status, case.dispatched_at = Status.DISPATCHED, at
        case.accept_due = cal.add_working_days(case.received_on, rules.accept_days)
        case.due = cal.add_working_days(case.received_on, rules.days_for(case.kind))
        step(case, Step.DISPATCH, at, deadline=case.due, public_note=f"已转{case.unit.name}办理，{case.due}前答复。")
        roll = rng.random()
        if age < 14 and roll < 0.25:
            continue  # awaiting acceptance
        if age < 30 and roll < 0.32:
            case.status, case.return_reason = Status.RETURNED, "该事项不属于本单位职责"
            step(case, Step.RETURN, at + datetime.timedelta(hours=3), note=case.return_reason, public=False,
                 actor="handler")
            continue
        accepted = at + datetime.timedelta(hours=rng.randint(1, 20))
        accepted = past(accepted)
        case.status, case.accepted_at = Status.ACCEPTED, accepted
        step(case, Step.ACCEPT, accepted, public_note="承办单位已签收。", actor="handler")
        if rng.random() < 0.08:
            case.supervised_at = past(accepted + datetime.timedelta(days=1))
            case.supervision_due = case.due
            case.supervision_note = "请单位负责人亲自过问，按期答复"
            step(case, Step.SUPERVISE, case.supervised_at, note=case.supervision_note, deadline=case.due,
                 actor="office", public_note=f"党建科督办，{case.due}前答复。")
        if age < 20 and roll < 0.5:
            if roll < 0.4:
                case.extension, case.extension_days, case.extension_reason = Extension.REQUESTED, 3, "需要调取材料核实"
                step(case, Step.ASK_EXTENSION, accepted + datetime.timedelta(hours=5), public=False,
                     note="3个工作日：需要调取材料核实", actor="handler")
            continue  # being handled
        late = rng.random() < 0.1
        answered_on = cal.add_working_days(case.due, 2) if late else cal.add_working_days(
            case.received_on, rng.randint(1, rules.days_for(case.kind)))
        answered = min(datetime.datetime.combine(answered_on, datetime.time(15), tzinfo=tz),
                       now - datetime.timedelta(hours=1))
        if late:
            case.overdue_at = past(datetime.datetime.combine(case.due + datetime.timedelta(days=1),
                                                             datetime.time(0, 10), tzinfo=tz))
            case.overdue_stage = "answer"
            step(case, Step.OVERDUE, case.overdue_at, note="未按时答复", public=False)
        case.answer = rng.choice(ANSWERS)
        case.action_taken = "约谈当事人，完善服务流程"
        case.answered_at, case.answered_on_time = answered, not late
        case.upheld = rng.random() < 0.4 if case.kind == Kind.COMPLAINT else None
        case.status = Status.ANSWERED
        step(case, Step.ANSWER, answered, note=case.action_taken, public_note=case.answer, actor="handler")
        if not case.contact_mobile:
            case.status, case.closed_at = Status.CLOSED, answered
            step(case, Step.CLOSE, answered, public_note="无联系方式无法回访，答复后办结。")
            continue
        if age < 10 and roll < 0.7:
            continue  # to call back
        back = past(answered + datetime.timedelta(days=1))
        result = rng.choices([Callback.SATISFIED, Callback.BASIC, Callback.DISSATISFIED], [70, 20, 10])[0]
        case.callback, case.called_back_at = result, back
        step(case, Step.CALL_BACK, back, public_note=Callback(result).label, actor="office")
        if result == Callback.DISSATISFIED:
            case.round = 2
            due = cal.add_working_days(back.date(), rules.days_for(case.kind))
            step(case, Step.REDO, back, deadline=due, public_note=f"第2轮：{due}前重新答复。", round_=2)
            if age < 40:
                case.status, case.due, case.answer, case.callback = Status.ACCEPTED, due, "", ""
                continue
            second = back + datetime.timedelta(days=3)
            step(case, Step.ANSWER, second, public_note="领导上门道歉，问题已解决", actor="handler", round_=2)
            final = rng.choice([Callback.SATISFIED, Callback.DISSATISFIED])
            step(case, Step.CALL_BACK, second + datetime.timedelta(days=1), public_note=Callback(final).label,
                 actor="office", round_=2)
            case.callback = final
            if final == Callback.DISSATISFIED and rules.redo_limit < 2:
                case.status = Status.OFFICE_DECIDES
                continue
            case.due = due
        case.status, case.closed_at = Status.CLOSED, past(back + datetime.timedelta(days=4 if case.round > 1 else 0))
        step(case, Step.CLOSE, case.closed_at, public_note="回访后办结。", round_=case.round)
    # A few cases handed to the office after the redo limit, for its to-do list.
    for case in [c for c in cases if c.status == Status.CLOSED and c.round == 2][:2]:
        case.status, case.closed_at = Status.OFFICE_DECIDES, None
    Case.objects.bulk_update(cases, [
        "unit", "status", "round", "dispatched_at", "accept_due", "accepted_at", "due", "return_reason", "overdue_at",
        "overdue_stage", "supervised_at", "supervision_due", "supervision_note", "extension", "extension_days",
        "extension_reason", "answer", "action_taken", "upheld", "answered_at", "answered_on_time", "callback",
        "called_back_at", "closed_at"], batch_size=500)
    CaseStep.objects.bulk_create(steps, batch_size=2000)
    # The last few days through the services: new cases waiting for the demo's handler.
    live = 0
    for post in [p for p in posts if services.route(post=p) and services.route(post=p).pk in handler_units][:3]:
        services.intake_case(SYSTEM, centre=centre, kind=Kind.COMPLAINT, content="排队叫号系统故障，等候很久",
                             source=Source.SIGNBOARD, post=post)
        live += 1
    states = {s: sum(c.status == s for c in cases) for s in Status.values}
    ctx.say(f"{len(cases) + live} cases over a year (" + ", ".join(f"{k} {v}" for k, v in states.items() if v) + ")")
    build_campaign(ctx, rng)


ISSUES = ["窗口午休时段无人值守", "办事指南与窗口实际要求不一致", "一次性告知不到位，多跑了一趟",
          "网上预约后到现场仍需重新取号", "咨询电话长时间无人接听", "审批时限偏长，希望压缩"]
# The demo's reviewers per group and the share of them who raise an issue about a unit.
REVIEWERS = {"enterprise": 30, "deputies": 15, "public": 40, "users": 60}


def build_campaign(ctx, rng):
    """A closed review campaign of last quarter over the centre's home units: reviewers of every
    group answered through the one-time codes (services), their issues became cases routed to
    the units; most were answered on time and called back; the results are kept with ranks."""
    from vanguard.org.models import Unit
    from vanguard.surveys.models import Evaluation

    from . import campaigns

    centre, today = ctx.centre, ctx.today
    tz = timezone.get_current_timezone()
    cal = WorkingCalendar()
    units = list(Unit.objects.filter(pk__in=[u.pk for u in ctx.home_units]).order_by("name")[:6])
    if len(units) < 2:
        return
    starts = today - datetime.timedelta(days=120)
    ends = starts + datetime.timedelta(days=30)
    campaign = campaigns.create_campaign(SYSTEM, centre, title=f"{starts.year}年“万人评政风”评议活动", starts_on=starts,
                                         ends_on=ends, units=units, groups={k: v + 10 for k, v in REVIEWERS.items()})
    campaign = campaigns.open_campaign(SYSTEM, campaign)
    # Each unit has its own standing with the public: a few do well, one does poorly.
    standing = {u.pk: rng.choice([(4, 5), (3, 5), (3, 5), (2, 4), (1, 4)]) for u in units}
    for kind, count in REVIEWERS.items():
        for invitation in campaigns.issue_codes(SYSTEM, campaign, kind=kind, count=count, valid_days=60):
            moment = datetime.datetime.combine(starts + datetime.timedelta(days=rng.randrange(30)),
                                               datetime.time(9 + rng.randrange(10), rng.randrange(60)), tzinfo=tz)
            levels, issues = {}, {}
            for unit in units:
                if rng.random() < 0.1:
                    levels[unit.pk] = campaigns.DONT_KNOW
                    continue
                low, high = standing[unit.pk]
                levels[unit.pk] = str(rng.randint(low, high))
                if int(levels[unit.pk]) <= 3 and rng.random() < 0.25:
                    issues[unit.pk] = rng.choice(ISSUES)
            campaigns.submit_review(invitation.code, levels=levels, issues=issues, now=moment,
                                    contact_mobile=f"1370002{rng.randrange(10000):04d}" if issues and rng.random() < 0.6
                                    else "")
    # The units answered their issues (most on time) and the office called the citizens back.
    raised = list(Case.objects.filter(source=Source.CAMPAIGN, source_ref=campaign.ref).order_by("received_at"))
    steps = []
    for case in raised:
        late = rng.random() < 0.12
        answered_on = cal.add_working_days(case.due, 2) if late else cal.add_working_days(
            case.received_on, rng.randint(1, 4))
        answered = datetime.datetime.combine(answered_on, datetime.time(15), tzinfo=tz)
        accepted = case.received_at + datetime.timedelta(hours=2)
        case.status, case.accepted_at, case.answered_at, case.answered_on_time = (
            Status.ANSWERED, accepted, answered, not late)
        case.answer, case.action_taken = rng.choice(ANSWERS), "已纳入本单位作风整改清单"
        case.upheld = True if case.kind == Kind.COMPLAINT else None
        steps += [CaseStep(case=case, round=1, action=Step.ACCEPT, at=accepted, actor_name="handler",
                           unit_id=case.unit_id, public_note="承办单位已签收。"),
                  CaseStep(case=case, round=1, action=Step.ANSWER, at=answered, actor_name="handler",
                           unit_id=case.unit_id, note=case.action_taken, public_note=case.answer)]
        if late:
            case.overdue_at, case.overdue_stage = datetime.datetime.combine(
                case.due + datetime.timedelta(days=1), datetime.time(0, 10), tzinfo=tz), "answer"
            steps.append(CaseStep(case=case, round=1, action=Step.OVERDUE, at=case.overdue_at, actor_name="system",
                                  unit_id=case.unit_id, note="未按时答复", public=False))
        if case.contact_mobile:
            back = answered + datetime.timedelta(days=1)
            case.callback = rng.choices([Callback.SATISFIED, Callback.BASIC, Callback.DISSATISFIED], [65, 25, 10])[0]
            case.called_back_at = back
            steps.append(CaseStep(case=case, round=1, action=Step.CALL_BACK, at=back, actor_name="office",
                                  unit_id=case.unit_id, public_note=Callback(case.callback).label))
            closed = back
        else:
            closed = answered
        case.status, case.closed_at = Status.CLOSED, closed
        steps.append(CaseStep(case=case, round=1, action=Step.CLOSE, at=closed, actor_name="system",
                              unit_id=case.unit_id, public_note="办结。"))
    Case.objects.bulk_update(raised, ["status", "accepted_at", "answered_at", "answered_on_time", "answer",
                                      "action_taken", "upheld", "overdue_at", "overdue_stage", "callback",
                                      "called_back_at", "closed_at"], batch_size=500)
    CaseStep.objects.bulk_create(steps, batch_size=2000)
    campaign = campaigns.close_campaign(SYSTEM, campaign)
    closed_at = datetime.datetime.combine(ends + datetime.timedelta(days=1), datetime.time(10), tzinfo=tz)
    type(campaign).objects.filter(pk=campaign.pk).update(
        opened_at=datetime.datetime.combine(starts, datetime.time(9), tzinfo=tz), closed_at=closed_at)
    Evaluation.objects.filter(pk=campaign.evaluation_id).update(opened_on=starts, closed_on=ends)
    ctx.say(f"a closed review campaign over {len(units)} units: {sum(REVIEWERS.values())} reviewers, "
            f"{len(raised)} issues routed to the units as cases")
