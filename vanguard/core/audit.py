"""The audit trail. Services call `record` inside their transaction, so a
change and its audit row commit or roll back together.

The trail is append-only and tamper-evident: it is one hash chain per service
centre, plus one for entries that belong to no centre. A hot path whose writers
would all queue on their centre's chain may write into a finer chain of its own
inside the centre, named by a chain key (`object_chain`: a meeting's sign-ins
form the chain "life.meeting:<id>"): a chain is (centre, chain key), the
centre's own having the empty key. Each entry stores the hash of the entry
before it in its chain (in id order) and its own hash over its content (its
chain key included when it has one) and that previous hash. Appends to one chain
are serialised (an advisory lock on that chain, held to the end of the writing
transaction on PostgreSQL; SQLite runs one write transaction at a time), so the
ids' order is each chain's order, while writers of two chains never wait for
each other. Entries written before the chains were split (`chain` =
WHOLE_TRAIL) form one chain over the whole trail, as they were written.
`verify()` (`vanguard audit verify`) walks every chain in one pass in id order
and reports the first broken link.

On PostgreSQL one `record` is one round trip: the chain's lock, then the entry
inserted with its chain's head read and its hash computed by PostgreSQL (sha256
over the previous hash and the same canonical JSON `entry_hash` hashes), sent
together in a pipeline, with any `also` statements the caller adds (a single
rating's figures and its COMMIT). `verify()` recomputes every hash in Python.

Events are named by the constants in `audit_events.Event` and translated when
shown. A bulk write records one entry whose changes list every changed cell with
its before and after values (`cells`), so a 10,000-row import adds one row."""

import datetime
import decimal
import hashlib
import json
import uuid
import zlib

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from . import system
from .audit_events import Event  # noqa: F401 -- the event names, for callers: audit.Event.X
from .middleware import current_ip
from .models import AuditEntry
from .pipelines import pipeline

Action = AuditEntry.Action
# Never copied into the audit trail.
SECRET_FIELDS = {"password", "key"}
# The advisory locks serialising appends to a chain: (CHAIN_LOCK, centre id or 0) ("VGAU") for a
# centre's own chain, (KEYED_CHAIN_LOCK, crc32 of centre and key) ("VGAK") for a keyed one.
CHAIN_LOCK = 0x56474155
KEYED_CHAIN_LOCK = 0x5647414B
GENESIS = ""
# AuditEntry.chain: the one chain of the entries written before 2026-12 / one chain per centre since.
WHOLE_TRAIL, PER_CENTRE = 1, 2
# What an entry's hash covers. chain_key only when it is set: the entries of a centre's own chain
# (all entries written before keyed chains existed) hash exactly as they did.
HASHED = ("at", "actor_id", "actor_name", "ip_address", "action", "verb", "model", "object_id", "object_repr",
          "changes", "centre_id", "chain_key")


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields=None):
    """Field values of `obj` as JSON-safe data, for before/after comparison."""
    result = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.primary_key or f.name in SECRET_FIELDS:
            continue
        value = getattr(obj, f.attname)
        result[f.name] = _plain(value)
    return result


def diff(before, after):
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


# The centre an object belongs to -------------------------------------------------------

# Foreign keys through which an object reaches its centre, tried in this order.
CENTRE_PATHS = ("period", "person", "scheme", "evaluation", "broadcast", "lesson", "post", "case", "rating",
                "organization", "unit", "branch", "window", "floor", "project", "document")


def fields_of(obj):
    return {f.name: f for f in obj._meta.concrete_fields}


