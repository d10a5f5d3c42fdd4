"""A phone-sized screen (390x844): the menu folds behind the toggler and opens."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_phone_renders_the_navigation_menu(world, phone_page, logged_in):
    page = logged_in(phone_page, world.office)
    toggler = page.locator(".vg-navbar .navbar-toggler")
    menu = page.locator("#vg-nav")
    assert toggler.is_visible()
    assert not menu.is_visible()
    toggler.click()
    menu.wait_for(state="visible")
    links = menu.locator("a.nav-link")
    assert links.count() >= 1
    first = links.first
    assert first.is_visible()
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The office's audit trail is in the menu, and the page does not scroll sideways.
    assert menu.locator(f"a[href='{reverse('core:audit-list')}']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_phone_login_page_fits_the_screen(phone_page):
    page = phone_page
    page.goto(reverse("login"))
    assert page.locator("input[name=username]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button = page.locator("form button[type=submit]").bounding_box()
    assert button["width"] >= 200  # a full-width, thumb-sized button
