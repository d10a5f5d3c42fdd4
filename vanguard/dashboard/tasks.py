"""Background work of the figures room; `vanguard worker` runs it (core/schedule.py)."""

from django_tasks import task

from vanguard.core.system import SYSTEM

from . import services


@task()
def refresh():
    """Recompute the figures whose sources changed, for every centre (this month and the 24 before it)."""
    return services.refresh_figures(SYSTEM)
