import logging
import os
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from vanguard.core import schedule, workers

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run background tasks and the periodic schedule (safe to run several at once)."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="Queues to process, comma-separated; * for all.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when idle.")
        parser.add_argument("--schedule-interval", type=float, default=15.0,
                            help="Seconds between checks of the periodic schedule.")
        parser.add_argument("--no-schedule", action="store_true", help="Run tasks only, not the schedule.")
        parser.add_argument("--batch", action="store_true",
                            help="Tick the schedule once, run every queued task, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, **options):
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        started_at = timezone.now()
        # Pages that depend on a worker warn when none has been seen for two minutes.
        workers.beat(worker_id, started_at)
        if not options["batch"]:
            threading.Thread(target=self._heartbeat_loop, args=(worker_id, started_at),
                             daemon=True, name="vanguard-heartbeat").start()
        if not options["no_schedule"]:
            schedule.tick(worker_id)
            if not options["batch"]:
                threading.Thread(target=self._schedule_loop, args=(worker_id, options["schedule_interval"]),
                                 daemon=True, name="vanguard-schedule").start()
        Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        ).run()

    @staticmethod
    def _heartbeat_loop(worker_id, started_at):
        while True:
            time.sleep(workers.HEARTBEAT_SECONDS)
            try:
                close_old_connections()
                workers.beat(worker_id, started_at)
            except Exception:  # a passing database error must not stop the heartbeat for good
                logger.exception("worker heartbeat failed")

    @staticmethod
    def _schedule_loop(worker_id, interval):
        while True:
            time.sleep(interval)
            try:
                close_old_connections()
                schedule.tick(worker_id)
            except Exception:  # keep the schedule alive through a passing database error
                logger.exception("periodic schedule tick failed")
