"""Demo honours, built through the services from the demo's own figures:

- a year of rotating medals: ten 优质服务流动奖牌 moving monthly between windows by the
  best satisfaction rate of the month before (the ratings' figures), and one 流动红旗
  moving quarterly between the floor branches;
- a closed red-flag branch selection (红旗党支部) judged against the four standards, and
  the rest of the vanguard roll (outstanding party workers and members chosen by their
  stars this year), awarded after a public notice: the roll and the floor boards;
- one annual selection (百佳窗口, the best windows of the year) in public notice now, with
  an objection that became a case; a service-brand selection taking nominations;
- the 抗疫先锋 column's stories linked to the teams and the person they honour."""

import datetime

from vanguard.assessment import reading as assessment
from vanguard.core.workdays import WorkingCalendar
from vanguard.messaging.models import Lesson
from vanguard.org.models import CommitteeMember, Person
from vanguard.ratings import figures

from . import services
from .models import STANDARDS, HonourKind, MedalScheme, Nomination


def _months_back(today, count):
    first = today.replace(day=1)
    out = []
    for _i in range(count):
        out.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


def _walk(office, selection, ranked, *, approve, notice_start, award_on=None, standards=None):
    """Nominate `ranked` (candidate, reasons) in order, pass the first `approve`, then notice and award."""
    nominations = [services.nominate(office, selection, candidate=c, reasons=r) for c, r in ranked]
    services.close_nominations(office, selection)
    for i, n in enumerate(nominations):
        if standards is not None:
            services.judge_standards(office, n, standards(i, n))
        if i < approve:
            services.review_nomination(office, n, approve=True)
        else:
            services.review_nomination(office, n, approve=False, note="综合排名未进入名额")
    selection = services.start_notice(office, selection, start=notice_start)
    if award_on is not None:
        selection = services.award_selection(office, selection, today=award_on)
    return selection, nominations


