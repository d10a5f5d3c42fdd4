import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vanguard.core.models import AuditEntry
from vanguard.life import services
from vanguard.life.models import Activity, Attendance, Meeting, MeetingKind, SignIn

from .conftest import at, held_meeting, past_day


def test_plan_meeting_expects_the_branch_members_and_audits(world):
    before = AuditEntry.objects.count()
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(1)), host=world.secretary_person)
    assert set(meeting.attendances.values_list("person_id", flat=True)) == {p.pk for p in world.branch1_members}
    assert meeting.date == past_day(1)
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize("who", ["member", "outsider", "scorer"])
def test_only_the_secretary_or_office_plans(world, who):
    with pytest.raises(PermissionDenied):
        services.plan_meeting(getattr(world, who), world.branch1, kind=MeetingKind.LESSON, topic="党课",
                              starts_at=at(past_day(1)))


def test_office_plans_for_any_branch_of_its_centre(world):
    meeting = services.plan_meeting(world.office, world.branch2, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(1)))
    assert meeting.attendances.count() == 2


def test_secretary_cannot_plan_for_another_branch(world):
    with pytest.raises(PermissionDenied):
        services.plan_meeting(world.secretary, world.branch2, kind=MeetingKind.LESSON, topic="党课",
                              starts_at=at(past_day(1)))


def test_expected_member_of_another_branch_refused_nothing_written(world):
    with pytest.raises(ValidationError) as error:
        services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                              starts_at=at(past_day(1)), expected=[world.member_person, world.branch2_members[0]])
    assert "张二层" in str(error.value) and "不是一层党支部的党员" in str(error.value)
    assert not Meeting.objects.exists()


def test_future_meeting_cannot_be_held(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        services.record_held(world.secretary, meeting, minutes="记录")
    assert "尚未到来" in str(error.value)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED


def test_attendance_naming_someone_of_another_branch_refused_nothing_half_applied(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(1)))
    marks = {world.member_person.pk: "present", world.branch2_members[0].pk: "present"}
    with pytest.raises(ValidationError) as error:
        services.record_attendance(world.secretary, meeting, marks)
    assert "张二层（二层党支部）" in str(error.value)
    assert not meeting.attendances.exclude(status=Attendance.Status.PENDING).exists()


def test_leave_needs_a_reason(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(1)))
    with pytest.raises(ValidationError) as error:
        services.record_attendance(world.secretary, meeting, {world.member_person.pk: "leave",
                                                              world.secretary_person.pk: "present"})
    assert "李党员：请填写请假事由" in str(error.value)
    assert not meeting.attendances.exclude(status=Attendance.Status.PENDING).exists()


def test_member_asks_leave_secretary_approves_then_makeup(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(3)))
    row = services.request_leave(world.member, meeting, "外出办事")
    assert row.leave_waiting
    with pytest.raises(PermissionDenied):
        services.decide_leave(world.member, row, True)
    row = services.decide_leave(world.secretary, row, True)
    assert row.status == Attendance.Status.LEAVE and row.leave_approved_by == world.secretary
    with pytest.raises(ValidationError):
        services.record_makeup(world.member, row, on=timezone.localdate() + datetime.timedelta(days=1), note="x")
    row = services.record_makeup(world.member, row, on=past_day(1), note="自学党课内容")
    assert row.makeup_on == past_day(1)


def test_refused_leave_is_not_leave(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(3)))
    row = services.decide_leave(world.secretary, services.request_leave(world.member, meeting, "私事"), False)
    assert row.status == Attendance.Status.PENDING and row.leave_requested_at is None


def _open_meeting(world, **extra):
    now = timezone.now()
    return services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.THEME_DAY, topic="主题党日",
                                 starts_at=now - datetime.timedelta(minutes=10),
                                 ends_at=now + datetime.timedelta(hours=1), **extra)


def test_sign_in_with_the_current_code(world):
    meeting = _open_meeting(world)
    row, created = services.sign_in(world.member, meeting, services.signin_code(meeting))
    assert created and row.status == Attendance.Status.PRESENT and row.method == Attendance.Method.QR
    row, created = services.sign_in(world.member, meeting, services.signin_code(meeting))
    assert not created
    assert SignIn.objects.filter(meeting=meeting).count() == 1


