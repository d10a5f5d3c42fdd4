"""Fewer round trips to PostgreSQL on hot write paths (a citizen's rating).

`pipeline()`: statements executed inside the block are sent together and answered in one
round trip (psycopg's pipeline mode). Read their results after the block (fetching inside it
waits for them: one more round trip). psycopg still sends a transaction's BEGIN on its own
round trip. On other databases it does nothing."""

import contextlib

from django.db import connection


def pipeline():
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    connection.ensure_connection()
    return connection.connection.pipeline()


def commit_with_last_writes():
    """[("COMMIT", [])] when the caller's `transaction.atomic` block is the outermost one on a
    PostgreSQL connection (a request's own transaction, not a wider one of its caller or a test),
    else []. A hot path sends it in the pipeline of its LAST writes (audit.record(also=...)), so the
    COMMIT travels with them and the locks they take (the audit chain's, the figures' rows) are
    held for no round trip. Django's commit at the block's end finds the transaction committed
    and sends nothing; a failed statement aborts the pipeline before the COMMIT and the block
    rolls back as usual. Nothing may be written after it in the block (it would commit alone)."""
    if (connection.vendor != "postgresql" or not connection.in_atomic_block or len(connection.atomic_blocks) != 1
            or connection.savepoint_ids or connection.needs_rollback):
        return []
    return [("COMMIT", [])]
