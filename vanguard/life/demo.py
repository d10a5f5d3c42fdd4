"""Demo organisational life: a year of every branch's meetings (三会一课, theme days, the life
meeting and the appraisal) with their attendance (mostly present, some on leave with a
make-up study, some absent), one branch overdue on last month's meetings, and a year of
service activities in the seed's shape (1+10 contacts, bin duty with hours, weekend
clean-ups, community turns), written with bulk_create. Also a theme day open for sign-in
today, a leave request and an activity waiting for the secretary."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from vanguard.org.models import Person

from . import services
from .models import (
    Activity,
    ActivityParticipant,
    Attendance,
    Meeting,
    MeetingKind,
    SignIn,
)

TOPICS = {
    MeetingKind.COMMITTEE: ["研究本月党建工作安排", "讨论发展党员工作", "研究志愿服务安排", "研究窗口作风建设"],
    MeetingKind.GROUP: ["学习窗口服务规范", "交流“办不成事”窗口经验", "学习党章党规", "讨论群众评价整改"],
    MeetingKind.THEME_DAY: ["重温入党誓词", "走进社区开展志愿服务", "参观党史教育基地", "“亮身份、树形象”主题活动"],
    MeetingKind.MEMBERS: ["通报季度党建考核情况", "讨论预备党员转正", "学习上级会议精神"],
    MeetingKind.LESSON: ["书记讲党课：践行为民服务宗旨", "学习贯彻党的二十大精神", "党风廉政教育专题党课"],
    MeetingKind.LIFE: ["年度组织生活会：对照检查、批评与自我批评"],
    MeetingKind.APPRAISAL: ["年度民主评议党员"],
}
DAY_OF_MONTH = {MeetingKind.COMMITTEE: 5, MeetingKind.GROUP: 12, MeetingKind.THEME_DAY: 18, MeetingKind.MEMBERS: 22,
                MeetingKind.LESSON: 25, MeetingKind.LIFE: 20, MeetingKind.APPRAISAL: 21}
LEAVE_REASONS = ["外出学习培训", "窗口值班", "病假", "出差", "家中有事"]
PLACES = ["党员活动室", "二楼会议室", "党建学习长廊", "社区党群服务中心"]
# The seed's year (Miyun): 1,027 contacts, 2,329 duties and 3,464 hours at the bins, 1,312 clean-up
# person-times, 180 community turns; the demo's hundred members do about as much.
CONTACTS = 1027
BIN_DUTIES, BIN_HOURS = 2329, 3464
CLEANUP_TIMES = 1312
COMMUNITY_TURNS = 180


def _months(today, count=12):
    """(year, month) of the `count` months before the current one, oldest first."""
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        result.append((year, month))
    return list(reversed(result))


def _at(day, hour, tz):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)


def build(ctx):
    rng = random.Random(13)
    centre, today = ctx.centre, ctx.today
    tz = timezone.get_current_timezone()
    services.activity_kinds(centre)
    branches = list(ctx.branches)
    members = {b.pk: list(Person.objects.members().filter(branch=b, is_active=True).order_by("pk")) for b in branches}
    secretary = ctx.users.get("secretary")
    overdue_branch = branches[-1]
    last_month = _months(today, 1)[0]
    meetings = []
    for year, month in _months(today):
        for kind, cadence in services.cadence_for(centre).items():
            if not cadence or (cadence == 3 and month % 3) or (cadence == 12 and month != 12):
                continue
            for branch in branches:
                if branch == overdue_branch and (year, month) == last_month and cadence == 1:
                    continue  # the overdue branch held none of last month's meetings
                day = datetime.date(year, month, DAY_OF_MONTH[kind])
                if day >= today:
                    continue
                starts = _at(day, 15 if kind != MeetingKind.THEME_DAY else 9, tz)
                meetings.append(Meeting(
                    centre=centre, organization=branch, kind=kind, topic=rng.choice(TOPICS[kind]), starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2), date=day, place=rng.choice(PLACES),
                    host=members[branch.pk][0] if members[branch.pk] else None,
                    recorder=members[branch.pk][1] if len(members[branch.pk]) > 1 else None,
                    minutes=f"{day:%Y年%m月%d日}召开，应到党员全部列入名单。会议传达学习了上级精神，"
                            f"结合窗口服务实际进行了讨论。",
                    resolutions="按会议部署抓好落实。", status=Meeting.Status.HELD, created_by=secretary))
    Meeting.objects.bulk_create(meetings, batch_size=500)
    attendances, sign_ins = [], []
    counts = {"present": 0, "leave": 0, "absent": 0, "makeup": 0}
    for meeting in meetings:
        people = members[meeting.organization_id]
        if meeting.kind == MeetingKind.COMMITTEE:
            people = people[:5]
        for person in people:
            roll = rng.random()
            row = Attendance(meeting=meeting, person=person)
            if roll < 0.88:
                row.status = Attendance.Status.PRESENT
                row.method = Attendance.Method.QR if rng.random() < 0.7 else Attendance.Method.SECRETARY
                row.signed_in_at = meeting.starts_at - datetime.timedelta(minutes=rng.randint(0, 15))
                if row.method == Attendance.Method.QR:
                    sign_ins.append(SignIn(meeting=meeting, person=person, at=row.signed_in_at,
                                           method=Attendance.Method.QR))
            elif roll < 0.94:
                row.status = Attendance.Status.LEAVE
                row.leave_reason = rng.choice(LEAVE_REASONS)
                row.leave_requested_at = meeting.starts_at - datetime.timedelta(days=1)
                row.leave_approved_by = secretary
                row.leave_approved_at = meeting.starts_at - datetime.timedelta(hours=20)
                if rng.random() < 0.7:
                    row.makeup_on = meeting.date + datetime.timedelta(days=rng.randint(1, 7))
                    row.makeup_note = "自学会议记录和学习材料"
                    if row.makeup_on > today:
                        row.makeup_on = None
                        row.makeup_note = ""
            else:
                row.status = Attendance.Status.ABSENT
            counts[row.status] += 1
            counts["makeup"] += row.makeup_on is not None
            attendances.append(row)
    Attendance.objects.bulk_create(attendances, batch_size=1000)
    SignIn.objects.bulk_create(sign_ins, batch_size=1000)
    _today_and_waiting(ctx, branches, members, secretary, tz)
    activities = _activities(ctx, rng, branches, members, secretary)
    ctx.say(f"{len(meetings)} meetings held ({counts['present']} present, {counts['leave']} on leave, "
            f"{counts['makeup']} made up, {counts['absent']} absent); {overdue_branch.name} overdue on last month's "
            f"meetings; {activities}")


def _today_and_waiting(ctx, branches, members, secretary, tz):
    """A theme day open for sign-in today on the first floor, next month's plan, and things to approve."""
    first = branches[0]
    now = timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0)
    today_meeting = Meeting.objects.create(
        centre=ctx.centre, organization=first, kind=MeetingKind.THEME_DAY, topic="“亮身份、树形象”主题党日",
        starts_at=start, ends_at=start + datetime.timedelta(hours=3), date=timezone.localdate(start),
        place="党员活动室", status=Meeting.Status.PLANNED, created_by=secretary,
        host=members[first.pk][0] if members[first.pk] else None)
    Attendance.objects.bulk_create([Attendance(meeting=today_meeting, person=p) for p in members[first.pk]])
    later = _at(timezone.localdate() + datetime.timedelta(days=7), 15, tz)
    planned = Meeting.objects.create(
        centre=ctx.centre, organization=first, kind=MeetingKind.LESSON, topic="书记讲党课：优化营商环境",
        starts_at=later, ends_at=later + datetime.timedelta(hours=2), date=later.date(), place="二楼会议室",
        status=Meeting.Status.PLANNED, created_by=secretary)
    rows = [Attendance(meeting=planned, person=p) for p in members[first.pk]]
    if len(rows) > 2:
        rows[2].leave_reason, rows[2].leave_requested_at = "外出学习培训", now
    Attendance.objects.bulk_create(rows)


