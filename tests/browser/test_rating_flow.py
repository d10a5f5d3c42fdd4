"""A service user rates a transaction from its QR link on a 390x844 phone, and the
office's figures page shows the rating counted."""

import pytest
from django.urls import reverse

from tests.ratings.conftest import import_one
from vanguard.posts import services as post_services
from vanguard.ratings import figures
from vanguard.ratings.models import Rating

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_rate_from_qr_link_on_a_phone_and_figures_change(world, new_page, logged_in):
    from tests.posts.conftest import make_post

    post_services.disclose_post(world.office, make_post(world))
    txn = import_one(world)
    figures_url = reverse("ratings:home") + f"?dimension=unit&key={world.home_unit.pk}"

    office = logged_in(new_page(), world.office)
    office.goto(figures_url)
    assert office.locator("#year-total").inner_text().strip() == "0"
    assert office.locator("#year-rate").inner_text().strip() == "—"

    # The QR code on the transaction page encodes the same link that is printed beside it.
    office.goto(reverse("ratings:transaction", args=[txn.pk]))
    assert office.locator("svg").count() >= 1
    link = office.locator("#rating-link").get_attribute("href")
    assert link.startswith("http") and "/r/" in link

    phone = new_page(viewport=PHONE)
    phone.goto(link[link.index("/r/"):])
    # Nothing is chosen for the user.
    assert phone.locator("input[type=radio]:checked").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_label("非常满意").first.check()
    phone.locator("textarea[name=comment]").fill("办事很快，一次办好")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in phone.content()
    assert Rating.objects.filter(transaction=txn, channel="qr", level=5).exists()

    # Until the fold (the worker's, every minute) the page says the rating is waiting to be counted.
    office.goto(figures_url)
    assert office.locator("#year-total").inner_text().strip() == "0"
    assert "1 条评价待计入" in office.locator("#freshness").inner_text()
    figures.fold_all()
    office.goto(figures_url)
    assert office.locator("#freshness").inner_text().strip() == "已计入全部评价。"
    assert office.locator("#year-total").inner_text().strip() == "1"
    assert office.locator("#year-rate").inner_text().strip() == "100.00%"
    # The trend chart was drawn by the vendored ECharts.
    assert office.locator("#trend canvas").count() == 1

    # The same link cannot rate twice.
    phone.goto(link[link.index("/r/"):])
    assert "已评价" in phone.content()
