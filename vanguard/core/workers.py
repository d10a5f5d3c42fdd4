"""Is a `vanguard worker` running? Each worker writes a heartbeat row every
HEARTBEAT_SECONDS; pages whose work a worker does (broadcasts, scheduled
lessons, overdue sweeps, the office's home page) warn when none has been seen
for STALE_AFTER. Cheap: one indexed MAX() on those pages only."""

import datetime
import socket

from django.db.models import Max
from django.utils import timezone

from .models import WorkerHeartbeat
from .roles import Role
from .scoping import scope_for

HEARTBEAT_SECONDS = 30
STALE_AFTER = datetime.timedelta(minutes=2)
FORGET_AFTER = datetime.timedelta(days=7)

# url names (namespace:name) of pages whose promises a worker keeps.
WORKER_PAGES = {
    "home",
    "messaging:home", "messaging:lesson-list", "messaging:lesson-detail", "messaging:lesson-create",
    "messaging:broadcast-list", "messaging:broadcast-detail", "messaging:broadcast-create",
    "messaging:circular-list", "messaging:circular-detail",
    "ratings:home", "ratings:cases", "ratings:case",
}
# Who is told: the people who can have a worker started or whose sending waits for one;
# on the home page only the office and the administrator.
TOLD = (Role.ADMIN, Role.OFFICE, Role.SECRETARY)
TOLD_AT_HOME = (Role.ADMIN, Role.OFFICE)


def beat(worker_id, started_at, now=None):
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:100],
        defaults={"seen_at": now, "started_at": started_at, "hostname": socket.gethostname()[:100]})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def last_seen():
    return WorkerHeartbeat.objects.aggregate(at=Max("seen_at"))["at"]


def stalled(now=None):
    """(stalled?, when a worker was last seen or None)."""
    seen = last_seen()
    now = now or timezone.now()
    return seen is None or seen < now - STALE_AFTER, seen


def warning_for(request):
    """The context of the stalled-worker warning for this page, or None."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in WORKER_PAGES:
        return None
    if not scope_for(request.user).has_role(*(TOLD_AT_HOME if match.view_name == "home" else TOLD)):
        return None
    is_stalled, seen = stalled()
    return {"last_seen": seen} if is_stalled else None
