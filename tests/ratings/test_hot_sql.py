"""The hand-written SQL of a citizen's rating (vanguard.core.hot_sql) gives the objects the ORM gives:
the token with its user, the user's person (or none) and grants; the transaction with its window and
person (or none); the rating row as the ORM would have written it. Each is compared field by field
with the ORM's own read, on SQLite and PostgreSQL (their converters differ)."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from vanguard.core.api_tokens import _read_token
from vanguard.ratings import services
from vanguard.ratings.models import Rating, Transaction
from vanguard.ratings.selectors import transaction_to_rate

from .conftest import import_one


def values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_token_user_person_and_grants(world):
    for user, person in ((world.member, world.member_person), (world.office, None)):
        key = Token.objects.create(user=user).key
        token, grants = _read_token(key)
        assert values(token) == values(Token.objects.get(key=key))
        with CaptureQueriesContext(connection) as ctx:
            assert values(token.user) == values(user.__class__.objects.get(pk=user.pk))
            if person is None:
                assert not hasattr(token.user, "person")
            else:
                assert values(token.user.person) == values(person.__class__.objects.get(pk=person.pk))
                assert token.user.person.user is token.user
        # The ORM's reads above, none through the cached objects.
        assert len(ctx.captured_queries) == 1 + (person is not None)
        rows = json.loads(grants) if isinstance(grants, str | bytes) else grants or []
        assert sorted(row[0] for row in rows) == sorted(user.grants.values_list("role", flat=True))
    assert _read_token("no-such-key") == (None, None)


def test_transaction_with_window_and_person(world, post):
    with_person, without = import_one(world), import_one(world, person="")
    for txn in (with_person, without):
        found = transaction_to_rate([world.other_centre.pk, world.centre.pk], txn.number)
        orm = Transaction.objects.select_related("window", "person").get(pk=txn.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert values(found) == values(orm)
            assert values(found.window) == values(orm.window)
            assert (found.person and values(found.person)) == (orm.person and values(orm.person))
        assert not ctx.captured_queries
    assert without.person_id is None
    assert transaction_to_rate([world.other_centre.pk], with_person.number) is None  # another centre's scope
    assert transaction_to_rate([], with_person.number) is None


def test_rating_row_as_written(world, post):
    """The rating the hot path inserts reads back with every value it was given."""
    txn = import_one(world)
    rating, created = services.store_rating(txn, level=4, channel="device", scores={}, reasons=["slow"],
                                            device="dev-1", idempotency_key="hot-1", ip="10.0.0.9")
    assert created
    stored = Rating.objects.get(pk=rating.pk)
    assert values(stored) == values(rating)
    assert stored.reasons == ["slow"] and stored.ip_address == "10.0.0.9"
    assert Transaction.objects.get(pk=txn.pk).rated
