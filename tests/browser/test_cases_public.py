"""Issue 14's "done when": on a phone (390 px) a citizen files a complaint from a post's
signboard, follows it by its tracking number, and sees the unit's answer."""

import pytest

from tests.posts.conftest import make_post
from vanguard.cases import services
from vanguard.cases.models import Case
from vanguard.posts import services as post_services

pytestmark = pytest.mark.browser


@pytest.fixture
def signboard(world, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    return post_services.disclose_post(world.office, make_post(world))


def test_file_a_complaint_from_the_signboard_and_follow_it(signboard, world, phone_page):
    page = phone_page
    page.goto(signboard.public_path)
    page.get_by_role("link", name="投诉建议").click()
    page.wait_for_url(f"**/c/p/{signboard.code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("投诉", exact=True).check()
    page.fill("#content", "下午三点窗口无人，等了半小时。我的电话13812345678。")
    with page.expect_navigation():
        page.click("#submit-case")
    number = page.locator("#tracking-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert (case.post_id, case.unit_id, case.status) == (signboard.pk, world.home_unit.pk, "dispatched")
    body = page.locator("body").inner_text()
    assert "待签收" in body and "13812345678" not in body and "下午三点窗口无人" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The unit accepts and answers.
    case = services.accept_case(world.handler, case)
    services.answer_case(world.handler, case, answer="已核实，午休轮岗已调整，窗口全天有人值守。", upheld=True,
                          broken_pledge="time")

    # Later, from another phone: the tracking number typed loosely (lower case, spaces).
    page.goto("/c/")
    page.fill("#number", number.lower().replace("-", " "))
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert page.url.endswith(f"/c/{number}/")
    steps = page.locator("#case-steps").inner_text()
    assert "已答复" in steps and "午休轮岗已调整" in steps
    assert "已办结" in page.locator("#case-status").inner_text()  # anonymous: closed with the answer
    assert "13812345678" not in page.locator("body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
