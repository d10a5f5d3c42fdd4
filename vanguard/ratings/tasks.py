"""Periodic work of ratings (see vanguard/core/schedule.py)."""

from django_tasks import task


@task()
def default_unrated():
    """Transactions not rated in time get the default 基本满意."""
    from .services import default_unrated as run

    return run()


@task()
def mark_overdue():
    """Record overdue rectification cases once and escalate them."""
    from .cases import mark_overdue as run

    return run()


@task()
def fold_pending():
    """Count the ratings not yet in the figures: single ratings are written uncounted (figures.py)."""
    from .figures import fold_all

    return fold_all()

