"""The audit trail is one hash chain per centre (plus one for entries of no centre): writers
in two centres do not wait for each other; writers in one centre still append in turn; the
entries written before the split keep their one chain and verify; a tampered entry in any
chain is reported."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from vanguard.core import audit
from vanguard.core.models import AuditEntry

from .test_audit_trail import _tamper


def _record(actor, centre, n):
    return audit.record(actor, audit.Action.ACTION, centre, {"n": [None, n]})


@pytest.mark.django_db(transaction=True)
def test_writers_in_two_centres_do_not_wait_for_each_other(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the locks are PostgreSQL's.")
    holding, release = threading.Event(), threading.Event()
    timings, errors = {}, []

    def hold_first_centre():
        try:
            with transaction.atomic():
                _record(world.office, world.centre, "held")
                holding.set()
                release.wait(30)
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(repr(e))
        finally:
            connections.close_all()

    def write(centre, name):
        try:
            started = time.monotonic()
            with transaction.atomic():
                _record(world.office, centre, name)
            timings[name] = time.monotonic() - started
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(repr(e))
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_first_centre)
    holder.start()
    assert holding.wait(30)
    # Another centre's writer appends at once, while the first centre's transaction is open.
    other = threading.Thread(target=write, args=(world.other_centre, "other"))
    other.start()
    other.join(10)
    assert not other.is_alive() and timings["other"] < 5, timings
    # A second writer in the first centre waits for the first one's commit (one chain, one order).
    same = threading.Thread(target=write, args=(world.centre, "same"))
    same.start()
    same.join(1.5)
    assert same.is_alive()
    release.set()
    holder.join(30)
    same.join(30)
    assert not errors, errors
    assert audit.verify()[1] is None
    held, later = AuditEntry.objects.filter(changes__n__1__in=["held", "same"]).order_by("id")
    assert later.prev_hash == held.hash
    # A changed entry in either chain is still reported, at that entry.
    target = AuditEntry.objects.get(changes__n__1="other")
    _tamper("UPDATE {table} SET object_repr = %s WHERE id = %s", ["x", target.pk])
    _count, (entry, problem) = audit.verify()
    assert (entry.pk, problem) == (target.pk, "content")


@pytest.mark.django_db
def test_entries_of_the_whole_trail_chain_verify_beside_the_centres_chains(world):
    """As after the migration: the entries written before the split (chain 1) form one chain
    across centres, in id order; entries written since are chained per centre."""
    _tamper("DELETE FROM {table}", [])
    prev = audit.GENESIS
    for n, centre in enumerate([world.centre, world.other_centre, None, world.centre]):
        entry = audit.record(world.office, audit.Action.ACTION, centre or world.admin, {"n": [None, n]},
                             centre_id=getattr(centre, "pk", None))
        fields = {name: getattr(entry, name) for name in audit.HASHED}
        digest = audit.entry_hash(prev, fields)
        _tamper("UPDATE {table} SET chain = 1, prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, entry.pk])
        prev = digest
    assert AuditEntry.objects.filter(chain=audit.WHOLE_TRAIL).count() == 4
    new = [_record(world.office, world.centre, "new"), _record(world.office, world.other_centre, "new")]
    assert [e.prev_hash for e in new] == ["", ""]  # each centre's chain starts after the split
    assert audit.verify() == (6, None)
    before = audit.head()
    _record(world.office, world.centre, "newer")
    assert audit.head() != before
    # A legacy entry changed is reported at that entry; one moved into a centre's chain breaks it.
    second = AuditEntry.objects.filter(chain=audit.WHOLE_TRAIL).order_by("id")[1]
    _tamper("UPDATE {table} SET chain = 2 WHERE id = %s", [second.pk])
    _count, (entry, problem) = audit.verify()
    assert (entry.pk, problem) == (second.pk, "previous")
