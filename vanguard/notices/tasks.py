"""Background work of notices; `vanguard worker` runs these (core/schedule.py)."""

from django_tasks import task

from . import services


@task()
def post_robots():
    """Post urgent notices to the work-group robots of those who chose them (retried on failure)."""
    return services.post_pending_robots()
