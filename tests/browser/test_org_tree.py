"""The party-organisation tree, reached from the menu as the office would."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_office_browses_the_party_tree_from_the_menu(world, page, logged_in, live_server):
    url = reverse("org:organization-list")  # /org/tree/
    logged_in(page, world.office)
    link = page.locator(f".vg-navbar a.nav-link[href='{url}']")
    with page.expect_navigation():
        link.click()
    assert page.url == live_server.url + url
    content = page.locator("main")
    for name in (world.root.name, world.branch1.name, world.branch2.name):
        assert content.get_by_text(name, exact=False).first.is_visible(), f"{name} is not on the tree"
    # The tree nests: the branches sit below the leading group.
    root_item = content.locator("li", has_text=world.root.name).first
    assert root_item.locator("li", has_text=world.branch1.name).count() >= 1
    # Another centre's organisations are not there.
    assert world.other_centre.name not in content.inner_text()
    assert "别区局党组" not in content.inner_text()


def test_a_branch_opens_from_the_tree(world, page, logged_in, live_server):
    logged_in(page, world.office)
    page.goto(reverse("org:organization-list"))
    with page.expect_navigation():
        page.locator("main a", has_text=world.branch1.name).first.click()
    assert page.url != live_server.url + reverse("org:organization-list")
    assert world.branch1.name in page.locator("main").inner_text()
