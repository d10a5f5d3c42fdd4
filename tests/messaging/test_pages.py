"""Every page: owner (office/admin), members of the scope as the role allows, the outsider, anonymous."""

import pytest
from django.urls import reverse

from vanguard.messaging import dispatch, services
from vanguard.messaging import services_docs as docs
from vanguard.messaging.audience import preview
from vanguard.messaging.models import Broadcast, CircularSignature, ReadingRecord

from .files import docx_upload, pdf_upload

ROLES = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member", "outsider"]


@pytest.fixture
def circular(world):
    c = docs.upload_circular(world.office, world.centre, title="关于深入学习党章的通知", issuer="区委组织部",
                             number="区组通〔2026〕12号", file=pdf_upload())
    return docs.circulate(world.office, c, [world.branch1, world.branch2])


@pytest.fixture
def booklet(world):
    b = docs.create_booklet(world.office, world.centre, title="学以致用", description="党员应知应会")
    docs.add_chapter(world.office, b, title="党章摘编", body="第一条……")
    return b


def get(login, world, role, url):
    if role == "anonymous":
        from django.test import Client
        return Client().get(url)
    return login(getattr(world, role)).get(url)


@pytest.mark.parametrize("role", ROLES + ["anonymous"])
def test_home(world, login, role):
    response = get(login, world, role, reverse("messaging:home"))
    assert response.status_code == (302 if role == "anonymous" else 200)


@pytest.mark.parametrize("role,expected", [("admin", 200), ("office", 200), ("secretary", 403), ("member", 403),
                                           ("scorer", 403), ("outsider", 200), ("anonymous", 302)])
def test_lesson_create_page_is_for_the_office(world, login, role, expected):
    # The outsider is an office too, of its own centre: it gets the page for its centre.
    assert get(login, world, role, reverse("messaging:lesson-create")).status_code == expected


@pytest.mark.parametrize("role,expected", [("admin", 200), ("office", 200), ("member", 404), ("secretary", 404),
                                           ("outsider", 404), ("anonymous", 302)])
def test_scheduled_lesson_detail(world, login, lesson, role, expected):
    assert get(login, world, role, reverse("messaging:lesson-detail", args=[lesson.pk])).status_code == expected


def test_sent_lesson_is_readable_by_members_and_web_version_is_public(world, login, lesson, client):
    broadcast = lesson.broadcasts.get()
    dispatch.start_due(now=broadcast.send_at)
    assert login(world.member).get(reverse("messaging:lesson-detail", args=[lesson.pk])).status_code == 200
    response = client.get(reverse("messaging:lesson-web", args=[lesson.code]))
    assert response.status_code == 200 and "党章全文学习要点" in response.content.decode()
    assert client.get("/s/nope").status_code == 404


@pytest.mark.parametrize("role,expected", [("admin", 200), ("office", 200), ("secretary", 403), ("member", 403),
                                           ("liaison", 403), ("outsider", 200), ("anonymous", 302)])
def test_broadcast_list(world, login, role, expected):
    assert get(login, world, role, reverse("messaging:broadcast-list")).status_code == expected


@pytest.mark.parametrize("role,expected", [("admin", 200), ("office", 200), ("secretary", 404), ("member", 404),
                                           ("outsider", 404), ("anonymous", 302)])
def test_broadcast_detail_and_progress(world, login, lesson, role, expected):
    broadcast = lesson.broadcasts.get()
    for name in ("messaging:broadcast-detail", "messaging:broadcast-progress"):
        assert get(login, world, role, reverse(name, args=[broadcast.pk])).status_code == expected


def test_broadcast_actions_by_office_only(world, login, lesson):
    broadcast = lesson.broadcasts.get()
    url = reverse("messaging:broadcast-action", args=[broadcast.pk, "pause"])
    assert login(world.outsider).post(url).status_code == 404
    assert login(world.member).post(url).status_code == 404
    assert login(world.office).post(url).status_code == 302
    assert Broadcast.objects.get(pk=broadcast.pk).state == Broadcast.State.PAUSED
    login(world.office).post(reverse("messaging:broadcast-action", args=[broadcast.pk, "resume"]))
    assert Broadcast.objects.get(pk=broadcast.pk).state == Broadcast.State.SCHEDULED