def centre_of(obj, depth=2):
    """The service centre `obj` belongs to: its own `centre_id`, the centre itself, or
    the centre of the object it belongs to (a score's month, a case's rating...)."""
    if obj is None:
        return None
    if obj._meta.label_lower == "org.servicecentre":
        return obj.pk
    if getattr(obj, "centre_id", None) is not None:
        return obj.centre_id
    if obj._meta.label_lower == "core.user":
        from .models import Grant

        grant = (Grant.objects.filter(user=obj).exclude(organization__isnull=True, unit__isnull=True)
                 .values_list("organization__centre_id", "unit__centre_id").first())
        if grant:
            return grant[0] or grant[1]
        person = getattr(obj, "person", None) if hasattr(obj, "person") else None
        return getattr(person, "centre_id", None)
    if depth:
        for name in CENTRE_PATHS:
            field = fields_of(obj).get(name)
            if field is not None and field.many_to_one and getattr(obj, field.attname, None) is not None:
                found = centre_of(getattr(obj, name), depth - 1)
                if found is not None:
                    return found
    return None


# The chain ----------------------------------------------------------------------------

def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(prev_hash, fields):
    """SHA-256 over the previous hash and the entry's content (HASHED, canonical JSON)."""
    return hashlib.sha256((prev_hash + _content_text(fields)).encode()).hexdigest()


def _centre_id(value):
    return None if value is None else int(value)


def object_chain(label, pk):
    """The chain key of the entries of one object's hot path ("life.meeting:42": a meeting's
    sign-ins), so that its writers queue on that object's chain, not on their whole centre's."""
    return f"{label}:{pk}"


def _lock_of(centre_id, chain_key=""):
    """The advisory lock (two 32-bit keys) serialising appends to the chain (centre, chain key).
    Two chains may share a lock (a crc32 clash): their writers then wait for each other, nothing worse."""
    if chain_key:
        return KEYED_CHAIN_LOCK, zlib.crc32(f"{centre_id}:{chain_key}".encode()) & 0x7FFFFFFF
    return CHAIN_LOCK, 0 if centre_id is None else int(centre_id) % 0x7FFFFFFF or 0x7FFFFFFF


def _chain_heads(chains):
    """Lock the chains [(centre id, chain key)] for this transaction (in one order, so two writers
    of the same chains cannot deadlock on them) and return each one's last hash."""
    chains = set(chains)
    if connection.vendor == "postgresql" and chains:
        with connection.cursor() as cursor:
            for lock in sorted({_lock_of(*chain) for chain in chains}):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(lock))
    heads = {}
    for centre_id, chain_key in chains:
        last = (AuditEntry.objects.filter(chain=PER_CENTRE, centre_id=centre_id, chain_key=chain_key)
                .order_by("-id").values_list("hash", flat=True).first())
        heads[centre_id, chain_key] = last or GENESIS
    return heads


def _fields(actor, action, obj, changes, verb, centre_id, at, chain_key="", object_repr=None):
    return {
        "at": at,
        "actor_id": actor.pk if getattr(actor, "pk", None) else None,
        "actor_name": system.actor_name(actor),
        "ip_address": current_ip(),
        "action": action,
        "verb": verb,
        "model": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": (str(obj) if object_repr is None else object_repr)[:200],
        "changes": _plain_changes(changes or {}),
        "centre_id": _centre_id(centre_id if centre_id is not None else centre_of(obj)),
        "chain_key": chain_key,
    }


def _plain_changes(changes):
    # Stored as given: its canonical JSON (what the hash covers) is the same after the database's
    # round trip (tuples become lists, keys strings: the canonical text does the same).
    return changes


def _content_text(fields):
    """The canonical JSON of an entry's content, as entry_hash() hashes it after the previous hash."""
    content = {name: fields.get(name) for name in HASHED}
    at = content["at"]
    if isinstance(at, datetime.datetime):
        content["at"] = at.astimezone(datetime.UTC).isoformat()
    for name in ("actor_id", "centre_id"):
        content[name] = None if content[name] is None else int(content[name])
    if not content["chain_key"]:
        del content["chain_key"]
    return _canonical(content)


_ENTRY_INSERT = {}  # has a centre -> (sql, fields, attnames): built once per process (compiling it per entry cost more CPU)


