"""Periodic work of honours (see vanguard/core/schedule.py)."""

from django_tasks import task


@task()
def rotate_medals():
    """At the turn of the month (or quarter): rotating medals move by their rule, once per period."""
    from .services import rotate_due

    return sum(len(moved) for _scheme, moved in rotate_due())