def build(ctx):
    office = ctx.users.get("office") or ctx.admin
    centre, today = ctx.centre, ctx.today
    year = today.year
    calendar = WorkingCalendar()

    # Rotating medals: a year of monthly moves between windows, by the rule.
    medals = services.create_medal_scheme(office, centre, name="优质服务流动奖牌", count=10,
                                          holder_kind=MedalScheme.HolderKind.WINDOW,
                                          cadence=MedalScheme.Cadence.MONTH, min_ratings=20)
    moves = 0
    for period in _months_back(today, 12):
        moves += len(services.rotate_medals(office, medals, period=period, today=period))
    flag = services.create_medal_scheme(office, centre, name="流动红旗（党支部）", count=1,
                                        holder_kind=MedalScheme.HolderKind.BRANCH,
                                        cadence=MedalScheme.Cadence.QUARTER, min_ratings=50)
    quarters = sorted({services.period_of(flag, m) for m in _months_back(today, 12)})
    for period in quarters:
        services.rotate_medals(office, flag, period=period, today=period)

    # The vanguard roll of this year, awarded after a public notice that ended before today.
    notice_start = calendar.add_working_days(today - datetime.timedelta(days=40), 0)
    award_on = calendar.add_working_days(notice_start, 8)
    branches = list(ctx.branches)
    rates = {}
    for branch in branches:
        rates[branch.pk] = figures.figures_for("branch", branch.pk, year, centre_id=centre.pk)["year"]["rate"]
    ranked_branches = sorted(branches, key=lambda b: (-(rates[b.pk] or 0), b.pk))
    average = sum((r or 0) for r in rates.values()) / max(len(rates), 1)
    red_flag = services.open_selection(office, centre, title=f"{year}年度红旗党支部评选", year=year,
                                       honour=HonourKind.RED_FLAG, quota=2, max_nominations=max(2, len(branches)),
                                       criteria="机制强、配置优、队伍稳、发挥好", notice_days=5,
                                       nominate_until=notice_start - datetime.timedelta(days=10))

    def judged(i, nomination):
        branch = ranked_branches[i]
        shown = (rates[branch.pk] or 0) >= average
        return {key: ({"met": True, "note": "达标"} if key != "role" or shown else
                      {"met": False, "note": f"满意率{rates[branch.pk]}%，低于全中心各支部平均{average:.2f}%"})
                for key, _label in STANDARDS}

    approve = sum(1 for b in ranked_branches[:2] if (rates[b.pk] or 0) >= average)
    _walk(office, red_flag, [(b, f"本年度满意率{rates[b.pk]}%，三会一课按时召开，支委会配备齐全")
                             for b in ranked_branches], approve=max(approve, 1), notice_start=notice_start,
          award_on=award_on, standards=judged)

    members = [p for p in ctx.members if p.is_active]
    stars = assessment.people_year([p.pk for p in members], year)
    best = sorted(members, key=lambda p: (-stars.get(p.pk, 0), p.pk))[:6]
    outstanding = services.open_selection(office, centre, title=f"{year}年度优秀共产党员评选", year=year,
                                          honour=HonourKind.MEMBER, quota=5, max_nominations=6,
                                          nominate_until=notice_start - datetime.timedelta(days=10))
    _walk(office, outstanding, [(p, f"本年度获评星级党员{stars.get(p.pk, 0)}次") for p in best], approve=5,
          notice_start=notice_start, award_on=award_on)
    secretaries = list(Person.objects.filter(committee_seats__role=CommitteeMember.Role.SECRETARY,
                                             committee_seats__organization__in=branches).distinct().order_by("pk"))
    workers = services.open_selection(office, centre, title=f"{year}年度优秀党务工作者评选", year=year,
                                      honour=HonourKind.PARTY_WORKER, quota=3, max_nominations=max(3, len(secretaries)),
                                      nominate_until=notice_start - datetime.timedelta(days=10))
    _walk(office, workers, [(p, "支部书记，党建工作扎实，支部各项工作走在前列") for p in secretaries],
          approve=min(3, len(secretaries)), notice_start=notice_start, award_on=award_on)

    # The annual selection in public notice now: the best windows of the year by satisfaction.
    year_stats = figures.period_ranking(centre.pk, "window", "year", datetime.date(year, 1, 1))
    windows = sorted(ctx.windows, key=lambda w: (-(year_stats.get(w.pk, {}).get("rate") or 0), w.pk))[:15]
    model_windows = services.open_selection(
        office, centre, title=f"{year}年度百佳窗口评选", year=year, honour=HonourKind.MODEL_WINDOW, quota=10,
        max_nominations=15, criteria="全年满意率高、差评少、零投诉；本中心30个窗口，名额10个（默认100个，可配置）",
        nominate_until=today - datetime.timedelta(days=3), public_vote=True)
    nominations = [services.nominate(office, model_windows, candidate=w, reasons=(
        f"全年满意率{year_stats.get(w.pk, {}).get('rate', '—')}%，评价{year_stats.get(w.pk, {}).get('total', 0)}条"))
                   for w in windows]
    codes = services.issue_vote_codes(office, model_windows, count=30)
    for i, code in enumerate(codes[:20]):
        services.cast_vote(code.code, nomination_ids=[n.pk for n in nominations[i % 3:i % 3 + 8]])
    for i, n in enumerate(nominations):
        if i < 10:
            services.review_nomination(office, n, approve=True)
        else:
            services.review_nomination(office, n, approve=False, note="满意率排名未进入前10")
    model_windows = services.start_notice(office, model_windows, start=today)
    if model_windows.notice_starts <= today:
        services.file_objection(model_windows, nomination=nominations[0], today=today,
                                content="该窗口上月曾让我跑了两趟，请核实。")

    # Service brands and a service-brand selection taking nominations.
    brands = []
    units = list(dict.fromkeys(w.unit for w in ctx.windows))[:3]
    for unit, (name, text) in zip(units, [
            ("一窗通办", "企业开办一次告知、一表申请、一窗受理、一日办结。"),
            ("暖心帮办", "为老年人和残障人士提供全程帮办代办、上门服务。"),
            ("不见面审批", "网上申报、电子证照、邮寄送达，群众办事“零跑腿”。")], strict=False):
        brands.append(services.create_brand(office, unit, name=name, description=text))
    brand_selection = services.open_selection(office, centre, title=f"{year}年度优质服务品牌评选", year=year,
                                              honour=HonourKind.SERVICE_BRAND,
                                              nominate_until=today + datetime.timedelta(days=20))
    for brand in brands:
        services.nominate(office, brand_selection, candidate=brand, reasons="做法成熟，群众认可度高")

    # Exemplar column: the 抗疫先锋 stories linked to the teams and the person they honour.
    stories = list(Lesson.objects.filter(centre=centre, column__name="抗疫先锋").order_by("send_at", "pk"))
    linked = 0
    if stories:
        by_window = {}
        for p in ctx.people:
            if p.window_id and p.is_active:
                by_window.setdefault(p.window_id, []).append(p)
        staffed = [w for w in ctx.windows if by_window.get(w.pk)]
        team_names = ["综合窗口党员突击队", "社保窗口“云帮办”小组", "不动产登记窗口服务队", "医保窗口“无接触”服务组"]
        teams = []
        for i, name in enumerate(team_names):
            window = staffed[i % len(staffed)]
            teams.append(services.create_team(office, centre, name=name, unit=window.unit, floor=window.floor,
                                              members=by_window[window.pk][:4],
                                              description="抗疫先锋栏目中的先进团队"))
        subjects = [("team", teams[0]), ("team", teams[1]), ("person", ctx.members[2]), ("team", teams[2]),
                    ("team", teams[3])]
        for lesson, (kind, subject) in zip(stories, subjects, strict=False):
            services.link_story(office, lesson, **{kind: subject})
            linked += 1
    awarded = Nomination.objects.filter(selection__centre=centre, state=Nomination.State.AWARDED).count()
    ctx.say(f"{moves} monthly medal holdings, {awarded} honours on the roll, "
            f"{len(nominations)} windows in public notice, {linked} stories linked")
