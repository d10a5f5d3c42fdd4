"""Choosers that search as you type (/choose/<kind>/), the capped count of
long lists, the tree that opens a level at a time, and keyset pages in the API."""

import pytest
from django.urls import reverse

from vanguard.core import choosers
from vanguard.core.paginators import CappedPaginator
from vanguard.org import services
from vanguard.org.models import Organization, Person

pytestmark = pytest.mark.django_db


def choose(client, kind, /, **params):
    response = client.get(reverse("core:choose", args=[kind]), params)
    assert response.status_code == 200
    return response.content.decode()


# The endpoint -----------------------------------------------------------------------


def test_office_finds_people_of_its_centre_only(world, login):
    page = choose(login(world.office), "person", q="二层")
    assert "张二层" in page and "赵二层" in page
    assert "外人" not in choose(login(world.office), "person", q="外")


def test_outsider_finds_nothing_of_another_centre(world, login):
    page = choose(login(world.outsider), "person", q="二层")
    assert "张二层" not in page and "没有匹配项" in page
    assert "一层党支部" not in choose(login(world.outsider), "organization", q="党支部")
    assert "别区党支部" in choose(login(world.outsider), "organization", q="党支部")


def test_secretary_finds_only_the_members_of_the_branch(world, login):
    page = choose(login(world.secretary), "person", q="")
    assert "李党员" in page and "张二层" not in page


def test_narrowing_parameters_only_narrow(world, login):
    client = login(world.office)
    assert "陈群众" not in choose(client, "person", members=1)
    assert "陈群众" in choose(client, "person")
    page = choose(client, "organization", branches=1)
    assert "一层党支部" in page and "测试局党组" not in page
    # A centre the user cannot see adds nothing.
    assert "外人" not in choose(client, "person", centre=world.other_centre.pk)
    assert "综合窗口科" in choose(client, "unit", kind="department")
    assert "区市场监管局" not in choose(client, "unit", kind="department")


def test_anonymous_and_unknown_kinds(world, client, login):
    response = client.get(reverse("core:choose", args=["person"]))
    assert response.status_code == 302
    assert login(world.office).get(reverse("core:choose", args=["user"])).status_code == 404


def test_multiple_keeps_what_is_chosen(world, login):
    page = choose(login(world.office), "person", q="二层", multiple=1, holders=[world.member_person.pk])
    assert f'<option value="{world.member_person.pk}" selected>' in page
    assert "张二层" in page
    # Chosen values the user may not see are dropped.
    page = choose(login(world.office), "person", multiple=1, holders=[world.other_person.pk])
    assert "外人" not in page


def test_results_are_capped(world, login):
    for i in range(choosers.LIMIT + 5):
        services.create_person(world.admin, world.centre, name=f"批量{i:02d}", political_status=Person.Status.PUBLIC)
    page = choose(login(world.office), "person", q="批量")
    assert page.count("<option value=\"") == choosers.LIMIT + 1  # the prompt and LIMIT matches
    assert str(choosers.LIMIT) in page


# The widget in forms ------------------------------------------------------------------


def test_small_sets_stay_a_plain_select(world, login):
    page = login(world.office).get(reverse("core:account-create")).content.decode()
    assert "陈群众" in page and 'hx-get="/choose/person/' not in page