def _activities(ctx, rng, branches, members, secretary):
    centre, today = ctx.centre, ctx.today
    kinds = {k.code: k for k in services.activity_kinds(centre)}
    everyone = [p for b in branches for p in members[b.pk]]
    start = today - datetime.timedelta(days=365)
    records, people = [], []  # Activity, [person ids] in step

    def add(kind, day, hours, description, who, branch, group=False, status=Activity.Status.APPROVED):
        records.append(Activity(
            centre=centre, organization=branch, kind=kinds[kind], date=day, hours=Decimal(hours).quantize(Decimal("0.1")),
            place=rng.choice(["鼓楼社区", "果园社区", "檀营社区", "中心广场"]), description=description,
            is_group=group, status=status, recorded_by=secretary, decided_by=secretary if status != "pending" else None,
            decided_at=timezone.now() if status != "pending" else None))
        people.append([p.pk for p in who])

    def day_in_year():
        return start + datetime.timedelta(days=rng.randrange(1, 365))

    branch_of = {p.pk: b for b in branches for p in members[b.pk]}
    for _ in range(CONTACTS):  # one member's contact, each a record of its own
        person = rng.choice(everyone)
        add("contact", day_in_year(), 0, rng.choice(["电话联系联系户，了解办事需求", "走访联系户，宣传“一网通办”",
                                                       "帮助联系户预约办理业务"]), [person], branch_of[person.pk])
    # Bin duty: a branch's shift of two to four members, hours each; the seed's person-times and hours.
    duties, hours_left = BIN_DUTIES, BIN_HOURS
    while duties > 0:
        branch = rng.choice(branches)
        size = min(duties, rng.randint(2, 4), len(members[branch.pk]))
        hours = Decimal(hours_left) / Decimal(duties)
        hours = max(Decimal("0.5"), (hours * Decimal(rng.choice(["0.8", "1", "1", "1.2"]))).quantize(Decimal("0.5")))
        who = rng.sample(members[branch.pk], size)
        add("bin_duty", day_in_year(), hours, "垃圾分类桶前值守，指导居民分类投放", who, branch, group=True)
        duties -= size
        hours_left -= hours * size
    cleanups = CLEANUP_TIMES
    while cleanups > 0:
        branch = rng.choice(branches)
        size = min(cleanups, rng.randint(5, 9), len(members[branch.pk]))
        saturday = day_in_year()
        saturday -= datetime.timedelta(days=(saturday.weekday() - 5) % 7)
        add("cleanup", saturday, 2, "周末大扫除：清理社区卫生死角", rng.sample(members[branch.pk], size), branch,
            group=True)
        cleanups -= size
    for _ in range(COMMUNITY_TURNS):
        person = rng.choice(everyone)
        add("community", day_in_year(), rng.choice([2, 3, 4]), "下沉社区：协助社区开展便民服务", [person],
            branch_of[person.pk])
    # Waiting for the first floor's secretary: two members' own records.
    first = branches[0]
    for person in members[first.pk][3:5]:
        add("volunteer", today - datetime.timedelta(days=2), 3, "参加社区志愿服务", [person], first,
            status=Activity.Status.PENDING)
    Activity.objects.bulk_create(records, batch_size=1000)
    ActivityParticipant.objects.bulk_create(
        [ActivityParticipant(activity=a, person_id=pid) for a, ids in zip(records, people, strict=True) for pid in ids],
        batch_size=2000)
    return f"{len(records)} activity records, {sum(len(ids) for ids in people)} person-times"