def test_sign_in_refusals(world):
    meeting = _open_meeting(world)
    other = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                  starts_at=meeting.starts_at)
    now = timezone.now()
    # a code of another meeting (copied)
    with pytest.raises(ValidationError, match="已过期或不属于本次会议"):
        services.sign_in(world.member, meeting, services.signin_code(other))
    # an expired code (two minutes old)
    with pytest.raises(ValidationError, match="已过期"):
        services.sign_in(world.member, meeting, services.signin_code(meeting, now - datetime.timedelta(minutes=2)))
    with pytest.raises(ValidationError, match="已过期"):
        services.sign_in(world.member, meeting, "garbage")
    # outside the window
    late = meeting.ends_at + datetime.timedelta(minutes=5)
    with pytest.raises(ValidationError, match="签到时间为"):
        services.sign_in(world.member, meeting, services.signin_code(meeting, late), now=late)
    # not expected: a member of another branch, and the office user who is nobody's person
    with pytest.raises(ValidationError, match="不在本次会议的应到名单"):
        services.sign_in(world.office, meeting, services.signin_code(meeting))
    meeting2 = _open_meeting(world, expected=[world.secretary_person])
    with pytest.raises(ValidationError, match="不在本次会议的应到名单"):
        services.sign_in(world.member, meeting2, services.signin_code(meeting2))
    assert not SignIn.objects.exists()


def test_sign_in_by_meeting_id(world):
    """The API hands the service the meeting's id: the member's own attendance row is what lets them in;
    a meeting they cannot see is Meeting.DoesNotExist (the API's 404)."""
    from vanguard.core import audit
    from vanguard.core.models import AuditEntry
    from vanguard.life.models import Meeting

    meeting = _open_meeting(world)
    row, created = services.sign_in(world.member, meeting.pk, services.signin_code(meeting))
    assert created and row.person_id == world.member_person.pk and row.status == Attendance.Status.PRESENT
    stored = Attendance.objects.get(meeting=meeting, person=world.member_person)
    assert (stored.status, stored.method, stored.signed_in_at) == (Attendance.Status.PRESENT, Attendance.Method.QR,
                                                                   row.signed_in_at)
    entry = AuditEntry.objects.filter(verb="signed in").get()
    assert entry.changes == {"status": ["pending", "present"]} and entry.centre_id == meeting.centre_id
    # in the meeting's own audit chain, so the centre's other meetings sign in beside it
    assert entry.chain_key == services.signin_chain(meeting.pk) and entry.prev_hash == audit.GENESIS
    assert entry.object_repr.startswith(world.member_person.name)
    assert audit.verify()[1] is None
    assert services.sign_in(world.member, meeting.pk, services.signin_code(meeting))[1] is False
    with pytest.raises(Meeting.DoesNotExist):
        services.sign_in(world.outsider, meeting.pk, services.signin_code(meeting))
    assert SignIn.objects.filter(meeting=meeting).count() == 1


def test_a_second_phone_is_answered_with_the_stored_row(world):
    """The second phone's answer is the row the first one stored (its time, its person), nothing new is
    written, and on PostgreSQL the sign-in statement alone answers it (it took the slow path: meeting,
    list, a failed insert). The first's audit row names the row as str() does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vanguard.core.models import AuditEntry

    meeting = _open_meeting(world)
    first, created = services.sign_in(world.member, meeting.pk, services.signin_code(meeting))
    assert created
    assert AuditEntry.objects.get(verb="signed in").object_repr == str(Attendance.objects.get(pk=first.pk))
    with CaptureQueriesContext(connection) as queries:
        row, created = services.sign_in(world.member, meeting.pk, services.signin_code(meeting))
    assert created is False and row.pk == first.pk and row.person == world.member_person
    assert (row.status, row.signed_in_at) == (Attendance.Status.PRESENT, first.signed_in_at)
    if connection.vendor == "postgresql":
        # (the test's own transaction turns the service's into a savepoint)
        sent = [q["sql"].split()[0] for q in queries.captured_queries]
        assert [verb for verb in sent if verb not in ("SAVEPOINT", "RELEASE")] == ["WITH"]
    assert SignIn.objects.filter(meeting=meeting).count() == AuditEntry.objects.filter(verb="signed in").count() == 1


def test_sign_in_after_the_secretary_ticked(world):
    """The secretary ticked the member present first: the phone's sign-in is kept, the tick stays."""
    meeting = _open_meeting(world)
    services.record_attendance(world.secretary, meeting, {world.member_person.pk: Attendance.Status.PRESENT})
    row, created = services.sign_in(world.member, meeting.pk, services.signin_code(meeting))
    assert created is False and row.method == Attendance.Method.SECRETARY
    assert Attendance.objects.get(pk=row.pk).method == Attendance.Method.SECRETARY
    assert SignIn.objects.filter(meeting=meeting).count() == 1


