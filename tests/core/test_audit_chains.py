"""The audit trail is one hash chain per centre (plus one for entries of no centre, and finer keyed
chains a centre's hot paths write, such as a meeting's sign-ins): writers
in two centres do not wait for each other; writers in one centre still append in turn; the
entries written before the split keep their one chain and verify; a tampered entry in any
chain is reported."""

import pytest
from django.db import connection

from vanguard.core import audit
from vanguard.core.models import AuditEntry

from ..lock_race import assert_only_same_chain_waits
from .test_audit_trail import _tamper


def _record(actor, centre, n):
    return audit.record(actor, audit.Action.ACTION, centre, {"n": [None, n]})


@pytest.mark.django_db(transaction=True)
def test_writers_in_two_centres_do_not_wait_for_each_other(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the locks are PostgreSQL's.")
    # Another centre's writer appends at once, while the first centre's transaction is open; a second
    # writer in the first centre waits for the first one's commit (one chain, one order).
    assert_only_same_chain_waits(lambda: _record(world.office, world.centre, "held"),
                                 lambda centre: _record(world.office, centre, "other" if centre != world.centre else "same"),
                                 others=[world.other_centre], same=world.centre)
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


def _record_keyed(actor, centre, key, n):
    return audit.record(actor, audit.Action.ACTION, centre, {"n": [None, n]}, chain_key=key)


@pytest.mark.django_db
def test_keyed_chains_inside_a_centre_verify_and_report_tampering(world):
    """A hot path's finer chains (a meeting's sign-ins): each starts from the genesis and links its own
    entries; the centre's own chain goes on past them; verify() walks them all and reports a changed,
    removed or moved entry in a keyed chain like one in a centre's chain."""
    meeting_a, meeting_b = audit.object_chain("life.meeting", 1), audit.object_chain("life.meeting", 2)
    own = _record(world.office, world.centre, "own")
    a1 = _record_keyed(world.office, world.centre, meeting_a, "a1")
    b1 = _record_keyed(world.office, world.centre, meeting_b, "b1")
    a2 = _record_keyed(world.office, world.centre, meeting_a, "a2")
    own2 = _record(world.office, world.centre, "own2")
    a3 = _record_keyed(world.office, world.centre, meeting_a, "a3")
    assert (a1.prev_hash, b1.prev_hash) == ("", "")
    assert (a2.prev_hash, a3.prev_hash, own2.prev_hash) == (a1.hash, a2.hash, own.hash)
    stored = AuditEntry.objects.get(pk=a2.pk)
    assert (stored.chain_key, stored.prev_hash, stored.hash) == (meeting_a, a1.hash, a2.hash)
    # The key is hashed: the same content in the centre's own chain hashes otherwise.
    fields = {name: getattr(stored, name) for name in audit.HASHED}
    assert audit.entry_hash(stored.prev_hash, {**fields, "chain_key": ""}) != stored.hash
    assert audit.verify()[1] is None
    before = audit.head()
    a4 = _record_keyed(world.office, world.centre, meeting_a, "a4")
    assert audit.head() != before

    # changed
    _tamper("UPDATE {table} SET object_repr = %s WHERE id = %s", ["x", a2.pk])
    _count, (entry, problem) = audit.verify()
    assert (entry.pk, problem) == (a2.pk, "content")
    _tamper("UPDATE {table} SET object_repr = %s WHERE id = %s", [stored.object_repr, a2.pk])
    assert audit.verify()[1] is None
    # moved into another chain: its previous hash no longer links there...
    _tamper("UPDATE {table} SET chain_key = %s WHERE id = %s", [meeting_b, a4.pk])
    _count, (entry, problem) = audit.verify()
    assert (entry.pk, problem) == (a4.pk, "previous")
    _tamper("UPDATE {table} SET chain_key = %s WHERE id = %s", [meeting_a, a4.pk])
    # ... and a chain's only entry, moved to a chain of no entries (its previous hash, the genesis, still
    # links), no longer matches its hash, which covers its key
    _tamper("UPDATE {table} SET chain_key = %s WHERE id = %s", [audit.object_chain("life.meeting", 3), b1.pk])
    _count, (entry, problem) = audit.verify()
    assert (entry.pk, problem) == (b1.pk, "content")
    _tamper("UPDATE {table} SET chain_key = %s WHERE id = %s", [meeting_b, b1.pk])
    assert audit.verify()[1] is None
    # removed: the next entry of that meeting's chain no longer links
    _tamper("DELETE FROM {table} WHERE id = %s", [a3.pk])
    _count, (entry, problem) = audit.verify()
    assert (entry.pk, problem) == (a4.pk, "previous")


@pytest.mark.django_db
def test_a_bulk_write_appends_to_keyed_chains(world):
    key = audit.object_chain("life.meeting", 7)
    first = _record_keyed(world.office, world.centre, key, "first")
    count = audit.record_many(world.office, [
        {"action": audit.Action.ACTION, "obj": world.centre, "centre_id": world.centre.pk, "chain_key": key,
         "changes": {"n": [None, n]}} for n in range(3)])
    assert count == 3
    chain = list(AuditEntry.objects.filter(centre=world.centre, chain_key=key).order_by("id"))
    assert [e.prev_hash for e in chain] == ["", *(e.hash for e in chain[:-1])] and chain[0].pk == first.pk
    assert audit.verify()[1] is None


@pytest.mark.django_db(transaction=True)
def test_writers_of_two_keyed_chains_of_one_centre_do_not_wait_for_each_other(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the locks are PostgreSQL's.")
    key_a, key_b = audit.object_chain("life.meeting", 1), audit.object_chain("life.meeting", 2)
    names = {key_b: "other meeting", None: "centre", key_a: "same"}

    def write(key):
        if key is None:
            _record(world.office, world.centre, names[key])
        else:
            _record_keyed(world.office, world.centre, key, names[key])

    # The centre's other meeting and the centre's own chain append at once; the same meeting's next
    # writer waits for the holder's commit.
    assert_only_same_chain_waits(lambda: _record_keyed(world.office, world.centre, key_a, "held"), write,
                                 others=[key_b, None], same=key_a)
    held, later = AuditEntry.objects.filter(changes__n__1__in=["held", "same"]).order_by("id")
    assert later.prev_hash == held.hash
    assert audit.verify()[1] is None
