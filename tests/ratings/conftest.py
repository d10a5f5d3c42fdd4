import datetime
import itertools

import pytest
from django.utils import timezone

from tests.posts.conftest import make_post
from vanguard.posts import services as post_services
from vanguard.ratings import services
from vanguard.ratings.models import Transaction

_numbers = itertools.count(1)


def import_one(world, *, window="A01", person="李党员", accepted_at=None, **extra):
    number = extra.pop("number", None) or f"T{next(_numbers):06d}"
    item = {"number": number, "service_item": "企业设立登记", "window": window, "person": person,
            "accepted_at": accepted_at or timezone.now() - datetime.timedelta(hours=1), **extra}
    services.import_transactions(world.office, world.centre, [item])
    return Transaction.objects.get(centre=world.centre, number=number)


def rate(txn, level=5, channel="device", **extra):
    rating, _created = services.store_rating(txn, level=level, channel=channel, **extra)
    return rating


@pytest.fixture
def post(world):
    post = make_post(world)
    return post_services.disclose_post(world.office, post)


@pytest.fixture
def txn(world, post):
    return import_one(world)


@pytest.fixture
def api(world):
    """api(user) -> an APIClient authenticated as that user (None: anonymous)."""
    from rest_framework.test import APIClient

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return _api


@pytest.fixture(autouse=True)
def _fresh_post_cache():
    # The per-process window -> post map must not carry posts across tests.
    from vanguard.ratings import cases

    services._POST_CACHE["at"] = 0.0
    cases._CALENDAR["calendar"] = None
    yield
    services._POST_CACHE["at"] = 0.0
    cases._CALENDAR["calendar"] = None