def test_sign_in_from_leave(world):
    """A member whose leave was approved turns up after all: present, and the audit row says from what."""
    from vanguard.core.models import AuditEntry

    meeting = _open_meeting(world)
    services.record_attendance(world.secretary, meeting, {world.member_person.pk: Attendance.Status.LEAVE},
                               reasons={world.member_person.pk: "出差"})
    row, created = services.sign_in(world.member, meeting, services.signin_code(meeting))
    assert created and Attendance.objects.get(pk=row.pk).status == Attendance.Status.PRESENT
    assert AuditEntry.objects.get(verb="signed in").changes == {"status": ["leave", "present"]}


def test_activity_of_thirty_hours_refused(world):
    kind = services.activity_kinds(world.centre).get(code="bin_duty")
    with pytest.raises(ValidationError, match="一天30.0小时不可能"):
        services.record_activity(world.member, kind=kind, date=past_day(1), hours=30, description="值守")
    services.record_activity(world.member, kind=kind, date=past_day(1), hours=20, description="值守")
    with pytest.raises(ValidationError, match="超过24小时"):
        services.record_activity(world.secretary, kind=kind, date=past_day(1), hours=5, description="值守",
                                 people=world.branch1_members, organization=world.branch1)
    assert Activity.objects.count() == 1


def test_group_activity_with_someone_of_another_branch_refused(world):
    kind = services.activity_kinds(world.centre).get(code="cleanup")
    with pytest.raises(ValidationError, match="张二层"):
        services.record_activity(world.secretary, kind=kind, date=past_day(1), hours=2, description="大扫除",
                                 people=[world.member_person, world.branch2_members[0]], organization=world.branch1)
    assert not Activity.objects.exists()


def test_activity_future_date_and_refusal_reason(world):
    kind = services.activity_kinds(world.centre).get(code="contact")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.record_activity(world.member, kind=kind, date=timezone.localdate() + datetime.timedelta(days=1),
                                 description="走访")
    activity = services.record_activity(world.member, kind=kind, date=past_day(1), description="走访联系户")
    with pytest.raises(ValidationError, match="退回理由"):
        services.decide_activity(world.secretary, activity, False)
    with pytest.raises(PermissionDenied):
        services.decide_activity(world.member, activity, True)
    services.decide_activity(world.secretary, activity, False, "无佐证")
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.REFUSED


def test_activity_kinds_configurable_by_office_only(world):
    with pytest.raises(PermissionDenied):
        services.set_activity_kind(world.secretary, world.centre, code="river", name="河长巡河")
    kind = services.set_activity_kind(world.office, world.centre, code="river", name="河长巡河")
    assert kind in services.activity_kinds(world.centre)
    assert services.activity_kinds(world.centre).count() == 7


def test_cadence_defaults_and_override(world):
    assert services.cadence_for(world.centre)["lesson"] == 3
    services.set_cadence(world.office, world.centre, "lesson", 1)
    assert services.cadence_for(world.centre)["lesson"] == 1
    with pytest.raises(ValidationError):
        services.set_cadence(world.office, world.centre, "lesson", 5)
    with pytest.raises(PermissionDenied):
        services.set_cadence(world.secretary, world.centre, "lesson", 3)


def test_overdue_and_board(world):
    today = timezone.localdate()
    first_this_month = today.replace(day=1)
    last_month_day = first_this_month - datetime.timedelta(days=10)
    held_meeting(world, MeetingKind.COMMITTEE, last_month_day)
    late = {(b.pk, k) for b, k, _p in services.overdue(world.centre, today)}
    assert (world.branch1.pk, "committee") not in late
    assert (world.branch1.pk, "group") in late
    assert (world.branch2.pk, "committee") in late
    quarter = (last_month_day.month - 1) // 3 + 1
    board = services.completion_board(world.centre, last_month_day.year, quarter)
    line = next(x for row in board if row["branch"] == world.branch1 for x in row["lines"] if x["kind"] == "committee")
    assert line["held"] == 1 and line["required"] == 3


def test_reminders_reach_the_secretary_once(world):
    from vanguard.life.models import MeetingReminder
    from vanguard.notices.models import Recipient

    today = datetime.date(2026, 11, 27)
    held_meeting(world, MeetingKind.COMMITTEE, datetime.date(2026, 11, 3))
    sent = services.send_due_reminders(today=today)
    assert sent == 3  # one notice per branch: two here, one in the other centre
    kinds = set(MeetingReminder.objects.filter(organization=world.branch1).values_list("kind", flat=True))
    assert kinds == {"group", "theme_day"}  # the committee met this month
    assert Recipient.objects.filter(user=world.secretary).count() == 1
    assert services.send_due_reminders(today=today) == 0
    assert Recipient.objects.filter(user=world.secretary).count() == 1
