"""The system as actor: what commands and background jobs pass to services
when no person acts (`vanguard assessment publish` without --user, the API
token command, the jobs that open and escalate rectification cases).

One convention instead of three (None, a fake user class in one command, a
"system" name typed in several places): pass `SYSTEM`. It holds an
administrator's scope, so a service's permission check passes the way it does
for an administrator; audit rows get no actor and the name "system"
(`vanguard.core.audit.record`). Services written before it still accept None
for the same meaning; `is_system(actor)` answers for both."""

from .scoping import Scope

NAME = "system"


class SystemActor:
    pk = None
    id = None
    username = NAME
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False

    def __init__(self):
        # scope_for() reads this instead of the grants table: everything, like an administrator.
        self._vanguard_scope = Scope(authenticated=True, is_admin=True)

    def __str__(self):
        return NAME


SYSTEM = SystemActor()


def is_system(actor):
    return actor is None or isinstance(actor, SystemActor)


def actor_name(actor):
    """The name an audit row or history entry shows for `actor`."""
    return NAME if is_system(actor) else (getattr(actor, "username", "") or NAME)
