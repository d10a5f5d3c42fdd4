"""The periodic jobs, declared in one place. `vanguard worker` ticks this
schedule; a due run is claimed with a conditional UPDATE on its PeriodicJob
row, so with any number of workers each run is enqueued exactly once.

Add a job: Job("name", "dotted.path.to.task", every=timedelta(...)). The
task is a django_tasks task taking no arguments."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: str
    every: datetime.timedelta
    # A run still RUNNING after this long is taken for dead (its worker was killed)
    # and no longer holds back the next run.
    lease: datetime.timedelta = datetime.timedelta(minutes=30)


JOBS = [
    Job("calendar-coverage", "vanguard.core.tasks.check_calendar_coverage", every=datetime.timedelta(days=1)),
    # Assessment: remind scorers with people left when a month's scoring is due.
    Job("assessment-reminders", "vanguard.assessment.tasks.remind_scorers", every=datetime.timedelta(hours=6)),
    # Assessment: automatic indicators of the months being scored, where their records moved.
    Job("assessment-automatic", "vanguard.assessment.tasks.compute_open_months", every=datetime.timedelta(minutes=5)),
    # Messaging: start due broadcasts and send (one period's worth each run), settle unknown outcomes, SMPP receipts.
    Job("messaging-dispatch", "vanguard.messaging.tasks.dispatch",
        every=datetime.timedelta(seconds=settings.SMS["DISPATCH_SECONDS"])),
    Job("messaging-reconcile", "vanguard.messaging.tasks.reconcile", every=datetime.timedelta(minutes=10)),
    Job("messaging-receipts", "vanguard.messaging.tasks.poll_receipts", every=datetime.timedelta(minutes=5)),
    # Ratings: default-rate unrated transactions, record overdue rectification once, fold leftover ratings.
    Job("ratings-default", "vanguard.ratings.tasks.default_unrated", every=datetime.timedelta(hours=1)),
    Job("ratings-overdue", "vanguard.ratings.tasks.mark_overdue", every=datetime.timedelta(minutes=10)),
    Job("ratings-fold", "vanguard.ratings.tasks.fold_pending", every=datetime.timedelta(minutes=1)),
    # Notices: post urgent notices to the work-group robots (and retry failed posts).
    Job("notices-robots", "vanguard.notices.tasks.post_robots", every=datetime.timedelta(minutes=5)),
    # Cases: record overdue cases once, remind units before deadlines.
    Job("cases-sweep", "vanguard.cases.tasks.sweep", every=datetime.timedelta(minutes=10)),
    # Cases: a review campaign's SMS invitations left unsent (each sent at most once).
    Job("cases-campaign-sms", "vanguard.cases.tasks.send_campaign_invitations", every=datetime.timedelta(minutes=5)),
    # Honours: rotating medals move by their rule at the turn of the month (or quarter), once per period.
    Job("honours-medals", "vanguard.honours.tasks.rotate_medals", every=datetime.timedelta(hours=1)),
    # Figures: recompute the pre-aggregated figures of every centre.
    Job("dashboard-figures", "vanguard.dashboard.tasks.refresh", every=datetime.timedelta(hours=1),
        lease=datetime.timedelta(hours=2)),
    # Organisational life: remind secretaries a week before a required meeting kind falls due.
    Job("life-reminders", "vanguard.life.tasks.remind_due_meetings", every=datetime.timedelta(hours=6)),
]


def tick(worker_id="", now=None, jobs=None):
    """Enqueue every job that is due. Returns the names enqueued by this call."""
    now = now or timezone.now()
    jobs = JOBS if jobs is None else jobs
    existing = {row.name: row for row in PeriodicJob.objects.filter(name__in=[j.name for j in jobs])}
    missing = [PeriodicJob(name=j.name, next_run_at=now) for j in jobs if j.name not in existing]
    if missing:
        PeriodicJob.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {row.name: row for row in PeriodicJob.objects.filter(name__in=[j.name for j in jobs])}
    leases = {j.name: j.lease for j in jobs}
    unfinished = set()
    for result in DBTaskResult.objects.filter(
            id__in=[row.last_task_id for row in existing.values() if row.last_task_id],
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).only("id", "status", "started_at"):
        job_name = next(name for name, row in existing.items() if row.last_task_id == str(result.id))
        dead = (result.status == TaskResultStatus.RUNNING and result.started_at is not None
                and result.started_at < now - leases[job_name])
        if not dead:
            unfinished.add(str(result.id))
    enqueued = []
    for job in jobs:
        row = existing[job.name]
        if row.next_run_at > now or row.last_task_id in unfinished:
            continue  # not due, or the last run has not finished: never two runs at once
        with transaction.atomic():
            # Only the worker whose UPDATE still sees the old next_run_at wins this run.
            won = PeriodicJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=now + job.every, last_run_at=now, last_claimed_by=worker_id[:100])
            if won:
                result = import_string(job.task).enqueue()
                PeriodicJob.objects.filter(pk=row.pk).update(last_task_id=str(result.id))
                enqueued.append(job.name)
    if enqueued:
        logger.info("periodic jobs enqueued by %s: %s", worker_id, ", ".join(enqueued))
    return enqueued
