"""Periodic work of cases (see vanguard/core/schedule.py)."""

from django_tasks import task


@task()
def sweep():
    """Record overdue cases once and send reminders before deadlines."""
    from .sweep import sweep as run

    return run()
