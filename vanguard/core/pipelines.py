"""Fewer round trips to PostgreSQL on hot write paths (a citizen's rating).

`pipeline()`: statements executed inside the block are sent together and answered in one
round trip (psycopg's pipeline mode; a BEGIN still to send travels with them). Read their
results after the block (fetching inside it would wait for them, one more round trip). On
other databases it does nothing."""

import contextlib

from django.db import connection


def pipeline():
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    connection.ensure_connection()
    return connection.connection.pipeline()
