"""Which writers wait for which: one writer holds its transaction open, the others try to write.

Used by the tests proving the audit trail's chains (and the paths that write to them) lock only
what they must: a writer of another chain goes through at once, the next writer of the same chain
waits for the holder's commit. PostgreSQL only (SQLite runs one write transaction at a time)."""

import threading
import time

from django.db import connections, transaction


def assert_only_same_chain_waits(hold, write, *, others, same):
    """`hold()` writes inside a transaction held open until the others have been tried;
    `write(arg)` writes in a transaction of its own. Asserts that write(arg) for every arg in `others`
    finishes while the holder's transaction is open (in under 5 s) and that write(same) is still
    waiting 1.5 s later, then finishes after the holder commits. Returns each write's seconds."""
    holding, release = threading.Event(), threading.Event()
    timings, errors = {}, []

    def run(target, name):
        try:
            started = time.monotonic()
            target()
            timings[name] = time.monotonic() - started
        except Exception as e:  # noqa: BLE001 -- reported by the assertion below
            errors.append(repr(e))
        finally:
            connections.close_all()

    def holder_body():
        with transaction.atomic():
            hold()
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=run, args=(holder_body, "holder"))
    holder.start()
    assert holding.wait(30), errors
    try:
        for arg in others:
            other = threading.Thread(target=run, args=(lambda arg=arg: write(arg), ("other", arg)))
            other.start()
            other.join(10)
            assert not other.is_alive() and timings[("other", arg)] < 5, (timings, errors)
        waiting = threading.Thread(target=run, args=(lambda: write(same), "same"))
        waiting.start()
        waiting.join(1.5)
        assert waiting.is_alive(), (timings, errors)
    finally:
        release.set()
        holder.join(30)
    waiting.join(30)
    assert not errors, errors
    assert not waiting.is_alive() and "same" in timings
    return timings
