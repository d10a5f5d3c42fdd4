import datetime
import logging

from django_tasks import task

from .workdays import uncovered_years

logger = logging.getLogger(__name__)


@task()
def check_calendar_coverage():
    """Warn in the log, daily, when next year's holidays are not yet entered."""
    today = datetime.date.today()
    missing = uncovered_years(today, today.replace(year=today.year + 1))
    if missing:
        logger.warning("working-day calendar not entered for %s", missing)
    return missing


@task()
def run_upload_job(job_id):
    """A large uploaded workbook, read and saved by the worker (core/upload_jobs.py)."""
    from .upload_jobs import run

    return run(job_id).state
