"""A phone (390 px) opens the centre's vanguard roll, then a floor's honour board with the
rotating medals its windows hold: Chinese, no horizontal scroll, no personal data."""

import datetime

import pytest

from vanguard.honours import services
from vanguard.honours.models import HonourKind

pytestmark = pytest.mark.browser
NOTICE_START = datetime.date(2026, 9, 29)


def _award(world, honour, candidate, title):
    selection = services.open_selection(world.office, world.centre, title=title, year=2026, honour=honour, quota=1,
                                        nominate_until=datetime.date(2026, 9, 20))
    nomination = services.nominate(world.office, selection, candidate=candidate, reasons="事迹突出")
    if honour == HonourKind.RED_FLAG:
        services.judge_standards(world.office, nomination, {k: {"met": True, "note": "达标"} for k in
                                                            ("mechanism", "committee", "team", "role")})
    services.review_nomination(world.office, nomination, approve=True)
    services.start_notice(world.office, selection, start=NOTICE_START)
    services.award_selection(world.office, selection, today=datetime.date(2026, 10, 12))


@pytest.fixture
def honours(world):
    _award(world, HonourKind.RED_FLAG, world.branch1, "2026年度红旗党支部")
    _award(world, HonourKind.MEMBER, world.member_person, "2026年度优秀共产党员")
    _award(world, HonourKind.PARTY_WORKER, world.branch2_members[0], "2026年度优秀党务工作者")
    scheme = services.create_medal_scheme(world.office, world.centre, name="优质服务流动奖牌", count=2)
    services.award_medal(world.office, scheme.medals.get(number=1), holder=world.window1, reason="十月满意率第一")
    return scheme


def test_phone_sees_the_roll_and_a_floor_board(honours, world, phone_page):
    page = phone_page
    page.goto(f"/h/{world.centre.code}/?year=2026")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "2026年度先锋榜"
    assert page.locator(".pub-brand").inner_text() == "先锋榜"
    for section, name in (("#roll-red_flag", "一层党支部"), ("#roll-member", "李党员"),
                          ("#roll-party_worker", "张二层")):
        assert name in page.locator(section).inner_text(), section
    body = page.locator("body").inner_text()
    for heading in ("红旗党支部", "优秀共产党员", "优秀党务工作者", "流动奖牌"):
        assert heading in body, heading
    assert "13800000002" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The floor's board: its own honours and the medal its window holds, not the other floor's.
    page.click("text=一层大厅")
    page.wait_for_url(f"**/h/floor/{world.floor1.pk}/")
    body = page.locator("body").inner_text()
    assert "一层大厅" in page.locator(".roll-head").inner_text()
    assert "李党员" in body and "一层党支部" in body and "张二层" not in body
    medals = page.locator("#medals").inner_text()
    assert "A01 企业开办" in medals and "优质服务流动奖牌" in medals
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
