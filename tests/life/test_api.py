import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from vanguard.life import services
from vanguard.life.models import Activity, MeetingKind, SignIn

from .conftest import past_day


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def _open_meeting(world):
    now = timezone.now()
    return services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.THEME_DAY, topic="主题党日",
                                 starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=1))


@pytest.mark.parametrize("who, count", [("office", 1), ("secretary", 1), ("member", 1), ("outsider", 0)])
def test_meeting_list_is_scoped(world, meeting, who, count):
    response = api(getattr(world, who)).get("/api/v1/meetings/")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_anonymous_is_401(world):
    assert api().get("/api/v1/meetings/").status_code == 401


def test_plan_meeting_by_api(world):
    response = api(world.secretary).post("/api/v1/meetings/", {
        "organization": world.branch1.pk, "kind": "lesson", "topic": "党课", "starts_at": "2026-03-01T09:00:00+08:00"},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["expected_count"] == 3
    assert api(world.member).post("/api/v1/meetings/", {"organization": world.branch1.pk, "kind": "lesson",
                                                        "topic": "x", "starts_at": "2026-03-01T09:00:00+08:00"},
                                  format="json").status_code == 403


def test_phone_sign_in_endpoint(world):
    meeting = _open_meeting(world)
    url = f"/api/v1/meetings/{meeting.pk}/sign-in/"
    response = api(world.member).post(url, {"code": services.signin_code(meeting)}, format="json")
    assert response.status_code == 200 and response.json()["created"] is True
    response = api(world.member).post(url, {"code": services.signin_code(meeting)}, format="json")
    assert response.status_code == 200 and response.json()["created"] is False
    response = api(world.member).post(url, {"code": "0-00"}, format="json")
    assert response.status_code == 400 and "签到码已过期" in str(response.json())
    assert api(world.outsider).post(url, {"code": services.signin_code(meeting)}, format="json").status_code == 404
    assert SignIn.objects.count() == 1


def test_attendance_endpoint(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=timezone.now() - datetime.timedelta(days=1))
    url = f"/api/v1/meetings/{meeting.pk}/attendance/"
    response = api(world.secretary).post(url, [{"person": world.branch2_members[0].pk, "status": "present"}],
                                         format="json")
    assert response.status_code == 400 and "张二层" in str(response.json())
    response = api(world.secretary).post(url, [{"person": world.member_person.pk, "status": "leave",
                                                "reason": "出差"}], format="json")
    assert response.status_code == 200
    assert api(world.member).post(url, [], format="json").status_code == 403


def test_activity_endpoints(world):
    response = api(world.member).post("/api/v1/activities/", {
        "kind": "bin_duty", "date": past_day(1).isoformat(), "hours": "30", "description": "值守"}, format="json")
    assert response.status_code == 400 and "24" in str(response.json())
    response = api(world.member).post("/api/v1/activities/", {
        "kind": "bin_duty", "date": past_day(1).isoformat(), "hours": "3", "description": "值守"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(world.member).post(f"/api/v1/activities/{pk}/decide/", {"approve": True},
                                  format="json").status_code == 403
    response = api(world.secretary).post(f"/api/v1/activities/{pk}/decide/", {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = api(world.secretary).post("/api/v1/activities/", {
        "kind": "cleanup", "date": past_day(1).isoformat(), "hours": "2", "description": "大扫除",
        "organization": world.branch1.pk, "people": [p.pk for p in world.branch1_members]}, format="json")
    assert response.status_code == 201 and response.json()["participant_count"] == 3
    assert api(world.outsider).get(f"/api/v1/activities/{pk}/").status_code == 404
    assert Activity.objects.count() == 2


def test_sign_in_endpoint_query_budget(world):
    """A phone's first sign-in with its API token: on PostgreSQL the token (with user and person), the
    sign-in in one statement (attendance row, window, insert, present), the audit chain's lock and its
    row (head read in the insert) - and the transaction's two ends. Before: 12 statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    meeting = _open_meeting(world)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.member).key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/api/v1/meetings/{meeting.pk}/sign-in/", {"code": services.signin_code(meeting)},
                               format="json")
    assert response.status_code == 200 and response.json()["created"] is True
    if connection.vendor == "postgresql":
        # token; SAVEPOINT (BEGIN outside a test); sign-in; chain lock; audit row; RELEASE (COMMIT)
        assert len(queries) == 6, [q["sql"][:60] for q in queries]
    else:  # SQLite: the portable way (meeting through visible_to, row, insert, update, audit head and row)
        assert len(queries) <= 12, [q["sql"][:60] for q in queries]
    from vanguard.core import audit

    assert audit.verify()[1] is None


def test_sign_in_endpoint_refusals_keep_their_answers(world):
    meeting = _open_meeting(world)
    url = f"/api/v1/meetings/{meeting.pk}/sign-in/"
    # the outsider learns nothing, whatever the body
    assert api(world.outsider).post(url, {}, format="json").status_code == 404
    assert api(world.outsider).post(url, {"code": "x" * 500}, format="json").status_code == 404
    assert api(world.member).post("/api/v1/meetings/abc/sign-in/", {"code": "1-2"}, format="json").status_code == 404
    assert api(world.member).post(f"/api/v1/meetings/{2**70}/sign-in/", {"code": "1-2"},
                                  format="json").status_code == 404
    response = api(world.member).post(url, {}, format="json")
    assert response.status_code == 400 and "code" in response.json()
    # the office sees the meeting but is nobody expected at it
    response = api(world.office).post(url, {"code": services.signin_code(meeting)}, format="json")
    assert response.status_code == 400 and "不在本次会议的应到名单" in str(response.json())
    assert not SignIn.objects.exists()
