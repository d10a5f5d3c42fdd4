"""The assessment lists cost the same number of queries with more rows (no query per row)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.list_queries import assert_flat
from vanguard.assessment import services, views
from vanguard.assessment.models import Adjustment
from vanguard.org import services as org_services
from vanguard.org.models import Person

from .conftest import MONTH, fill

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _members(world, n):
    people = []
    for _ in range(n):
        i = next(_n)
        people.append(org_services.create_person(
            world.admin, world.centre, name=f"增员{i:03d}", mobile=f"1366600{i:04d}",
            political_status=Person.Status.FULL, joined_party_on=datetime.date(2015, 1, 1),
            branch=world.branch1, window=world.window1, unit=world.home_unit))
    return people


@pytest.mark.parametrize("role", ["office", "secretary"])
def test_results(world, client, scheme, role, django_assert_max_num_queries):
    """A month's results with the world's members, then a month with six more: no more queries."""
    first = services.open_period(world.office, world.centre, MONTH)
    fill(world, first, world.branch1_members + world.branch2_members)
    services.publish_period(world.office, first, confirm_unscored=True)
    client.force_login(getattr(world, role))
    client.get(reverse("assessment:results", args=[first.pk]))
    with CaptureQueriesContext(connection) as counted:
        assert client.get(reverse("assessment:results", args=[first.pk])).status_code == 200
    more = _members(world, 6)
    second = services.open_period(world.office, world.centre, datetime.date(2026, 11, 1))
    fill(world, second, world.branch1_members + world.branch2_members + more)
    services.publish_period(world.office, second, confirm_unscored=True)
    with django_assert_max_num_queries(len(counted)):
        page = client.get(reverse("assessment:results", args=[second.pk]))
    assert page.status_code == 200 and more[-1].name in page.content.decode()


def test_adjustments(world, client, period, django_assert_max_num_queries):
    client.force_login(world.office)

    def grow():
        people = _members(world, 5)
        for person in people:
            services.create_adjustment(world.office, period, person, kind=Adjustment.Kind.BONUS,
                                       points=Decimal("1"), reason=f"表扬{person.name}",
                                       source=Adjustment.Source.COMMENDATION)
        return people[-1].name

    services.create_adjustment(world.office, period, world.member_person, kind=Adjustment.Kind.BONUS,
                               points=Decimal("1"), reason="表扬", source=Adjustment.Source.COMMENDATION)
    assert_flat(client, reverse("assessment:adjustments", args=[period.pk]), grow, django_assert_max_num_queries)


def test_months(world, client, scheme, django_assert_max_num_queries):
    """The months list, with the to-do of the oldest TODO_MONTHS months being scored (the others linked)."""
    client.force_login(world.office)
    for month in range(1, views.TODO_MONTHS + 1):
        services.open_period(world.office, world.centre, datetime.date(2026, month, 1))

    def grow():
        for month in range(views.TODO_MONTHS + 1, 10):
            services.open_period(world.office, world.centre, datetime.date(2026, month, 1))
        return "2026-09"

    assert_flat(client, reverse("assessment:home"), grow, django_assert_max_num_queries)


def test_month_counts_are_one_read_for_page_and_api(world, client, published, api):
    """A month's counts: the page and GET .../counts/ read them from assessment.selectors."""
    from vanguard.assessment import selectors

    counts = selectors.month_counts(world.office, published)
    assert counts["results"] == 5 and counts["stars"] >= 1 and counts["pending"] == 0
    assert api(world.office).get(f"/api/v1/assessment/periods/{published.pk}/counts/").json() == counts
    # A secretary counts only the branch's members; the outsider does not see the month.
    assert api(world.secretary).get(f"/api/v1/assessment/periods/{published.pk}/counts/").json()["results"] == 3
    assert api(world.outsider).get(f"/api/v1/assessment/periods/{published.pk}/counts/").status_code == 404
    client.force_login(world.office)
    page = client.get(reverse("assessment:period", args=[published.pk]))
    assert page.context["result_count"] == counts["results"] and page.context["star_count"] == counts["stars"]


def test_tally_lists_one_centre_and_the_top_members(world, client, published, monkeypatch):
    from vanguard.assessment import documents

    monkeypatch.setattr(documents, "TALLY_ROWS", 1)
    monkeypatch.setattr(documents.yearly_tally, "__kwdefaults__", {"limit": 1})
    client.force_login(world.office)
    page = client.get(reverse("assessment:tally") + f"?year={published.month.year}")
    assert page.status_code == 200 and len(page.context["per_member"]) == 1
    assert page.context["members_with_stars"] >= 2 and 'id="tally-limit"' in page.content.decode()
    client.force_login(world.admin)
    page = client.get(reverse("assessment:tally") + f"?year={published.month.year}&centre={world.centre.pk}")
    assert page.context["centre"] == world.centre
    assert page.context["total"] == sum(b["stars"] for b in page.context["per_branch"]) >= 2
