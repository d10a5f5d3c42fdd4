import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vanguard.core import schedule
from vanguard.core.models import PeriodicJob

JOB = schedule.Job("test-job", "vanguard.core.tasks.check_calendar_coverage", every=datetime.timedelta(hours=1))


@pytest.mark.django_db
def test_first_tick_enqueues_then_waits_for_the_interval():
    now = timezone.now()
    assert schedule.tick("w1", now=now, jobs=[JOB]) == ["test-job"]
    assert schedule.tick("w2", now=now + datetime.timedelta(minutes=59), jobs=[JOB]) == []
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert schedule.tick("w2", now=now + datetime.timedelta(minutes=61), jobs=[JOB]) == ["test-job"]
    assert DBTaskResult.objects.count() == 2
    assert PeriodicJob.objects.get(name="test-job").last_claimed_by == "w2"


@pytest.mark.django_db
def test_a_run_still_queued_or_running_holds_back_the_next():
    now = timezone.now()
    schedule.tick("w1", now=now, jobs=[JOB])
    assert schedule.tick("w1", now=now + datetime.timedelta(hours=3), jobs=[JOB]) == []
    DBTaskResult.objects.update(status="RUNNING", started_at=now + datetime.timedelta(hours=3, minutes=50))
    assert schedule.tick("w1", now=now + datetime.timedelta(hours=4), jobs=[JOB]) == []
    DBTaskResult.objects.update(status="FAILED")
    assert schedule.tick("w1", now=now + datetime.timedelta(hours=5), jobs=[JOB]) == ["test-job"]


@pytest.mark.django_db
def test_a_run_whose_worker_died_does_not_block_the_schedule_for_ever():
    now = timezone.now()
    schedule.tick("w1", now=now, jobs=[JOB])
    # The worker was killed mid-run: the result stays RUNNING for ever.
    started = now + datetime.timedelta(hours=1)
    DBTaskResult.objects.update(status="RUNNING", started_at=started)
    # Within the lease it may still be running: no second run.
    assert schedule.tick("w2", now=started + JOB.lease - datetime.timedelta(minutes=1), jobs=[JOB]) == []
    # Past the lease it is taken for dead: the schedule goes on.
    assert schedule.tick("w2", now=started + JOB.lease + datetime.timedelta(minutes=1), jobs=[JOB]) == ["test-job"]


@pytest.mark.django_db
def test_two_workers_with_the_same_view_enqueue_once():
    now = timezone.now()
    schedule.tick("w1", now=now, jobs=[JOB])
    later = now + datetime.timedelta(hours=2)
    # Both workers read the row before either claims it: only one UPDATE can match.
    row = PeriodicJob.objects.get(name="test-job")
    first = PeriodicJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(next_run_at=later)
    second = PeriodicJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(next_run_at=later)
    assert (first, second) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_enqueue_each_run_once():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency is exercised on PostgreSQL")
    now = timezone.now()
    results = []
    barrier = threading.Barrier(4)

    def run(name):
        from django.db import connections

        barrier.wait()
        try:
            results.append(schedule.tick(name, now=now, jobs=[JOB]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r) for r in results) == 1
    assert DBTaskResult.objects.filter(task_path__endswith="check_calendar_coverage").count() == 1
