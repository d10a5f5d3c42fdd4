"""The ratings lists cost the same number of queries with more rows (no query per row)."""

import itertools

import pytest
from django.urls import reverse

from tests.list_queries import assert_flat
from vanguard.ratings import services
from vanguard.ratings.models import Rating

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


def test_flags_of_one_centre_at_a_time_for_the_administrator(world, login, post, django_assert_max_num_queries):
    """The city's administrator sees one centre's flags (the first by name, 别区, without a choice),
    at the office's query count; a review returns to the rating's centre; ?all=1 keeps the centre."""
    _rated(world, 5, n=2, rater_phone="13800000002", channel="qr")
    client = login(world.admin)
    marker = str(services.FLAG_LABELS["staff"])
    default = client.get(reverse("ratings:flags")).content.decode()
    assert 'name="centre"' in default and marker not in default
    url = reverse("ratings:flags") + f"?centre={world.centre.pk}"
    assert_flat(client, url, lambda: _rated(world, 5, n=6, rater_phone="13800000002", channel="qr"),
                django_assert_max_num_queries)
    page = client.get(url).content.decode()
    assert marker in page and f"?all=1&amp;centre={world.centre.pk}" in page
    assert 'name="centre"' not in login(world.office).get(reverse("ratings:flags")).content.decode()
    rating = Rating.objects.filter(centre=world.centre, flagged=True).first()
    response = login(world.office).post(reverse("ratings:rating-review", args=[rating.pk]), {"action": "keep"})
    assert response.status_code == 302 and response.url == url
