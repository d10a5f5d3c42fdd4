import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.life import services
from vanguard.life.models import Activity, Attendance, Meeting, MeetingKind, SignIn

from .conftest import at, held_meeting, past_day


def _open_meeting(world):
    now = timezone.now()
    return services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.THEME_DAY, topic="主题党日",
                                 starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=1))


@pytest.mark.parametrize("name", ["life:home", "life:meetings", "life:activities", "life:attendance-rows",
                                  "life:activity-rows"])
@pytest.mark.parametrize("who", ["office", "secretary", "member", "outsider", "scorer"])
def test_lists_open_to_every_signed_in_user(world, login, name, who):
    assert login(getattr(world, who)).get(reverse(name)).status_code == 200


def test_anonymous_is_sent_to_log_in(client, world):
    assert client.get(reverse("life:home")).status_code == 302


@pytest.mark.parametrize("who, status", [("office", 200), ("secretary", 200), ("member", 200), ("outsider", 404),
                                         ("scorer", 404)])
def test_meeting_detail_access(world, login, meeting, who, status):
    assert login(getattr(world, who)).get(reverse("life:meeting-detail", args=[meeting.pk])).status_code == status


@pytest.mark.parametrize("name", ["life:meeting-attendance", "life:meeting-qr", "life:meeting-edit"])
@pytest.mark.parametrize("who, status", [("office", 200), ("secretary", 200), ("member", 403), ("outsider", 404)])
def test_secretary_pages(world, login, meeting, name, who, status):
    assert login(getattr(world, who)).get(reverse(name, args=[meeting.pk])).status_code == status


@pytest.mark.parametrize("name", ["life:approvals", "life:overdue", "life:board", "life:figures",
                                  "life:meeting-create", "life:activity-group"])
@pytest.mark.parametrize("who, status", [("office", 200), ("secretary", 200), ("member", 403), ("scorer", 403)])
def test_manager_pages(world, login, name, who, status):
    assert login(getattr(world, who)).get(reverse(name)).status_code == status


@pytest.mark.parametrize("who, status", [("office", 200), ("secretary", 403), ("member", 403), ("outsider", 200)])
def test_settings_page_is_the_office_s(world, login, who, status):
    assert login(getattr(world, who)).get(reverse("life:settings")).status_code == status


def test_outsider_sees_none_of_the_centre_s_rows(world, login, meeting):
    page = login(world.outsider).get(reverse("life:attendance-rows") + f"?from={past_day(30)}").content.decode()
    assert "李党员" not in page
    page = login(world.office).get(reverse("life:attendance-rows") + f"?from={past_day(30)}").content.decode()
    assert "李党员" in page


def test_bad_dates_in_rows_page_are_a_400(world, login):
    assert login(world.office).get(reverse("life:attendance-rows") + "?from=2026-02-31").status_code == 400


def test_sign_in_page_by_qr_link(world, login):
    meeting = _open_meeting(world)
    qr = login(world.secretary).get(reverse("life:meeting-qr", args=[meeting.pk])).content.decode()
    code = services.signin_code(meeting)
    assert f"sign-in/?c={code}" in qr
    svg = login(world.secretary).get(reverse("life:meeting-qr-svg", args=[meeting.pk]) + f"?c={code}")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    client = login(world.member)
    url = reverse("life:sign-in", args=[meeting.pk]) + f"?c={code}"
    assert client.get(url).status_code == 200
    page = client.post(reverse("life:sign-in", args=[meeting.pk]), {"c": code}).content.decode()
    assert "签到成功" in page or "您已签到" in page
    assert Attendance.objects.get(meeting=meeting, person=world.member_person).status == "present"
    page = client.post(reverse("life:sign-in", args=[meeting.pk]), {"c": "1-bad"}).content.decode()
    assert SignIn.objects.count() == 1


def test_sign_in_page_refuses_a_stale_code(world, login):
    meeting = _open_meeting(world)
    stale = services.signin_code(meeting, timezone.now() - datetime.timedelta(minutes=3))
    page = login(world.member).post(reverse("life:sign-in", args=[meeting.pk]), {"c": stale}).content.decode()
    assert "签到码已过期" in page
    assert not SignIn.objects.exists()


def test_sign_in_page_of_a_meeting_not_mine_is_404(world, login):
    meeting = _open_meeting(world)
    code = services.signin_code(meeting)
    assert login(world.outsider).post(reverse("life:sign-in", args=[meeting.pk]), {"c": code}).status_code == 404


