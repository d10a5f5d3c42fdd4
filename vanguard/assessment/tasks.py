from django_tasks import task

from .scoring import remind_late_scorers


@task()
def remind_scorers():
    """Daily: remind scorers with people left in a month whose scoring is due."""
    return remind_late_scorers()


@task()
def compute_month(period_id):
    """The automatic indicators of one month, when its records changed (auto.records_changed)."""
    from .auto import ensure_computed
    from .models import Period

    period = Period.objects.filter(pk=period_id).select_related("scheme", "centre").first()
    return ensure_computed(period) if period is not None else 0


@task()
def compute_open_months():
    """Every few minutes: the automatic indicators of every month still being scored,
    recomputed where their records moved (a fingerprint query per source otherwise)."""
    from .auto import ensure_computed
    from .models import Period

    written = 0
    for period in Period.objects.filter(status__in=[Period.Status.OPEN, Period.Status.SCORING]).select_related(
            "scheme", "centre"):
        written += ensure_computed(period)
    return written
