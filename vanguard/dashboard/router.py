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


def read_alias():
    return REPLICA if _reading.get() and has_replica() else "default"


def lag_seconds():
    """Seconds since the replica replayed its last transaction (None: no replica, or the
    primary itself). A quiet primary makes this grow although nothing is missing."""
    if not has_replica() or connections[REPLICA].vendor != "postgresql":
        return None
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
        in_recovery, lag = cursor.fetchone()
    return float(lag or 0) if in_recovery else None


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() and has_replica() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
