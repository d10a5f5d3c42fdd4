"""API tokens for integrations (DRF's TokenAuthentication): one per user,
issued and rotated from the server's shell with `vanguard api-token`."""

from django.db import transaction
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from . import audit
from .models import AuditEntry
from .permissions import require
from .scoping import scope_for
from .system import is_system


def _centre_of(user):
    # File the audit row under the user's centre when there is exactly one,
    # so that centre's office sees who was given API access.
    centres = scope_for(user).centre_ids
    return next(iter(centres)) if len(centres) == 1 else None


@transaction.atomic
def issue_api_token(actor, user, *, rotate=False):
    """Return (token, changed): the user's token, created if missing; with
    `rotate`, a new key replaces the old one, which stops working at once.
    Only an administrator, or the system (SYSTEM, the shell command), may.
    The audit row records that a token was issued, never the key."""
    require(is_system(actor) or scope_for(actor).is_admin)
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not rotate:
        return token, False
    verb = "rotate API token" if token is not None else "create API token"
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    audit.record(actor, AuditEntry.Action.ACTION, user, verb=verb, centre_id=_centre_of(user))
    return token, True


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, with the user's person (a reverse one-to-one, or none) read in the
    same query: `scope_for` asks for it on every request, which cost a second query."""

    def authenticate_credentials(self, key):
        # The key is the primary key: [:1] without the ORDER BY that .first() adds (and compiles, per request).
        token = next(iter(self.get_model().objects.select_related("user", "user__person").filter(key=key)[:1]), None)
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # refused by DRF, with its (translated) message
        return (token.user, token)
