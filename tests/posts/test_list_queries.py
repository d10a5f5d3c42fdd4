"""The posts list costs the same number of queries with more posts (no query per row)."""

import itertools

import pytest
from django.urls import reverse

from tests.list_queries import assert_flat
from vanguard.org import services as org_services

from .conftest import make_post

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _posts(world, n):
    name = ""
    for _ in range(n):
        i = next(_n)
        window = org_services.create_window(world.admin, world.centre, floor=world.floor1, number=f"Q{i:02d}",
                                            name="综合受理", unit=world.home_unit, service_items="综合受理")
        name = f"Q{i:02d}综合受理先锋岗"
        make_post(world, name=name, window=window)
    return name


@pytest.mark.parametrize("role", ["office", "secretary", "admin"])
def test_posts(world, login, role, django_assert_max_num_queries):
    _posts(world, 2)
    assert_flat(login(getattr(world, role)), reverse("posts:post-list"), lambda: _posts(world, 6),
                django_assert_max_num_queries)