def test_tick_attendance_page(world, login):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(1)))
    sec, mem, other = world.branch1_members
    response = login(world.secretary).post(reverse("life:meeting-attendance", args=[meeting.pk]), {
        f"status-{sec.pk}": "present", f"status-{mem.pk}": "leave", f"reason-{mem.pk}": "出差",
        f"status-{other.pk}": "absent"})
    assert response.status_code == 302
    assert dict(meeting.attendances.values_list("person_id", "status")) == {sec.pk: "present", mem.pk: "leave",
                                                                           other.pk: "absent"}


def test_tick_attendance_leave_without_reason_shows_the_message(world, login):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=at(past_day(1)))
    page = login(world.secretary).post(reverse("life:meeting-attendance", args=[meeting.pk]), {
        f"status-{world.member_person.pk}": "leave"}, follow=True).content.decode()
    assert "李党员：请填写请假事由" in page
    assert not meeting.attendances.exclude(status="pending").exists()


def test_record_held_in_the_future_shows_the_message(world, login):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=timezone.now() + datetime.timedelta(days=3))
    page = login(world.secretary).post(reverse("life:meeting-detail", args=[meeting.pk]),
                                       {"action": "held", "minutes": "记录"}).content.decode()
    assert "尚未到来" in page
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_member_asks_leave_and_secretary_approves_on_the_pages(world, login):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=timezone.now() + datetime.timedelta(days=3))
    login(world.member).post(reverse("life:meeting-detail", args=[meeting.pk]), {"action": "leave", "reason": "出差"})
    row = Attendance.objects.get(meeting=meeting, person=world.member_person)
    assert row.leave_waiting
    page = login(world.secretary).get(reverse("life:approvals")).content.decode()
    assert "出差" in page
    login(world.secretary).post(reverse("life:approvals"), {"what": "leave", "pk": row.pk, "decision": "approve"})
    assert Attendance.objects.get(pk=row.pk).status == "leave"
    assert login(world.member).post(reverse("life:approvals"), {"what": "leave", "pk": row.pk,
                                                               "decision": "approve"}).status_code == 403


def test_member_records_an_activity_and_the_secretary_approves(world, login):
    kind = services.activity_kinds(world.centre).get(code="bin_duty")
    response = login(world.member).post(reverse("life:activity-create"), {
        "kind": kind.pk, "date": past_day(1).isoformat(), "hours": "30", "description": "值守"})
    assert "一天30.0小时不可能" in response.content.decode()
    response = login(world.member).post(reverse("life:activity-create"), {
        "kind": kind.pk, "date": past_day(1).isoformat(), "hours": "2", "description": "值守"})
    assert response.status_code == 302
    activity = Activity.objects.get()
    login(world.secretary).post(reverse("life:activity-detail", args=[activity.pk]), {"decision": "approve"})
    assert Activity.objects.get().status == "approved"


def test_group_activity_page(world, login):
    kind = services.activity_kinds(world.centre).get(code="cleanup")
    people = world.branch1_members
    response = login(world.secretary).post(reverse("life:activity-group"), {
        "organization": world.branch1.pk, "kind": kind.pk, "date": past_day(1).isoformat(), "hours": "2",
        "description": "周末大扫除", "people": [p.pk for p in people]})
    assert response.status_code == 302
    assert Activity.objects.get().participants.count() == 3


def test_figures_page_links_to_the_rows(world, login, django_assert_max_num_queries):
    sec, mem, other = world.branch1_members
    held_meeting(world, MeetingKind.THEME_DAY, past_day(2), marks={sec: "present", mem: "present", other: "absent"})
    kinds = {k.code: k for k in services.activity_kinds(world.centre)}
    services.record_activity(world.secretary, kind=kinds["cleanup"], date=past_day(2), hours=2,
                             description="大扫除", people=[sec, mem], organization=world.branch1)
    client = login(world.office)
    year = past_day(2).year
    with django_assert_max_num_queries(20):
        page = client.get(reverse("life:figures") + f"?year={year}").content.decode()
    assert "66.7%" in page
    assert "kind=cleanup" in page and f"organization={world.branch1.pk}" in page
    rows = client.get(reverse("life:activity-rows") + f"?kind=cleanup&organization={world.branch1.pk}"
                      f"&from={year}-01-01&to={year}-12-31").content.decode()
    assert "周末大扫除" in rows and "2条记录" in rows


def test_list_pages_cost_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    for i in range(12):
        held_meeting(world, MeetingKind.GROUP, past_day(i + 1))
    client = login(world.office)
    for name in ("life:meetings", "life:attendance-rows", "life:activities", "life:activity-rows", "life:home",
                 "life:board", "life:overdue", "life:approvals"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name) + f"?from={past_day(40)}").status_code == 200
