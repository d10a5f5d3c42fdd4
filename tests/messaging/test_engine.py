import datetime

import pytest
from django.utils import timezone

from vanguard.messaging import dispatch, services
from vanguard.messaging.channels import Result, local
from vanguard.messaging.models import Broadcast, Message, SkippedRecipient
from vanguard.org import services as org_services
from vanguard.org.models import Person


def test_lesson_goes_out_once_to_everyone_with_a_mobile(world, lesson):
    nobody = org_services.create_person(world.admin, world.centre, name="无手机", mobile="",
                                        political_status=Person.Status.PUBLIC)
    broadcast = lesson.broadcasts.get()
    assert broadcast.state == Broadcast.State.SCHEDULED
    assert dispatch.start_due(now=broadcast.send_at - datetime.timedelta(minutes=1)) == []
    assert dispatch.start_due(now=broadcast.send_at) == [broadcast.pk]
    broadcast.refresh_from_db()
    assert broadcast.total == 6  # all six staff of the centre (not the outsider's centre)
    assert SkippedRecipient.objects.filter(broadcast=broadcast, person=nobody).exists()
    assert dispatch.send_pending(budget_seconds=5) == 6
    assert sorted(o.mobile for o in local.outbox) == [f"1380000000{i}" for i in range(1, 7)]
    assert all(o.text.startswith("【测试中心】认真学习党章") and "/s/" in o.text for o in local.outbox)
    assert dispatch.send_pending(budget_seconds=5) == 0
    broadcast.refresh_from_db()
    assert broadcast.state == Broadcast.State.DONE
    assert dispatch.progress(broadcast)["sent"] == 6


def test_transient_failures_retry_with_backoff_then_fail(world, settings):
    broadcast = services.create_broadcast(world.office, world.centre, title="通知", text="下午三点开会。",
                                          audience="branch", branch=world.branch2)
    dispatch.start_due()

    class Throttled(local.LocmemBackend):
        def send(self, batch):
            return [Result(ref=o.ref, transient=True, error="throttled") for o in batch]

    backend = Throttled()
    now = timezone.now()
    for attempt in range(1, settings.SMS["MAX_ATTEMPTS"] + 1):
        token, messages = dispatch.claim([broadcast.pk], now=now)
        assert len(messages) == 2 and all(m.attempts == attempt for m in messages)
        dispatch.record_results(token, messages, backend.send(
            [dispatch.Outgoing(ref=m.client_ref, mobile=m.mobile, text="x") for m in messages]), now=now)
        assert dispatch.claim([broadcast.pk], now=now)[1] == []  # backing off
        now += datetime.timedelta(seconds=dispatch.backoff(attempt) + 1)
    states = set(Message.objects.filter(broadcast=broadcast).values_list("state", flat=True))
    assert states == {Message.State.FAILED}
    assert services.resend_failed(world.office, broadcast) == 2
    assert dispatch.send_pending(budget_seconds=5) == 2
    assert set(Message.objects.filter(broadcast=broadcast).values_list("state", flat=True)) == {"sent"}


def test_stale_claims_are_reconciled_not_resent(world, settings):
    broadcast = services.create_broadcast(world.office, world.centre, title="通知", text="请按时报送材料。")
    dispatch.start_due()
    token, messages = dispatch.claim([broadcast.pk], limit=4)
    # The worker handed two over, then died before writing anything back.
    backend = local.LocmemBackend()
    backend.send([dispatch.Outgoing(ref=m.client_ref, mobile=m.mobile, text="x") for m in messages[:2]])
    later = timezone.now() + datetime.timedelta(seconds=settings.SMS["CLAIM_LEASE_SECONDS"] + 1)
    assert dispatch.recover_stale(backend, now=later) == 4
    states = dict(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "state"))
    assert [states[m.pk] for m in messages] == ["sent", "sent", "queued", "queued"]
    dispatch.send_pending(budget_seconds=5)
    refs = [o.mobile for o in local.outbox]
    assert len(refs) == len(set(refs)) == 6


def test_quiet_hours_hold_non_urgent(world, settings):
    settings.SMS = {**settings.SMS, "QUIET_HOURS": "00:00-23:59"}
    services.create_broadcast(world.office, world.centre, title="通知", text="明天放假。")
    dispatch.start_due()
    assert dispatch.send_pending(budget_seconds=2) == 0
    services.create_broadcast(world.office, world.centre, title="紧急", text="紧急通知。", urgent=True)
    dispatch.start_due()
    assert dispatch.send_pending(budget_seconds=2) == 6


@pytest.mark.parametrize("moment,expected", [
    ("2026-11-23 07:00", "2026-11-23 08:00"),  # Monday before eight: today
    ("2026-11-23 09:00", "2026-11-30 08:00"),
    ("2026-11-28 12:00", "2026-11-30 08:00"),
])
def test_default_send_time_is_the_coming_monday_eight(moment, expected):
    tz = services.SHANGHAI
    now = datetime.datetime.fromisoformat(moment).replace(tzinfo=tz)
    assert services.default_send_at(now) == datetime.datetime.fromisoformat(expected).replace(tzinfo=tz)
