"""The study lists cost the same number of queries with more rows (no query per row)."""

import itertools

import pytest
from django.urls import reverse

from tests.list_queries import assert_flat
from vanguard.messaging import services

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _lessons(world, n):
    title = ""
    for _ in range(n):
        title = f"第{next(_n):03d}课学习党章"
        services.create_lesson(world.office, world.centre, title=title, category="theory",
                               sms_text="认真学习党章，尊崇党章，遵守党章。")
    return title


def _broadcasts(world, n):
    title = ""
    for _ in range(n):
        title = f"第{next(_n):03d}号通知"
        services.create_broadcast(world.office, world.centre, title=title, text="请按时参加支部党员大会。")
    return title


def test_lessons(world, login, django_assert_max_num_queries):
    _lessons(world, 2)
    assert_flat(login(world.office), reverse("messaging:lesson-list"), lambda: _lessons(world, 6),
                django_assert_max_num_queries)


def test_broadcasts(world, login, django_assert_max_num_queries):
    _broadcasts(world, 2)
    assert_flat(login(world.office), reverse("messaging:broadcast-list"), lambda: _broadcasts(world, 6),
                django_assert_max_num_queries)
