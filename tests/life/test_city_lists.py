"""A user who sees several centres (the city's administrator) sees the life lists one centre at a
time, paged, with the centre and the other filters kept on every page; a user of one centre gets no
centre field; the approvals page is two paged lists at a fixed number of queries."""

import datetime
import html
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.list_queries import assert_flat
from vanguard.life import services
from vanguard.life.models import Attendance, MeetingKind
from vanguard.life.views.common import PAGE
from vanguard.org.models import Organization

from .conftest import at, past_day

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _other_branch(world):
    return Organization.objects.get(centre=world.other_centre, kind=Organization.Kind.BRANCH)


def _meeting(actor, branch, topic, days=3):
    return services.plan_meeting(actor, branch, kind=MeetingKind.LESSON, topic=topic, starts_at=at(past_day(days)))


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("name", ["life:meetings", "life:activities", "life:approvals"])
def test_a_user_of_one_centre_gets_no_centre_field(world, login, name):
    assert 'name="centre"' not in _page(login(world.office), reverse(name))


def test_the_administrator_sees_one_centre_of_meetings_at_a_time(world, login):
    _meeting(world.secretary, world.branch1, "本中心的党课")
    _meeting(world.admin, _other_branch(world), "别区的党课")
    client = login(world.admin)
    first = _page(client, reverse("life:meetings"))
    assert 'name="centre"' in first
    # Without a choice: one centre (the first by name, 别区 before 测试区), never both.
    assert "别区的党课" in first and "本中心的党课" not in first
    chosen = _page(client, reverse("life:meetings") + f"?centre={world.centre.pk}")
    assert "本中心的党课" in chosen and "别区的党课" not in chosen
    # A centre the user cannot name (an unknown id) falls back to the default, not a 500.
    assert "别区的党课" in _page(client, reverse("life:meetings") + "?centre=999999")


def test_the_paging_links_keep_the_centre_and_the_filters(world, login):
    for i in range(PAGE + 1):
        _meeting(world.secretary, world.branch1, f"党课{i:03d}", days=1 + i % 20)
    page = _page(login(world.admin), reverse("life:meetings") + f"?centre={world.centre.pk}&kind=lesson")
    assert "page=2" in page
    link = next(part for part in page.split('href="')[1:] if "page=2" in part).split('"')[0]
    assert f"centre={world.centre.pk}" in link and "kind=lesson" in link


def test_the_administrator_sees_one_centre_of_activities_at_a_time(world, login):
    kind = services.activity_kinds(world.centre).get(code="volunteer")
    services.record_activity(world.member, kind=kind, date=past_day(2), hours=1, description="本中心的志愿服务")
    client = login(world.admin)
    assert "本中心的志愿服务" not in _page(client, reverse("life:activities"))
    assert "本中心的志愿服务" in _page(client, reverse("life:activities") + f"?centre={world.centre.pk}")


def _waiting_activities(world, n):
    kind = services.activity_kinds(world.centre).get(code="volunteer")
    marker = f"待批志愿{next(_n):04d}"
    for i in range(n):
        services.record_activity(world.member, kind=kind, date=past_day(1 + i % 5), hours=1,
                                 description=f"{marker}-{i}")
    return f"{marker}-{n - 1}"


@pytest.mark.parametrize("role", ["secretary", "office", "admin"])
def test_approvals_cost_the_same_queries_with_more_rows(world, login, role, django_assert_max_num_queries):
    _waiting_activities(world, 1)
    url = reverse("life:approvals") + (f"?centre={world.centre.pk}" if role == "admin" else "")
    assert_flat(login(getattr(world, role)), url, lambda: _waiting_activities(world, 5),
                django_assert_max_num_queries)


def test_approvals_are_paged_and_a_decision_comes_back_to_the_same_page(world, login):
    last = _waiting_activities(world, PAGE + 2)
    client = login(world.admin)
    url = reverse("life:approvals") + f"?centre={world.centre.pk}"
    first = _page(client, url)
    assert first.count('name="what" value="activity"') == PAGE
    assert f'data-count="activities">{PAGE + 2}<' in first
    second = _page(client, url + "&activity_page=2")
    assert second.count('name="what" value="activity"') == 2
    # The older ones come first: the last recorded of the oldest day is on one of the pages, once.
    assert (last in first) != (last in second)
    link = next(part for part in first.split('href="')[1:] if "activity_page=2" in part).split('"')[0]
    assert f"centre={world.centre.pk}" in link
    # The other centre's list (the default for the administrator) holds none of them.
    assert "待批志愿" not in _page(client, reverse("life:approvals"))
    # A decision returns to the same centre and page.
    response = client.post(url + "&activity_page=2", {"what": "activity", "pk": _pending_pk(world),
                                                      "decision": "approve"})
    assert response.status_code == 302 and response.url == url + "&activity_page=2"


def _pending_pk(world):
    from vanguard.life.models import Activity

    return Activity.objects.filter(centre=world.centre, status=Activity.Status.PENDING).order_by("pk").first().pk


def test_the_outsider_sees_none_of_the_centre_s_waiting_leave(world, login):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=timezone.now() + datetime.timedelta(days=3))
    services.request_leave(world.member, meeting, "外出培训")
    assert Attendance.objects.filter(meeting=meeting, leave_reason="外出培训").exists()
    assert "外出培训" in _page(login(world.secretary), reverse("life:approvals"))
    assert "外出培训" not in _page(login(world.outsider), reverse("life:approvals"))
    assert "外出培训" in _page(login(world.admin), reverse("life:approvals") + f"?centre={world.centre.pk}")
    assert login(world.member).get(reverse("life:approvals")).status_code == 403
