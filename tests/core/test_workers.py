"""A stalled worker is visible: `vanguard worker` writes a heartbeat; the pages that
depend on it warn when no worker has been seen for two minutes."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from vanguard.core import workers
from vanguard.core.models import WorkerHeartbeat

WARNING = 'id="worker-warning"'


@pytest.mark.django_db(transaction=True)
def test_a_worker_run_writes_a_heartbeat():
    # transaction=True: the worker closes connections it finds inside a transaction, as after a request.
    before = timezone.now()
    call_command("worker", "--batch", "--no-schedule")
    beat = WorkerHeartbeat.objects.get()
    assert beat.seen_at >= before and beat.hostname
    assert workers.stalled() == (False, beat.seen_at)


@pytest.mark.django_db
def test_beats_update_one_row_per_worker_and_forget_old_ones():
    now = timezone.now()
    workers.beat("old-host-1", now - datetime.timedelta(days=30), now=now - datetime.timedelta(days=8))
    workers.beat("host-2", now, now=now)
    workers.beat("host-2", now, now=now + datetime.timedelta(seconds=30))
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["host-2"]
    assert workers.last_seen() == now + datetime.timedelta(seconds=30)


@pytest.mark.django_db
def test_stalled_after_two_minutes():
    now = timezone.now()
    assert workers.stalled(now) == (True, None)
    workers.beat("w", now, now=now - datetime.timedelta(seconds=110))
    assert workers.stalled(now)[0] is False
    WorkerHeartbeat.objects.update(seen_at=now - datetime.timedelta(seconds=130))
    assert workers.stalled(now)[0] is True


@pytest.mark.django_db
class TestWarning:
    def test_pages_that_depend_on_a_worker_warn(self, world, login):
        client = login(world.office)
        for name in ("messaging:broadcast-list", "messaging:lesson-list", "ratings:cases", "home"):
            page = client.get(reverse(name)).content.decode()
            assert WARNING in page, name
            assert "后台任务进程没有运行" in page
        WorkerHeartbeat.objects.create(worker_id="w", started_at=timezone.now(),
                                       seen_at=timezone.now() - datetime.timedelta(minutes=5))
        page = client.get(reverse("ratings:cases")).content.decode()
        assert WARNING in page and "5" in page  # how long ago, in words

    def test_no_warning_while_a_worker_is_seen(self, world, login):
        workers.beat("w", timezone.now())
        assert WARNING not in login(world.office).get(reverse("messaging:broadcast-list")).content.decode()

    def test_pages_that_do_not_depend_on_it_stay_quiet(self, world, login):
        assert WARNING not in login(world.office).get(reverse("core:calendar")).content.decode()

    def test_the_member_and_the_secretarys_home_stay_quiet(self, world, login):
        assert WARNING not in login(world.member).get(reverse("home")).content.decode()
        assert WARNING not in login(world.secretary).get(reverse("home")).content.decode()
        assert WARNING in login(world.secretary).get(reverse("messaging:broadcast-list")).content.decode()
