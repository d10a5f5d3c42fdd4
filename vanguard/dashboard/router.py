"""Reads of the figures room from a streaming replica, writes to the primary.

When VANGUARD_REPLICA_DATABASE_URL is set, code running inside `replica_reads()` (the
dashboard, the figures API, the big screen and the annual report) reads from the "replica"
database; everything else, and every write, uses "default". Without it nothing changes.
`lag_seconds()` says how far behind the replica is (its last replayed transaction), so the
pages can say how fresh their figures are."""

import contextlib
import contextvars

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading = contextvars.ContextVar("vanguard_replica_reads", default=False)


def has_replica():
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _to_replica():
    """Inside replica_reads(), with a replica, and not inside a write transaction on the primary:
    a service that writes (the report's audit row reads the audit chain's last hash first) must
    read what it builds on from the primary, never from a standby that may be behind."""
    return _reading.get() and has_replica() and not connections["default"].in_atomic_block


def read_alias():
    return REPLICA if _to_replica() else "default"


LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"""


def lag_seconds():
    """How far behind the primary the figures read from the replica may be, in seconds (None:
    no replica, or the "replica" is not a standby). 0 when the standby has replayed all the WAL
    it received (a quiet primary is not lag); otherwise the age of the last transaction it
    replayed: replay paused or slow, the pages say their figures are that old."""
    if not has_replica() or connections[REPLICA].vendor != "postgresql":
        return None
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        in_recovery, caught_up, lag = cursor.fetchone()
    if not in_recovery:
        return None
    return 0.0 if caught_up else max(0.0, float(lag or 0))


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _to_replica() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def freshness():
    """lag_seconds(), or None when the replica cannot answer (the page still shows its figures' time)."""
    try:
        return lag_seconds()
    except Exception:  # noqa: BLE001 -- a replica down must not take the dashboard with it
        return None