def test_lesson_form_creates_a_weekly_series(world, login):
    response = login(world.office).post(reverse("messaging:lesson-create"), {
        "title": "廉政提醒", "category": "integrity", "sms_text": "节日期间严守纪律。", "audience": "members",
        "send_at": "2099-01-05T08:00", "repeat_weekly": "on", "series_weeks": "4"})
    assert response.status_code == 302, response.content.decode()
    lesson = world.centre.lessons.get()
    assert lesson.broadcasts.count() == 4


def test_preview_partial(world, login):
    response = login(world.office).post(reverse("messaging:lesson-preview"), {"sms_text": "学" * 70})
    text = response.content.decode()
    # 【测试中心】 (6) + 70 characters = 76: two parts of at most 67.
    assert response.status_code == 200 and "76" in text and "【测试中心】" in text
    shown = preview("学" * 70)
    assert (shown["chars"], shown["parts"]) == (76, 2)
    assert (preview("学" * 64)["parts"], preview("学" * 65)["parts"]) == (1, 2)  # 70 characters fit in one
    assert login(world.member).post(reverse("messaging:lesson-preview"), {"sms_text": "x"}).status_code == 403


@pytest.mark.parametrize("role,expected", [("admin", 200), ("office", 200), ("secretary", 200), ("member", 200),
                                           ("scorer", 404), ("outsider", 404), ("anonymous", 302)])