def test_big_sets_render_only_the_chosen_option(world, login, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(choosers, "PLAIN_UP_TO", 2)
    client = login(world.office)
    page = client.get(reverse("core:account-create")).content.decode()
    assert 'hx-get="/choose/person/?unlinked=1"' in page
    assert "陈群众" not in page and "张二层" not in page
    # A posted value is shown back, alone, when the form has errors.
    response = client.post(reverse("core:account-create"), {"username": "new", "person": world.public_person.pk,
                                                             "password1": "a-Long-pass-123", "password2": "other"})
    page = response.content.decode()
    assert f'<option value="{world.public_person.pk}" selected>陈群众（区市场监管局）</option>' in page
    assert "张二层" not in page


def test_chooser_value_still_validated_by_the_form(world, login, monkeypatch):
    monkeypatch.setattr(choosers, "PLAIN_UP_TO", 2)
    client = login(world.office)
    response = client.post(reverse("core:account-create"), {
        "username": "new", "person": world.other_person.pk, "password1": "a-Long-pass-123",
        "password2": "a-Long-pass-123"})
    assert response.status_code == 200
    assert not Person.objects.get(pk=world.other_person.pk).user_id


def test_person_form_with_choosers_saves(world, login, monkeypatch):
    monkeypatch.setattr(choosers, "PLAIN_UP_TO", 0)
    client = login(world.office)
    page = client.get(reverse("org:person-create")).content.decode()
    assert 'hx-get="/choose/window/' in page and 'hx-get="/choose/organization/' in page
    response = client.post(reverse("org:person-create"), {
        "name": "新党员", "political_status": "full", "joined_party_on": "2020-01-01", "branch": world.branch2.pk,
        "unit": world.home_unit2.pk, "window": world.window2.pk, "is_active": "on"})
    assert response.status_code == 302
    assert Person.objects.get(name="新党员").branch == world.branch2


# Capped counts -------------------------------------------------------------------------


def test_capped_paginator_counts_up_to_the_cap(world):
    people = Person.objects.order_by("pk")
    total = people.count()
    exact = CappedPaginator(people, 2)
    exact.cap = total
    assert exact.count == total and not exact.capped
    capped = CappedPaginator(people, 2)
    capped.cap = 3
    assert capped.count == 3 and capped.capped
    assert capped.num_pages == 2


def test_capped_count_reads_ids_only(world):
    """The count leaves out what only showing the rows needs: joined tables, annotated subqueries."""
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from django.test.utils import CaptureQueriesContext

    from vanguard.org.models import Organization

    people = (Person.objects.select_related("unit", "branch", "window").order_by("name")
              .annotate(branch_name=Subquery(Organization.objects.filter(pk=OuterRef("branch_id")).values("name"))))
    with CaptureQueriesContext(connection) as ctx:
        count = CappedPaginator(people, 2).count
    assert count == Person.objects.count()
    sql = ctx.captured_queries[0]["sql"]
    assert "JOIN" not in sql and "org_organization" not in sql and "ORDER BY" not in sql, sql
    # A grouped list counts its groups, as it shows them.
    from django.db.models import Count

    by_unit = Person.objects.values("unit").annotate(n=Count("pk")).order_by("unit")
    assert CappedPaginator(by_unit, 2).count == len(list(by_unit))


def test_people_list_says_more_than_the_cap(world, login, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    page = login(world.office).get(reverse("org:person-list")).content.decode()
    assert "超过 3 人" in page


# The tree, a level at a time -------------------------------------------------------------


def test_tree_opens_deep_levels_one_at_a_time(world, login, monkeypatch, django_assert_max_num_queries):
    from vanguard.org.views import tree

    for i in range(4):
        services.create_organization(world.admin, world.centre, parent=world.branch2, name=f"第{i}党小组",
                                     kind=Organization.Kind.GROUP)
    monkeypatch.setattr(tree, "TREE_BUDGET", 2)
    client = login(world.office)
    page = client.get(reverse("org:organization-list")).content.decode()
    assert "测试局党组" in page and "一层党支部" not in page
    assert reverse("org:organization-children", args=[world.root.pk]) in page
    with django_assert_max_num_queries(10):
        level = client.get(reverse("org:organization-children", args=[world.root.pk])).content.decode()
    assert "一层党支部" in level and "二层党支部" in level and "第0党小组" not in level
    assert reverse("org:organization-children", args=[world.branch2.pk]) in level
    assert "第3党小组" in client.get(reverse("org:organization-children", args=[world.branch2.pk])).content.decode()


def test_tree_children_are_scoped(world, login, client):
    url = reverse("org:organization-children", args=[world.root.pk])
    assert login(world.outsider).get(url).status_code == 404


# Keyset pages in the API -------------------------------------------------------------------


def test_api_walks_people_with_a_cursor(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=world.office)
    seen, url = [], "/api/v1/people/?cursor=&page_size=2"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(Person.objects.filter(centre=world.centre).values_list("pk", flat=True))
