"""The audit trail and the accounts list cost the same number of queries with more rows."""

import itertools

import pytest
from django.urls import reverse

from tests.list_queries import assert_flat
from vanguard.org import services as org_services

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _units(world, n):
    name = ""
    for _ in range(n):
        name = f"审计测试单位{next(_n):03d}"
        org_services.create_unit(world.admin, world.centre, name=name)
    return name


@pytest.mark.parametrize("role", ["office", "admin"])
def test_audit_trail(world, login, role, django_assert_max_num_queries):
    _units(world, 2)
    assert_flat(login(getattr(world, role)), reverse("core:audit-list"), lambda: _units(world, 6),
                django_assert_max_num_queries)


def test_audit_trail_filtered(world, login, django_assert_max_num_queries):
    _units(world, 2)
    assert_flat(login(world.office), reverse("core:audit-list") + "?object_repr=审计测试",
                lambda: _units(world, 6), django_assert_max_num_queries)


def test_unit_list(world, login, django_assert_max_num_queries):
    _units(world, 2)
    assert_flat(login(world.office), reverse("org:unit-list"), lambda: _units(world, 6), django_assert_max_num_queries)
