"""Pages work under the Content-Security-Policy: charts draw, selects submit,
hall screens get their large type, all from static files. The harness fails any
test whose page had something refused by the CSP (see conftest.PageWatch)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_the_response_carries_the_csp(page):
    response = page.goto(reverse("login"))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "camera=()" in response.headers["permissions-policy"]


def test_charts_draw_from_static_scripts(world, page, logged_in):
    logged_in(page, world.office)
    page.goto(reverse("ratings:home"))
    page.locator("#trend canvas").wait_for()
    page.goto(reverse("posts:project-map"))
    page.locator("#chart-district canvas").wait_for()
    page.locator("#chart-category canvas").wait_for()


def test_language_select_submits_without_inline_handler(world, page, logged_in):
    logged_in(page, world.member)
    with page.expect_navigation():
        page.select_option("#vg-lang", "en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_hall_screen_gets_large_type_without_inline_script(world, page):
    page.goto(reverse("org:floor-board", args=[world.floor1.pk]) + "?screen=1")
    assert "screen" in page.locator("body").get_attribute("class")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "26px"
