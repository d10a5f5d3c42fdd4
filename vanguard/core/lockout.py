"""Login lockout. django-axes locks a username from one address after
AXES_FAILURE_LIMIT failures; this handler also locks the account itself once
ACCOUNT_FAILURE_LIMIT failures have come from any addresses within the
cooling-off time, so that rotating addresses (password spraying through many
proxies) cannot try passwords without end. The locked-out page tells which."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def account_failures(username):
    """Failed log-ins of `username` from every address within the cooling-off time."""
    if not username:
        return 0
    since = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        # The cooling-off the locked-out page tells the user (registration/locked_out.html).
        request.vanguard_lockout_minutes = cool_off_minutes()
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        if account_failures(username) >= settings.ACCOUNT_FAILURE_LIMIT:
            # Read by registration/locked_out.html to say the account, not the address, is locked.
            request.vanguard_account_locked = True
            # Axes flags a lock only when one address reaches its limit; the middleware
            # answers 429 with the locked-out page for a flagged request.
            request.axes_locked_out = True
            return True
        return False


def cool_off_minutes():
    return max(1, round(get_cool_off().total_seconds() / 60))
