"""Periodic work of organisational life (see vanguard/core/schedule.py)."""

from django_tasks import task


@task()
def remind_due_meetings():
    """Remind branch secretaries of required meeting kinds falling due with none held yet."""
    from .services import send_due_reminders

    return send_due_reminders()
