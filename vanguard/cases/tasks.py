"""Periodic work of cases (see vanguard/core/schedule.py)."""

from django_tasks import task


@task()
def sweep():
    """Record overdue cases once and send reminders before deadlines."""
    from .sweep import sweep as run

    return run()


@task()
def send_campaign_invitations(campaign_pk=None):
    """Send a review campaign's SMS invitations not sent yet (each at most once)."""
    from .campaigns import send_invitations

    sent, failed = send_invitations(campaign_pk)
    return {"sent": sent, "failed": failed}
