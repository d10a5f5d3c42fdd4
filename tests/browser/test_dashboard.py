"""The figures room in a browser: the office follows a dashboard number to the rows
behind it (as many rows as the number says); the hall's big screen renders at
1920x1080 from the server alone (the harness fails any request to another host)."""

import re

import pytest
from django.urls import reverse

from tests.dashboard.conftest import figures, post  # noqa: F401 -- fixtures
from vanguard.dashboard import screen, services

pytestmark = pytest.mark.browser


def test_office_follows_a_number_to_its_rows(world, figures, page, logged_in):  # noqa: F811
    logged_in(page, world.office)
    page.goto(reverse("dashboard:home") + f"?scope=centre:{world.centre.pk}")
    page.locator("#figures-trend canvas").wait_for()
    number = page.locator("[data-figure=accepted]")
    expected = int(number.inner_text())
    assert expected == 4
    with page.expect_navigation():
        number.click()
    assert "/figures/rows/" in page.url
    assert page.locator("table[data-rows] tbody tr").count() == expected
    assert int(page.locator("[data-row-count]").get_attribute("data-row-count")) == expected
    # A rate's parts are links too: the bad reviews behind this month's figure.
    page.go_back()
    bad = page.locator("[data-figure=bad]")
    n = int(bad.inner_text())
    with page.expect_navigation():
        bad.click()
    assert page.locator("table[data-rows] tbody tr").count() == n == 1


def test_big_screen_renders_at_1920x1080_from_this_server_only(world, figures, page):  # noqa: F811
    item = services.create_screen(world.office, world.centre, name="一楼大厅")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(screen.url_of(item))
    page.locator("body[data-loaded='1']").wait_for()
    assert page.locator("[data-field='today.accepted']").inner_text() == "4"
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 1920 and size[1] <= 1080, size
    assert re.search(r"[\u4e00-\u9fff]", page.locator("h1").inner_text())
    # Offline: the server stops answering; the screen keeps its last figures and says so.
    page.route("**/data.json", lambda route: route.abort())
    page.evaluate("window.dispatchEvent(new Event('vg-reload'))")
    page.locator("[data-offline]").wait_for(state="visible")
    assert page.locator("[data-field='today.accepted']").inner_text() == "4"
