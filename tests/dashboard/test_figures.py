import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from vanguard.dashboard import selectors, services
from vanguard.dashboard.models import Figure, Refresh


def kpi(scope, month, key):
    return next(k for k in selectors.kpis(scope, month) if k["key"] == key)


def test_refresh_counts_by_scope_and_month(world, figures):
    month = figures["month"]
    centre = selectors.check_scope(world.office, f"centre:{world.centre.pk}")
    assert kpi(centre, month, "accepted")["this"]["value"] == 4
    assert kpi(centre, month, "bad")["this"]["value"] == 1
    assert kpi(centre, month, "satisfaction")["this"]["value"] == 75.0
    assert kpi(centre, month, "bad")["last"]["value"] == 1
    floor1 = selectors.check_scope(world.office, f"floor:{world.floor1.pk}")
    assert kpi(floor1, month, "accepted")["this"]["value"] == 3
    unit = selectors.check_scope(world.office, f"unit:{world.home_unit2.pk}")
    assert kpi(unit, month, "satisfaction")["this"]["value"] == 100.0
    assert Refresh.objects.filter(centre=world.centre).exists()


def test_every_number_is_the_count_of_its_rows(world, figures):
    month = figures["month"]
    for code in (f"centre:{world.centre.pk}", f"floor:{world.floor1.pk}", f"unit:{world.home_unit.pk}",
                 f"window:{world.window1.pk}", f"person:{world.member_person.pk}", f"branch:{world.branch1.pk}"):
        scope = selectors.check_scope(world.office, code)
        table = selectors.figure_table(scope, [month])
        for metric in ("accepted", "rated", "satisfied", "bad"):
            _m, rows = selectors.rows(scope, metric, month)
            assert rows.count() == table.get((metric, month), (0, 0))[0], (code, metric)


def test_a_second_refresh_replaces_not_adds(world, figures):
    before = Figure.objects.count()
    services.refresh_figures(world.office, [world.centre])
    assert Figure.objects.count() == before


def test_scopes_outside_are_refused(world, figures):
    with pytest.raises(PermissionDenied):
        selectors.check_scope(world.outsider, f"centre:{world.centre.pk}")
    with pytest.raises(PermissionDenied):
        selectors.check_scope(world.office, "city")  # one centre: not the city's office
    with pytest.raises(PermissionDenied):
        selectors.check_scope(world.handler, f"unit:{world.home_unit2.pk}")
    with pytest.raises(PermissionDenied):
        selectors.check_scope(world.secretary, f"branch:{world.branch2.pk}")
    with pytest.raises(PermissionDenied):
        selectors.check_scope(world.member, "")
    with pytest.raises(Http404):
        selectors.check_scope(world.office, "unit:999999")
    assert selectors.check_scope(world.handler, f"unit:{world.home_unit.pk}").key == world.home_unit.pk
    assert selectors.check_scope(world.secretary, f"person:{world.member_person.pk}")
    assert selectors.check_scope(world.admin, "city").centre_ids


def test_refresh_is_the_offices(world):
    with pytest.raises(PermissionDenied):
        services.refresh_figures(world.handler, [world.centre])