def _entry_insert(has_centre):
    """The INSERT of one entry whose prev_hash and hash PostgreSQL fills from its chain's head (read once)."""
    if has_centre not in _ENTRY_INSERT:
        qn = connection.ops.quote_name
        table = qn(AuditEntry._meta.db_table)
        same_chain = "centre_id = %s" if has_centre else "centre_id IS NULL"
        # Table and chain names only in the SQL; values (the centre, the content) are parameters.
        head = (f"SELECT COALESCE((SELECT hash FROM {table} WHERE chain = {PER_CENTRE} AND {same_chain} "
                f"AND chain_key = %s ORDER BY id DESC LIMIT 1), '{GENESIS}') AS prev")
        fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
        values = {"prev_hash": "head.prev", "hash": "encode(sha256(convert_to(head.prev || %s::text, 'UTF8')), 'hex')"}
        sql = (f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) "
               f"SELECT {', '.join(values.get(f.attname, '%s') for f in fields)} FROM ({head}) head "
               f"RETURNING id, prev_hash, hash")
        _ENTRY_INSERT[has_centre] = (sql, fields, ["id", *(f.attname for f in fields)])
    return _ENTRY_INSERT[has_centre]


def _append_postgresql(fields, also):
    """Lock the chain, read its head, insert the entry with its hash, then `also`: ONE round trip.
    The lock is its own statement, before the insert: under READ COMMITTED each statement reads
    the database as it is when that statement starts, so the insert reads the head after the lock
    is held and sees the entry of the writer it waited for. PostgreSQL computes the hash
    (sha256 over the previous hash and the same canonical text as entry_hash), so Python need
    not read the head first; verify() recomputes it in Python. The values are bound as the ORM's
    INSERT binds them (get_db_prep_save), without building the entry first: it is built from the
    row PostgreSQL returns."""
    centre_id, chain_key = fields["centre_id"], fields["chain_key"]
    sql, columns, attnames = _entry_insert(centre_id is not None)
    values, params = {**fields, "chain": PER_CENTRE}, []
    for field in columns:
        if field.attname == "hash":
            params.append(_content_text(fields))
        elif field.attname != "prev_hash":
            params.append(field.get_db_prep_save(values[field.attname], connection))
    params.extend((chain_key,) if centre_id is None else (centre_id, chain_key))  # the head's, last in the SQL
    with connection.cursor() as lock, connection.cursor() as cursor, connection.cursor() as more:
        with pipeline():
            lock.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(_lock_of(centre_id, chain_key)))
            cursor.execute(sql, params)
            for more_sql, more_params in also:
                more.execute(more_sql, more_params)
        pk, values["prev_hash"], values["hash"] = cursor.fetchone()
    return AuditEntry.from_db(connection.alias, attnames, [pk, *(values[name] for name in attnames[1:])])


def record(actor, action, obj, changes=None, verb="", centre_id=None, *, chain_key="", also=(), object_repr=None):
    """Append one entry to its centre's chain, or to the centre's chain `chain_key` (object_chain).
    `also`: (sql, params) statements to run right after it in the same transaction (a hot path's
    last writes): on PostgreSQL they travel with the entry, so lock, head, entry and these cost
    one round trip. `object_repr`: str(obj) when the caller has it at hand for less."""
    fields = _fields(actor, action, obj, changes, verb, centre_id, timezone.now(), chain_key, object_repr)
    if connection.vendor == "postgresql":
        return _append_postgresql(fields, also)
    prev = _chain_heads([(fields["centre_id"], chain_key)])[fields["centre_id"], chain_key]
    entry = AuditEntry.objects.create(prev_hash=prev, hash=entry_hash(prev, fields), chain=PER_CENTRE, **fields)
    if also:
        with connection.cursor() as cursor:
            for sql, params in also:
                cursor.execute(sql, params)
    return entry