def test_circular_detail_and_file(world, login, circular, role, expected):
    assert get(login, world, role, reverse("messaging:circular-detail", args=[circular.pk])).status_code == expected
    response = get(login, world, role, reverse("messaging:circular-file", args=[circular.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Cache-Control"] == "private, no-store"


def test_documents_are_not_under_public_media(world, circular, client):
    assert circular.file.name.startswith("private/")
    assert client.get(f"/media/{circular.file.name}").status_code == 404
    # A way out of public/ is refused as a suspicious path (400), never served.
    assert client.get(f"/media/public/../{circular.file.name}").status_code == 400


def test_member_signs_and_office_sees_coverage(world, login, circular):
    member = login(world.member)
    page = member.get(reverse("messaging:circular-detail", args=[circular.pk])).content.decode()
    assert "sign-button" in page
    assert member.post(reverse("messaging:circular-sign", args=[circular.pk])).status_code == 302
    assert CircularSignature.objects.filter(circular=circular, person=world.member_person).exists()
    member.post(reverse("messaging:circular-sign", args=[circular.pk]))  # twice: refused, still one
    assert CircularSignature.objects.filter(circular=circular).count() == 1
    rows = {r["branch"].pk: r for r in docs.coverage(circular)}
    assert (rows[world.branch1.pk]["signed"], rows[world.branch1.pk]["members"]) == (1, 3)
    assert rows[world.branch2.pk]["percent"] == 0
    office_page = login(world.office).get(reverse("messaging:circular-detail", args=[circular.pk])).content.decode()
    assert "33%" in office_page


def test_outsider_and_scorer_cannot_sign(world, login, circular):
    for user in (world.outsider, world.scorer):
        login(user).post(reverse("messaging:circular-sign", args=[circular.pk]))
    assert not CircularSignature.objects.exists()


def test_secretary_sees_unsigned_and_reminds_own_branch_only(world, login, circular):
    page = login(world.secretary).get(reverse("messaging:circular-detail", args=[circular.pk])).content.decode()
    assert "李党员" in page and "张二层" not in page  # branch 2's members are not its business
    response = login(world.secretary).post(reverse("messaging:circular-remind", args=[circular.pk, world.branch2.pk]))
    assert response.status_code == 403  # branch 2 is not its branch
    login(world.secretary).post(reverse("messaging:circular-remind", args=[circular.pk, world.branch1.pk]))
    reminder = circular.reminders.get()
    assert reminder.people == 3 and reminder.broadcast.person_ids
    dispatch.start_due()
    dispatch.send_pending(budget_seconds=5)
    from vanguard.messaging.channels import local
    assert sorted(o.mobile for o in local.outbox) == ["13800000001", "13800000002", "13800000003"]


@pytest.mark.parametrize("role,expected", [("office", 200), ("member", 200), ("secretary", 200),
                                           ("outsider", 404), ("anonymous", 302)])
def test_booklet_pages_and_reading_records(world, login, booklet, role, expected):
    assert get(login, world, role, reverse("messaging:booklet-detail", args=[booklet.pk])).status_code == expected
    assert get(login, world, role, reverse("messaging:chapter-read", args=[booklet.pk, 1])).status_code == expected
    if role == "member":
        record = ReadingRecord.objects.get(person=world.member_person, chapter__isnull=False)
        assert record.times == 1


@pytest.mark.parametrize("role,expected", [("office", 200), ("secretary", 200), ("member", 403),
                                           ("outsider", 404)])
def test_booklet_readings_page(world, login, booklet, role, expected):
    login(world.member).get(reverse("messaging:booklet-detail", args=[booklet.pk]))
    response = get(login, world, role, reverse("messaging:booklet-readings", args=[booklet.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "李党员" in response.content.decode()


def test_upload_pages(world, login):
    office = login(world.office)
    response = office.post(reverse("messaging:circular-create"), {
        "title": "通知", "issuer": "区委办", "number": "区委办〔2026〕1号", "secrecy": "none", "file": docx_upload()})
    assert response.status_code == 302
    response = office.post(reverse("messaging:circular-create"), {
        "title": "通知", "issuer": "区委办", "number": "区委办〔2026〕2号", "secrecy": "secret", "file": docx_upload()})
    assert response.status_code == 200 and "涉密" in response.content.decode()
    assert login(world.member).get(reverse("messaging:circular-create")).status_code == 403
    assert login(world.member).get(reverse("messaging:booklet-create")).status_code == 403
    response = login(world.office).post(reverse("messaging:booklet-create"), {"title": "温故知新", "file": pdf_upload()})
    assert response.status_code == 302


def test_lesson_test_send_validates_the_number(world, login, lesson):
    office = login(world.office)
    response = office.post(reverse("messaging:lesson-test", args=[lesson.pk]), {"mobile": "010-12345678"},
                           follow=True)
    assert "不是" in response.content.decode()
    office.post(reverse("messaging:lesson-test", args=[lesson.pk]), {"mobile": "+86 139 0000 1111"})
    assert Broadcast.objects.filter(messages__mobile="13900001111").exists()


def test_services_refuse_non_office(world):
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.create_lesson(world.secretary, world.centre, title="x", category="theory", sms_text="x")
    with pytest.raises(PermissionDenied):
        services.create_lesson(world.outsider, world.centre, title="x", category="theory", sms_text="x")


def test_cancelling_a_broadcast_says_what_it_stops(client, world, lesson):
    from django.urls import reverse

    from vanguard.messaging import services

    broadcast = lesson.broadcasts.get()
    expected = services.preview_cancel(broadcast)["stopped"]
    client.force_login(world.office)
    detail = client.get(reverse("messaging:broadcast-detail", args=[broadcast.pk])).content.decode()
    assert "data-confirm=" in detail and f"尚未发出的 {expected} 条短信将不再发送" in detail
    done = client.post(reverse("messaging:broadcast-action", args=[broadcast.pk, "cancel"]), follow=True)
    assert f"已取消发送：尚未发出的 {expected} 条短信不再发送" in done.content.decode()
    broadcast.refresh_from_db()
    assert broadcast.state == "cancelled"