def test_dashboard_page_links_each_number_to_its_rows(world, figures, login, client):
    login(world.office)
    page = client.get(reverse("dashboard:home") + f"?scope=centre:{world.centre.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(r'href="([^"]+)" data-figure="accepted">(\d+)<', html)
    assert link and link.group(2) == "4"
    rows = client.get(link.group(1).replace("&amp;", "&"))
    assert rows.status_code == 200 and 'data-row-count="4"' in rows.content.decode()
    assert "figures-trend-data" in html


def test_dashboard_access(world, figures, login, client):
    url = reverse("dashboard:home")
    login(world.outsider)
    assert client.get(url + f"?scope=centre:{world.centre.pk}").status_code == 403
    assert client.get(reverse("dashboard:rows") + f"?scope=centre:{world.centre.pk}&metric=accepted").status_code == 403
    login(world.member)
    assert client.get(url).status_code == 403
    login(world.handler)
    assert client.get(url).status_code == 200
    assert client.get(url + f"?scope=centre:{world.centre.pk}").status_code == 403
    login(world.secretary)
    assert client.get(url + f"?scope=branch:{world.branch1.pk}").status_code == 200


def test_dashboard_queries_do_not_grow(world, figures, login, client, django_assert_max_num_queries):
    login(world.office)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("dashboard:home") + f"?scope=centre:{world.centre.pk}").status_code == 200


def test_city_rollup(world, figures, login, client):
    login(world.admin)
    html = client.get(reverse("dashboard:city")).content.decode()
    assert world.centre.name in html and world.other_centre.name in html
    login(world.office)
    html = client.get(reverse("dashboard:city")).content.decode()
    assert world.centre.name in html and world.other_centre.name not in html and "data-city-average" in html
    login(world.member)
    assert client.get(reverse("dashboard:city")).status_code == 403


def test_api_figures(world, figures, client):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.office)
    answer = api.get("/api/v1/figures/", {"scope": f"centre:{world.centre.pk}"})
    assert answer.status_code == 200
    accepted = next(f for f in answer.json()["figures"] if f["key"] == "accepted")
    assert accepted["this_month"]["value"] == 4 and accepted["this_month"]["rows"]
    assert api.get("/api/v1/figures/", {"scope": "city"}).status_code == 403
    api.force_authenticate(world.outsider)
    assert api.get("/api/v1/figures/", {"scope": f"centre:{world.centre.pk}"}).status_code == 403
    assert api.get("/api/v1/figures/", {"scope": "centre:99999999"}).status_code == 404
    api.force_authenticate(None)
    assert api.get("/api/v1/figures/").status_code == 401


def test_a_vanguard_post_is_a_scope_between_window_and_person(world, figures, post, login, client):
    """unit -> window -> post -> person: the post's own figures (its ratings), its rows, its people."""
    month = figures["month"]
    scope = selectors.check_scope(world.office, f"post:{post.pk}")
    table = selectors.figure_table(scope, [month])
    rated = table.get(("rated", month), (0, 0))[0]
    assert rated == 3  # the three ratings at A01, the post's window, this month
    for metric in ("rated", "satisfied", "bad"):
        assert selectors.rows(scope, metric, month)[1].count() == table.get((metric, month), (0, 0))[0]
    window = selectors.check_scope(world.office, f"window:{world.window1.pk}")
    assert any(c["code"] == f"post:{post.pk}" for c in selectors.children(world.office, window, month))
    with pytest.raises(PermissionDenied):
        selectors.check_scope(world.outsider, f"post:{post.pk}")
    login(world.office)
    assert client.get(reverse("dashboard:home") + f"?scope=post:{post.pk}").status_code == 200
    assert client.get(reverse("api-figures") + f"?scope=post:{post.pk}").status_code == 200


def test_rows_past_the_cap_show_the_figure_and_list_the_newest(world, figures, login, client, monkeypatch,
                                                                django_assert_max_num_queries):
    """A city's month is 170,000 rows: the rows are counted up to the cap only (ids, no join), and past it the
    page shows the figure's own number and lists the newest rows a page at a time."""
    from vanguard.core.paginators import CappedPaginator

    url = reverse("dashboard:rows") + f"?scope=centre:{world.centre.pk}&metric=accepted"
    login(world.office)
    client.get(url)
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert 'data-row-count="4" data-capped' in page  # the figure's 4, though only 2 are counted
    assert page.count("<tr><td>") == 2
    Figure.objects.filter(centre=world.centre, metric="accepted").delete()  # no figure: "more than 2"
    page = client.get(url).content.decode()
    assert 'data-row-count="" data-capped' in page and "2" in re.search(r"data-capped>([^<]*)<", page).group(1)
    monkeypatch.setattr(CappedPaginator, "cap", 10_000)
    assert 'data-row-count="4"' in client.get(url).content.decode()
