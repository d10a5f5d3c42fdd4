"""The ratings lists cost the same number of queries with more rows (no query per row)."""

import itertools

import pytest
from django.urls import reverse

from tests.list_queries import assert_flat

from .conftest import import_one, rate

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _rated(world, level, n=4, **extra):
    """n transactions at both windows (with and without a handler), rated `level`; the last one's number."""
    number = ""
    for i in range(n):
        number = f"LQ{next(_n):05d}"
        txn = import_one(world, number=number, window="A01" if i % 2 else "B01",
                         person="李党员" if i % 2 else "张二层")
        rate(txn, level=level, **extra)
    return number


@pytest.mark.parametrize("role", ["office", "handler", "admin"])
def test_transactions(world, login, post, role, django_assert_max_num_queries):
    _rated(world, 5, n=2)
    assert_flat(login(getattr(world, role)), reverse("ratings:transactions"), lambda: _rated(world, 5, n=6),
                django_assert_max_num_queries)


def test_transactions_search(world, login, post, django_assert_max_num_queries):
    _rated(world, 4, n=2)
    assert_flat(login(world.office), reverse("ratings:transactions") + "?q=LQ", lambda: _rated(world, 4, n=6),
                django_assert_max_num_queries)


def test_flags(world, login, post, django_assert_max_num_queries):
    # Rated by the handler's own phone: flagged "staff".
    _rated(world, 5, n=2, rater_phone="13800000002", channel="qr")
    assert_flat(login(world.office), reverse("ratings:flags"),
                lambda: _rated(world, 5, n=6, rater_phone="13800000002", channel="qr"), django_assert_max_num_queries)


@pytest.mark.parametrize("role", ["office", "handler"])
def test_cases(world, login, post, role, django_assert_max_num_queries):
    _rated(world, 1, n=2)
    assert_flat(login(getattr(world, role)), reverse("ratings:cases"), lambda: _rated(world, 1, n=6),
                django_assert_max_num_queries)