def record_many(actor, rows, *, at=None):
    """Many entries at once (a bulk write), chained in order and inserted together.
    `rows`: dicts with action, obj or (model, object_id, object_repr), changes, verb, centre_id
    and optionally chain_key."""
    at = at or timezone.now()
    entries = []
    for row in rows:
        obj = row.get("obj")
        fields = {
            "at": at, "actor_id": actor.pk if getattr(actor, "pk", None) else None,
            "actor_name": system.actor_name(actor), "ip_address": current_ip(),
            "action": row["action"], "verb": row.get("verb", ""),
            "model": obj._meta.label_lower if obj is not None else row["model"],
            "object_id": str(obj.pk if obj is not None else row["object_id"]),
            "object_repr": str(obj if obj is not None else row["object_repr"])[:200],
            "changes": _plain_changes(row.get("changes") or {}),
            "centre_id": _centre_id(row.get("centre_id") if row.get("centre_id") is not None else centre_of(obj)),
            "chain_key": row.get("chain_key", ""),
        }
        entries.append(fields)
    if not entries:
        return 0
    heads = _chain_heads([(entry["centre_id"], entry["chain_key"]) for entry in entries])
    for entry in entries:
        chain = entry["centre_id"], entry["chain_key"]
        entry["prev_hash"] = prev = heads[chain]
        entry["hash"] = heads[chain] = entry_hash(prev, entry)
        entry["chain"] = PER_CENTRE
    # Ids are drawn in the rows' order (COPY, or one multi-row INSERT per batch), which is the chain's.
    if connection.vendor == "postgresql":
        columns = [*entries[0]]
        qn = connection.ops.quote_name
        column_of = {f.attname: f.column for f in AuditEntry._meta.concrete_fields}
        names = ", ".join(qn(column_of[c]) for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {qn(AuditEntry._meta.db_table)} ({names}) FROM STDIN") as copy:
            for entry in entries:
                copy.write_row([_canonical(entry[c]) if c == "changes" else entry[c] for c in columns])
    else:
        AuditEntry.objects.bulk_create([AuditEntry(**entry) for entry in entries], batch_size=500)
    return len(entries)


def record_create(actor, obj, verb="", centre_id=None):
    return record(actor, Action.CREATE, obj, {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "")},
                  verb=verb, centre_id=centre_id)


def record_update(actor, obj, before, verb="", centre_id=None):
    changes = diff(before, snapshot(obj, fields=set(before)))
    if changes:
        return record(actor, Action.UPDATE, obj, changes, verb=verb, centre_id=centre_id)
    return None


def record_delete(actor, obj, verb="", centre_id=None):
    return record(actor, Action.DELETE, obj, {k: [v, None] for k, v in snapshot(obj).items() if v not in (None, "")},
                  verb=verb, centre_id=centre_id)


def verify(chunk=5000):
    """Walk every chain in one pass in id order. Returns (entries checked, None) when they
    hold, or (entries checked, (entry, problem)) at the first broken link."""
    heads, count = {}, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk):
        count += 1
        chain = "whole" if entry.chain == WHOLE_TRAIL else (entry.centre_id, entry.chain_key)
        prev = heads.get(chain, GENESIS)
        fields = {name: getattr(entry, name) for name in HASHED}
        if entry.prev_hash != prev or entry.chain not in (WHOLE_TRAIL, PER_CENTRE):
            return count, (entry, "previous")
        if entry.hash != entry_hash(prev, fields):
            return count, (entry, "content")
        heads[chain] = entry.hash
    return count, None


def head():
    """One digest of every chain's last hash: to note down elsewhere (a backup's manifest, a
    printout), since a trail rewritten wholesale ends in other hashes."""
    last_ids = [row["last"] for row in
                AuditEntry.objects.values("chain", "centre_id", "chain_key").annotate(last=Max("id"))]
    if not last_ids:
        return GENESIS
    rows = AuditEntry.objects.filter(pk__in=last_ids).values_list("chain", "centre_id", "chain_key", "hash")
    # A keyed chain's line names its key; a centre's own chain's line is as it was before keys.
    lines = sorted(f"{chain}:{centre_id}:{key}:{digest}" if key else f"{chain}:{centre_id}:{digest}"
                   for chain, centre_id, key, digest in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
