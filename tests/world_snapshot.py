"""The test world, built once per test process and restored in every test that asks for it.

`build_world()` goes through the services (audit rows, paths, grants): hundreds of
queries. Each worker runs it once, inside a transaction it then rolls back, keeping
the rows it wrote; every test asking for `world` writes those rows back (one INSERT
per table, raw values, same primary keys) inside the test's own transaction, and gets
a deep copy of the World it returned. So the database holds the world only during the
tests that ask for it, a test that changes world rows (or the objects) changes them
for itself alone, and transactional tests (live server, browser) get it too: their
flush at teardown empties the tables as before."""

import copy

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _fields(model):
    # Generated columns are computed by the database and cannot be written.
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _rows_of(models):
    """Every row of every table that has rows, as comparable tuples (two queries per non-empty table)."""
    rows = {}
    for model in models:
        if model._base_manager.exists():
            rows[model] = {r[0]: r for r in model._base_manager.values_list(
                "pk", *[f.attname for f in _fields(model)])}
    return rows


class WorldSnapshot:
    def __init__(self, world, rows):
        self.world = world
        self.rows = rows  # [(model, [instances])], in the order the tables were read

    @classmethod
    def capture(cls, build, using=DEFAULT_DB_ALIAS):
        """Run `build()` in a transaction that is rolled back; keep what it returned and the rows it wrote.
        Refuses a build that changes rows that were there before (migrations' data): those could not be
        put back by inserting."""
        models = _models()
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic(using=using):
            before = _rows_of(models)
            world = build()
            rows = []
            for model in models:
                old = before.get(model, {})
                new = [obj for obj in model._base_manager.using(using).order_by("pk") if obj.pk not in old]
                if new:
                    rows.append((model, new))
            after = _rows_of([m for m in models if m in before])
            changed = [m._meta.label for m, old in before.items()
                       if any(after.get(m, {}).get(pk) != row for pk, row in old.items())]
            transaction.set_rollback(True, using=using)
        if changed:
            raise RuntimeError(f"build_world changed rows that existed before it ran: {', '.join(changed)}")
        return cls(world, rows)

    def restore(self, using=DEFAULT_DB_ALIAS):
        """Write the rows back (FK checks are deferred to the end of the transaction) and return a
        fresh copy of the World, its objects shared as they were (world.member_person is
        world.branch1_members[1])."""
        with transaction.atomic(using=using):
            for model, objs in self.rows:
                # raw=True: the values as captured (no auto_now, no save()); one INSERT per table.
                model._base_manager.using(using)._insert(copy.deepcopy(objs), fields=_fields(model), raw=True)
        if connections[using].vendor == "postgresql":
            self._advance_sequences(using)
        return copy.deepcopy(self.world)

    def _advance_sequences(self, using):
        """The captured primary keys were drawn from the sequences, which a rollback does not give
        back, so the sequences are normally past them; but `flush` (a transactional test may run it)
        restarts them, and the next insert would collide. One query sets each past its rows."""
        parts = []
        for model, objs in self.rows:
            pk = model._meta.pk
            if pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField"):
                continue
            seq = f"pg_get_serial_sequence('\"{model._meta.db_table}\"', '{pk.column}')"
            parts.append(f"setval({seq}, GREATEST({max(o.pk for o in objs)}, nextval({seq})))")
        if parts:
            with connections[using].cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(parts))
