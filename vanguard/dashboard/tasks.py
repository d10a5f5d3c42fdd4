"""Background work of the figures room; `vanguard worker` runs it (core/schedule.py)."""

from django_tasks import task

from vanguard.core.system import SYSTEM

from . import services


@task()
def refresh():
    """Recompute every centre's figures (this month and the 24 before it)."""
    return services.refresh_figures(SYSTEM)
