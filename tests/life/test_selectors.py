import datetime
from decimal import Decimal

from django.urls import reverse

from vanguard.life import selectors, services
from vanguard.life.models import Attendance, MeetingKind

from .conftest import at, held_meeting, past_day


def test_attendance_by_person_counts_held_meetings_by_kind(world):
    sec, mem, other = world.branch1_members
    day = past_day(3)
    held_meeting(world, MeetingKind.THEME_DAY, day, marks={sec: "present", mem: "leave", other: "absent"})
    held_meeting(world, MeetingKind.LESSON, day, marks={sec: "present", mem: "present"})
    planned = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="计划",
                                    starts_at=at(day))
    assert planned.status == "planned"
    row = Attendance.objects.get(meeting__kind=MeetingKind.THEME_DAY, person=mem)
    services.record_makeup(world.member, row, on=day, note="自学会议精神")

    first, last = day.replace(day=1), day + datetime.timedelta(days=1)
    first = min(first, day)
    result = selectors.attendance_by_person(world.centre, first, last)
    assert result[sec.pk] == {"expected": 2, "present": 2, "leave": 0, "absent": 0, "makeup": 0}
    assert result[mem.pk] == {"expected": 2, "present": 1, "leave": 1, "absent": 0, "makeup": 1}
    # the lesson's third member was never recorded: an unexcused absence
    assert result[other.pk] == {"expected": 2, "present": 0, "leave": 0, "absent": 2, "makeup": 0}
    theme = selectors.attendance_by_person(world.centre, first, last, kind=MeetingKind.THEME_DAY)
    assert theme[mem.pk]["expected"] == 1
    both = selectors.attendance_by_person(world.centre, first, last, kind=[MeetingKind.THEME_DAY, "lesson"])
    assert both == result
    assert selectors.attendance_by_person(world.other_centre, first, last) == {}
    assert selectors.attendance_rows(world.centre, first, last, person=mem).count() == 2
    url = selectors.attendance_rows_url(person=mem, kind="theme_day", first_day=first, last_day=last)
    assert url.startswith(reverse("life:attendance-rows"))


def test_activity_by_person_counts_approved_only(world):
    sec, mem, other = world.branch1_members
    day = past_day(2)
    kinds = {k.code: k for k in services.activity_kinds(world.centre)}
    services.record_activity(world.secretary, kind=kinds["cleanup"], date=day, hours="2.5", description="周末大扫除",
                             people=[sec, mem, other], organization=world.branch1)
    own = services.record_activity(world.member, kind=kinds["bin_duty"], date=day, hours=3, description="桶前值守")
    result = selectors.activity_by_person(world.centre, day, day)
    assert result[mem.pk] == {"times": 1, "hours": Decimal("2.5")}
    services.decide_activity(world.secretary, own, True)
    result = selectors.activity_by_person(world.centre, day, day)
    assert result[mem.pk] == {"times": 2, "hours": Decimal("5.5")}
    assert selectors.activity_by_person(world.centre, day, day, kind="bin_duty") == {
        mem.pk: {"times": 1, "hours": Decimal("3.0")}}
    assert selectors.activity_rows(world.centre, day, day, person=mem, kind=["cleanup"]).count() == 1


def test_selectors_are_one_query(world, django_assert_num_queries):
    day = past_day(3)
    held_meeting(world, MeetingKind.THEME_DAY, day)
    with django_assert_num_queries(1):
        selectors.attendance_by_person(world.centre, day, day)
    with django_assert_num_queries(1):
        selectors.activity_by_person(world.centre, day, day, kind="contact")


def test_figures_by_kinds_are_each_kinds_figures_in_one_query(world, django_assert_num_queries):
    """The assessment reads all its rules' kinds in one pass: the i-th kind's columns are exactly
    that kind's own figures (0, or no hours, for a person with records of other kinds only)."""
    sec, mem, other = world.branch1_members
    day = past_day(3)
    held_meeting(world, MeetingKind.THEME_DAY, day, marks={sec: "present", mem: "leave", other: "absent"})
    held_meeting(world, MeetingKind.LESSON, day, marks={sec: "present", mem: "present"})
    held_meeting(world, MeetingKind.GROUP, day, marks={sec: "absent", mem: "present", other: "leave"})
    row = Attendance.objects.get(meeting__kind=MeetingKind.THEME_DAY, person=mem)
    services.record_makeup(world.member, row, on=day, note="自学会议精神")
    kinds = {k.code: k for k in services.activity_kinds(world.centre)}
    for code, hours, people in (("cleanup", "2.5", [sec, mem, other]), ("bin_duty", "1.5", [mem]),
                                ("bin_duty", "2", [mem, other]), ("contact", "0", [sec])):
        services.record_activity(world.secretary, kind=kinds[code], date=day, hours=hours, description="集体活动",
                                 people=people, organization=world.branch1)

    def pivot(rows, n, keys):
        return {r["person_id"]: {k: r[f"k{n}_{k}"] for k in keys} for r in rows}

    meeting_kinds = ["theme_day", ["lesson", "group"], None, "members"]
    with django_assert_num_queries(1):
        rows = list(selectors.attendance_figures_by_kinds(world.centre, day, day, meeting_kinds))
    keys = ["expected", "present", "leave", "absent", "makeup"]
    for n, kind in enumerate(meeting_kinds):
        own = selectors.attendance_by_person(world.centre, day, day, kind=kind)
        zero = dict.fromkeys(keys, 0)
        assert {p: v for p, v in pivot(rows, n, keys).items() if v != zero} == own, kind
    assert pivot(rows, 0, keys)[mem.pk] == {"expected": 1, "present": 0, "leave": 1, "absent": 0, "makeup": 1}
    assert pivot(rows, 1, keys)[other.pk] == {"expected": 2, "present": 0, "leave": 1, "absent": 1, "makeup": 0}

    activity_kinds = ["bin_duty", None, ["cleanup", "contact"], "volunteer"]
    with django_assert_num_queries(1):
        rows = list(selectors.activity_figures_by_kinds(world.centre, day, day, activity_kinds))
    for n, kind in enumerate(activity_kinds):
        own = selectors.activity_by_person(world.centre, day, day, kind=kind)
        got = {p: {"times": v["times"], "hours": Decimal(v["hours"]).quantize(Decimal("0.0"))}
               for p, v in pivot(rows, n, ["times", "hours"]).items() if v["times"]}
        assert got == own, kind
    assert pivot(rows, 0, ["times", "hours"])[mem.pk]["times"] == 2
    assert Decimal(pivot(rows, 0, ["times", "hours"])[mem.pk]["hours"]) == Decimal("3.5")
    assert pivot(rows, 3, ["times", "hours"])[mem.pk] == {"times": 0, "hours": None}
