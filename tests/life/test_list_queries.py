"""The life lists cost the same number of queries with more rows (no query per row), and the figures
page shows a page of branches at a time."""

import itertools

import pytest
from django.urls import reverse

from tests.list_queries import assert_flat
from vanguard.life import services
from vanguard.life.models import MeetingKind
from vanguard.life.views.office import FIGURE_BRANCHES
from vanguard.org import services as org_services
from vanguard.org.models import Organization

from .conftest import at, past_day

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _activities(world, actor, n, **extra):
    kind = services.activity_kinds(world.centre).get(code="volunteer")
    marker = f"志愿服务{next(_n):04d}"
    for i in range(n):
        services.record_activity(actor, kind=kind, date=past_day(1 + i % 5), hours=1, description=f"{marker}-{i}",
                                 **extra)
    return f"{marker}-{n - 1}"


@pytest.mark.parametrize("role", ["member", "secretary", "office"])
def test_activities(world, login, role, django_assert_max_num_queries):
    """A member's own records (the demo's 700 ms page), the secretary's and the office's lists."""
    user = getattr(world, role)
    _activities(world, world.member, 1)

    def grow():
        if role == "member":
            return _activities(world, world.member, 6)
        return _activities(world, world.secretary, 6, people=world.branch1_members, organization=world.branch1)

    assert_flat(login(user), reverse("life:activities"), grow, django_assert_max_num_queries)


@pytest.mark.parametrize("role", ["member", "office"])
def test_meetings(world, login, role, django_assert_max_num_queries):
    def grow():
        marker = f"专题学习{next(_n):04d}"
        for i in range(6):
            services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic=f"{marker}-{i}",
                                  starts_at=at(past_day(2 + i)))
        return f"{marker}-5"

    grow()
    assert_flat(login(getattr(world, role)), reverse("life:meetings"), grow, django_assert_max_num_queries)


def test_attendance_rows(world, login, django_assert_max_num_queries):
    def grow():
        marker = f"支部党员大会{next(_n):04d}"
        for i in range(3):
            meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.MEMBERS,
                                            topic=f"{marker}-{i}", starts_at=at(past_day(3 + i)))
            services.record_held(world.secretary, meeting, minutes="会议纪要")
        return f"{marker}-2"

    grow()
    url = reverse("life:attendance-rows") + f"?from={past_day(60)}"
    assert_flat(login(world.office), url, grow, django_assert_max_num_queries)


def _branches(world, n):
    names = []
    for _ in range(n):
        name = f"新增第{next(_n):04d}党支部"
        org_services.create_organization(world.admin, world.centre, parent=world.root, name=name,
                                         kind=Organization.Kind.BRANCH)
        names.append(name)
    return names


def test_figures(world, login, django_assert_max_num_queries):
    assert_flat(login(world.office), reverse("life:figures"), lambda: _branches(world, 4)[-1],
                django_assert_max_num_queries)


def test_figures_page_a_city_centre_by_branches(world, login, django_assert_max_num_queries):
    """A centre of many branches: a page of FIGURE_BRANCHES at a time, the total row on each, and the
    query count of a full page that of a short one."""
    names = _branches(world, FIGURE_BRANCHES + 5)
    client = login(world.office)
    first = client.get(reverse("life:figures")).content.decode()
    assert first.count("<tr><td>") == FIGURE_BRANCHES + 1  # a page of branches and the centre's total
    second = client.get(reverse("life:figures") + "?page=2").content.decode()
    assert all(name in first or name in second for name in names)
    assert not any(name in first and name in second for name in names)
    assert "全中心" in second
    assert client.get(reverse("life:figures") + "?page=abc").status_code == 200
    assert client.get(reverse("life:figures") + "?page=-1").status_code == 200
