import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.core.models import AuditEntry
from vanguard.messaging import dispatch
from vanguard.messaging.channels import local
from vanguard.messaging.models import Broadcast, Message
from vanguard.notices import services
from vanguard.notices.models import Notice, Preference, Recipient
from vanguard.notices.selectors import unread_count


def send_sms_now():
    dispatch.start_due()
    dispatch.send_pending(budget_seconds=5)


def test_an_urgent_notice_reaches_the_inbox_and_the_sms(world, login, client):
    [notice] = services.notify(world.office, recipients=[world.member_person], kind="warning", title="岗位预警",
                               body="第三季度测评未达标", url="/assessment/me/", urgency="urgent")
    row = Recipient.objects.get(notice=notice)
    assert row.user_id == world.member.pk and row.person_id == world.member_person.pk and row.sms == "queued"
    assert notice.centre_id == world.centre.pk
    [broadcast] = Broadcast.objects.filter(pk__in=notice.broadcasts)
    assert broadcast.urgent and broadcast.person_ids == [world.member_person.pk]
    send_sms_now()
    assert [m.mobile for m in local.outbox] == ["13800000002"]
    assert "岗位预警" in local.outbox[0].text
    send_sms_now()  # sent once
    assert len(local.outbox) == 1
    assert Message.objects.get(broadcast=broadcast).state in ("sent", "delivered")
    assert AuditEntry.objects.filter(model="notices.notice", object_id=str(notice.pk), verb="notice sent").exists()
    # The inbox, and the unread count in the header.
    login(world.member)
    page = client.get(reverse("notices:inbox"))
    assert "岗位预警" in page.content.decode()
    assert 'data-unread-notices>1<' in page.content.decode()
    follow = client.get(reverse("notices:open", args=[row.pk]))
    assert follow.status_code == 302 and follow["Location"] == "/assessment/me/"
    row.refresh_from_db()
    assert row.read_at is not None and unread_count(world.member) == 0


def test_a_normal_notice_stays_in_the_inbox(world):
    [notice] = services.notify(world.office, recipients=[world.member_person], kind="sign", title="请签收文件")
    assert notice.broadcasts == [] and Recipient.objects.get(notice=notice).sms == ""
    send_sms_now()
    assert local.outbox == []


def test_preference_inbox_only_sends_no_sms(world):
    services.set_preference(world.member, "inbox")
    [notice] = services.notify(world.office, recipients=[world.member_person], kind="warning", title="紧急",
                               urgency="urgent")
    assert notice.broadcasts == []
    with pytest.raises(ValidationError):
        services.set_preference(world.member, "pigeon")
    assert Preference.objects.get(user=world.member).channel == "inbox"


def test_robot_preference_posts_once(world, settings, monkeypatch):
    settings.SMS = {**settings.SMS, "ROBOTS": ["wecom|http://127.0.0.1:9/hook"]}
    posted = []
    monkeypatch.setattr("vanguard.messaging.channels.robots.Robot.post",
                        lambda self, text, now_ms=None: posted.append(text) or (True, ""))
    services.set_preference(world.member, "robot")
    [notice] = services.notify(world.office, recipients=[world.member_person], kind="warning", title="紧急",
                               urgency="urgent")
    assert notice.robot_state == "pending" and notice.broadcasts == []
    assert services.post_pending_robots() == 1 and services.post_pending_robots() == 0
    assert len(posted) == 1
    assert Notice.objects.get(pk=notice.pk).robot_state == "sent"


def test_robot_failure_is_retried_then_reported(world, settings, monkeypatch):
    settings.SMS = {**settings.SMS, "ROBOTS": ["wecom|http://127.0.0.1:9/hook"]}
    monkeypatch.setattr("vanguard.messaging.channels.robots.Robot.post",
                        lambda self, text, now_ms=None: (False, "93000: invalid webhook"))
    services.set_preference(world.member, "robot")
    [notice] = services.notify(world.office, recipients=[world.member_person], kind="warning", title="紧急",
                               urgency="urgent")
    for _ in range(5):
        services.post_pending_robots()
    notice.refresh_from_db()
    assert notice.robot_state == "failed" and notice.robot_attempts == services.MAX_ROBOT_ATTEMPTS
    assert "invalid webhook" in notice.robot_error


def test_a_unit_reaches_its_handler_and_liaison_and_a_centre_its_office(world):
    [notice] = services.notify(world.office, recipients=[world.home_unit, world.centre], kind="escalation",
                               title="整改超期")
    users = set(Recipient.objects.filter(notice=notice).values_list("user_id", flat=True))
    assert users == {world.handler.pk, world.liaison.pk, world.office.pk}
    # A unit nobody acts for reaches the office (once: recipients are deduplicated).
    [notice] = services.notify(world.office, recipients=[world.home_unit2, world.centre], kind="escalation",
                               title="整改超期")
    assert list(Recipient.objects.filter(notice=notice).values_list("user_id", flat=True)) == [world.office.pk]


def test_recipients_are_inserted_set_based(world, django_assert_max_num_queries):
    people = world.branch1_members + world.branch2_members
    with django_assert_max_num_queries(12):
        services.notify(world.office, recipients=people, kind="other", title="通知", urgency="urgent")
    assert Recipient.objects.count() == len(people)


def test_bad_input(world):
    with pytest.raises(ValidationError):
        services.notify(world.office, recipients=[world.member_person], kind="other", title=" ")
    with pytest.raises(ValidationError):
        services.notify(world.office, recipients=[world.member_person], kind="other", title="x", urgency="loud")
    with pytest.raises(TypeError):
        services.notify(world.office, recipients=["someone"], kind="other", title="x")
    assert Notice.objects.count() == 0


def test_inbox_rows_are_the_owners_only(world, login, client):
    [notice] = services.notify(world.office, recipients=[world.member_person], kind="other", title="私信")
    row = Recipient.objects.get(notice=notice)
    for user in (world.secretary, world.outsider, world.office):
        login(user)
        assert client.get(reverse("notices:open", args=[row.pk])).status_code == 404
        assert "私信" not in client.get(reverse("notices:inbox")).content.decode()
    login(world.member)
    assert client.post(reverse("notices:read-all")).status_code == 302
    assert unread_count(world.member) == 0


def test_the_office_sees_who_has_not_read_an_urgent_notice(world, login, client):
    [notice] = services.notify(world.office, recipients=[world.member_person, world.secretary_person],
                               kind="warning", title="紧急通知", urgency="urgent")
    services.mark_read(world.secretary)
    login(world.office)
    listing = client.get(reverse("notices:urgent")).content.decode()
    assert "紧急通知" in listing
    page = client.get(reverse("notices:not-read", args=[notice.pk])).content.decode()
    assert world.member_person.name in page and world.secretary_person.name not in page
    login(world.member)
    assert client.get(reverse("notices:not-read", args=[notice.pk])).status_code == 403
    login(world.outsider)
    assert client.get(reverse("notices:not-read", args=[notice.pk])).status_code == 404


def test_the_inbox_counts_in_few_queries(world, login, client, django_assert_max_num_queries):
    for i in range(40):
        services.notify(world.office, recipients=[world.member_person], kind="other", title=f"通知{i}")
    login(world.member)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notices:inbox")).status_code == 200
