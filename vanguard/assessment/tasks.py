from django_tasks import task

from .scoring import remind_late_scorers


@task()
def remind_scorers():
    """Daily: remind scorers with people left in a month whose scoring is due."""
    return remind_late_scorers()
