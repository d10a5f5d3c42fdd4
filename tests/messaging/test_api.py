"""/api/v1/ lessons, broadcasts, messages, circulars: owner, scope, outsider, anonymous."""

import pytest
from rest_framework.test import APIClient

from vanguard.messaging import dispatch
from vanguard.messaging import services_docs as docs
from vanguard.messaging.models import Broadcast, CircularSignature, Lesson

from .files import pdf_upload

ROLES = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member", "outsider"]


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def circular(world):
    c = docs.upload_circular(world.office, world.centre, title="关于学习的通知", issuer="区委组织部",
                             number="区组通〔2026〕3号", file=pdf_upload())
    return docs.circulate(world.office, c, [world.branch1])


@pytest.mark.parametrize("role", ROLES + ["anonymous"])
def test_lessons_list(world, lesson, role):
    response = api(getattr(world, role, None)).get("/api/v1/lessons/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    ids = {row["id"] for row in response.json()["results"]}
    # Scheduled lessons are the office's business; staff see them once sent.
    assert ids == ({lesson.pk} if role in ("admin", "office") else set())


def test_lesson_create_and_preview_by_api(world):
    response = api(world.office).post("/api/v1/lessons/", {
        "title": "党建风采", "category": "highlights", "sms_text": "一层党支部开展“周末大扫除”活动。",
        "audience": "branch", "branch": world.branch1.pk}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["preview"]["text"].startswith("【测试中心】") and data["preview"]["parts"] == 1
    assert Lesson.objects.get(pk=data["id"]).broadcasts.count() == 1
    assert api(world.member).post("/api/v1/lessons/", {"title": "x", "category": "theory", "sms_text": "x"},
                                  format="json").status_code == 403
    response = api(world.office).post("/api/v1/lessons/", {
        "title": "x", "category": "theory", "sms_text": "x", "audience": "branch",
        "branch": world.other_person.branch_id}, format="json")
    assert response.status_code == 400  # another centre's branch does not exist for this user


@pytest.mark.parametrize("role,status", [("admin", 200), ("office", 200), ("secretary", 404), ("member", 404),
                                         ("outsider", 404)])
def test_broadcast_actions(world, lesson, role, status):
    broadcast = lesson.broadcasts.get()
    client = api(getattr(world, role))
    assert client.get(f"/api/v1/broadcasts/{broadcast.pk}/progress/").status_code == status
    response = client.post(f"/api/v1/broadcasts/{broadcast.pk}/pause/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["state"] == "paused"
        assert client.post(f"/api/v1/broadcasts/{broadcast.pk}/resume/").json()["state"] == "scheduled"
        assert client.post(f"/api/v1/broadcasts/{broadcast.pk}/cancel/").json()["state"] == "cancelled"
        response = client.post(f"/api/v1/broadcasts/{broadcast.pk}/resend-failed/")
        assert response.status_code == 400


def test_broadcast_create_sends_now_and_messages_filter(world):
    response = api(world.office).post("/api/v1/broadcasts/", {
        "title": "紧急通知", "text": "今天下午停电，请做好准备。", "audience": "all", "urgent": True}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    dispatch.start_due()
    dispatch.send_pending(budget_seconds=5)
    progress = api(world.office).get(f"/api/v1/broadcasts/{pk}/progress/").json()
    assert (progress["total"], progress["sent"], progress["queued"]) == (6, 6, 0)
    rows = api(world.office).get(f"/api/v1/messages/?broadcast={pk}&state=sent").json()["results"]
    assert len(rows) == 6
    assert api(world.office).get(f"/api/v1/messages/?broadcast={pk}&state=failed").json()["results"] == []
    assert api(world.member).get("/api/v1/messages/").json()["results"] == []
    assert api(world.outsider).get("/api/v1/messages/").json()["results"] == []
    assert api().get("/api/v1/messages/").status_code == 401


def test_circular_api_sign_and_coverage(world, circular):
    assert {r["id"] for r in api(world.member).get("/api/v1/circulars/").json()["results"]} == {circular.pk}
    assert api(world.outsider).get("/api/v1/circulars/").json()["results"] == []
    assert api(world.outsider).post(f"/api/v1/circulars/{circular.pk}/sign/").status_code == 404
    response = api(world.member).post(f"/api/v1/circulars/{circular.pk}/sign/")
    assert response.status_code == 201
    response = api(world.member).post(f"/api/v1/circulars/{circular.pk}/sign/")
    assert response.status_code == 400
    assert CircularSignature.objects.count() == 1
    coverage = api(world.office).get(f"/api/v1/circulars/{circular.pk}/coverage/").json()
    assert coverage[0]["signed"] == 1 and coverage[0]["members"] == 3 and not coverage[0]["full"]
    assert coverage[0]["signatures"][0]["person"] == "李党员"
    assert api(world.secretary).get(f"/api/v1/circulars/{circular.pk}/coverage/").status_code == 200
    assert api(world.member).get(f"/api/v1/circulars/{circular.pk}/coverage/").status_code == 403
    assert api(world.member).get(f"/api/v1/circulars/{circular.pk}/").json()["signed"] is True


def test_circular_upload_by_api(world):
    response = api(world.office).post("/api/v1/circulars/", {
        "title": "通知", "issuer": "市委办公厅", "number": "市委办〔2026〕8号", "file": pdf_upload()},
        format="multipart")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api(world.office).post(f"/api/v1/circulars/{pk}/circulate/", {"branches": [world.branch2.pk]},
                                      format="json")
    assert response.status_code == 200 and response.json()["branches"] == [world.branch2.pk]
    assert api(world.member).post("/api/v1/circulars/", {
        "title": "通知", "issuer": "x", "number": "1", "file": pdf_upload()}, format="multipart").status_code == 403


def test_broadcast_list_scoping(world, lesson):
    for role in ROLES:
        ids = {r["id"] for r in api(getattr(world, role)).get("/api/v1/broadcasts/").json()["results"]}
        expected = set(Broadcast.objects.filter(lesson=lesson).values_list("pk", flat=True)) \
            if role in ("admin", "office") else set()
        assert ids == expected, role
