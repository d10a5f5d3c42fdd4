"""Issue 10 in the browser, on a 390x844 phone: a citizen scans a signboard, verifies a
mobile with an SMS code and rates a transaction; an evaluation with one bad answer comes
back with every other answer kept; a handler's "still dissatisfied" call-back sends a
case to a second round."""

import re
import urllib.request

import pytest
from django.urls import reverse

from tests.posts.conftest import decode_qr, make_post
from tests.ratings.conftest import import_one, rate
from vanguard.messaging.channels import local
from vanguard.posts import services as post_services
from vanguard.ratings.models import Rating, RectificationCase
from vanguard.surveys import services as survey_services
from vanguard.surveys.models import AnswerSheet

from .conftest import PHONE

pytestmark = pytest.mark.browser
MOBILE = "13912345678"


@pytest.fixture
def post(world, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SMS_BACKEND = "locmem"
    local.outbox.clear()
    from vanguard.ratings import services

    # The per-process window -> post map must not carry this test's post into the next test.
    services._POST_CACHE["at"] = 0.0
    yield post_services.disclose_post(world.office, make_post(world))
    services._POST_CACHE["at"] = 0.0


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_citizen_scans_the_signboard_verifies_a_mobile_and_rates(world, post, live_server, new_page):
    txn = import_one(world, rater_phone=MOBILE, service_item="个体工商户注册")
    with urllib.request.urlopen(f"{live_server.url}/p/{post.code}/qr.png") as response:  # noqa: S310 (loopback)
        [url] = decode_qr(response.read())
    phone = new_page(viewport=PHONE)
    phone.goto(url[len(live_server.url):])
    phone.get_by_role("link", name="评价服务").first.click()
    phone.wait_for_url(f"**/r/post/{post.code}/")
    _fits(phone)

    # A mistyped number is named beside the field and kept as typed.
    phone.fill("#mobile", "1391234")
    with phone.expect_navigation():
        phone.get_by_role("button", name="发送验证码").click()
    assert "不是中国大陆手机号" in phone.locator("#mobile-error").inner_text()
    assert phone.locator("#mobile").input_value() == "1391234"

    phone.fill("#mobile", MOBILE)
    with phone.expect_navigation():
        phone.get_by_role("button", name="发送验证码").click()
    assert phone.locator("#code-sent").is_visible()
    code = re.search(r"(\d{6})", local.outbox[-1].text).group(1)
    assert local.outbox[-1].mobile == MOBILE

    # A guessed code is refused beside the code field; the number stays.
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    phone.fill("#code", wrong)
    with phone.expect_navigation():
        phone.get_by_role("button", name="验证并评价").click()
    assert "验证码不正确" in phone.locator("#code-error").inner_text()
    assert phone.locator("#mobile").input_value() == MOBILE

    phone.fill("#code", code)
    with phone.expect_navigation():
        phone.get_by_role("button", name="验证并评价").click()
    assert "个体工商户注册" in phone.locator("#my-transactions").inner_text()
    _fits(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="去评价").click()
    phone.get_by_label("非常满意").first.check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in phone.content()
    assert Rating.objects.get(transaction=txn).level == 5

    # The code cannot be used again, and the transaction cannot be rated twice.
    phone.goto(reverse("ratings:rate-post", args=[post.code]))
    phone.fill("#number", txn.number)
    with phone.expect_navigation():
        phone.get_by_role("button", name="评价这笔办件").click()
    assert "已评价" in phone.locator("#number-error").inner_text()


def test_evaluation_with_one_bad_answer_keeps_every_other_answer(world, post, new_page):
    evaluation = survey_services.create_evaluation(world.office, world.centre, title="2026年第三季度测评",
                                                   year=2026, quarter=3, posts=[post], min_answers=1)
    survey_services.open_evaluation(world.office, evaluation)
    invitation = survey_services.issue_invitations(world.office, evaluation, group=evaluation.groups.first(),
                                                   count=1)[0]
    _posts, scale, texts = survey_services.form_for(evaluation)
    phone = new_page(viewport=PHONE)
    phone.goto(invitation.public_path)
    _fits(phone)
    # Answer all but the last question: the first "very satisfied", the second "don't know", ...
    fieldsets = phone.locator("fieldset")
    assert fieldsets.count() == len(scale)
    fieldsets.nth(0).get_by_label("非常满意").check()
    fieldsets.nth(1).get_by_label("不了解").check()
    fieldsets.nth(2).get_by_label("满意", exact=True).check()
    phone.fill(f"#t_{texts[0].pk}", "希望增加自助填表机")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交").click()
    assert "您填写的其他内容都已保留" in phone.locator("#error-summary").inner_text()
    assert fieldsets.nth(0).get_by_label("非常满意").is_checked()
    assert fieldsets.nth(1).get_by_label("不了解").is_checked()
    assert fieldsets.nth(2).get_by_label("满意", exact=True).is_checked()
    assert phone.locator(f"#t_{texts[0].pk}").input_value() == "希望增加自助填表机"
    last = fieldsets.nth(3)
    assert "请回答" in last.locator(".field-error").inner_text()
    assert phone.locator(".field-error").count() == 1
    _fits(phone)
    last.get_by_label("基本满意").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交").click()
    assert "感谢您参与" in phone.content()
    assert AnswerSheet.objects.count() == 1


def test_dissatisfied_call_back_goes_to_a_second_round(world, post, new_page, logged_in):
    from vanguard.ratings import cases

    rating = rate(import_one(world), 1)
    case = cases.verify_case(world.handler, rating.case, verification="属实")
    case = cases.rectify_case(world.handler, case, rectification="批评教育")
    page = logged_in(new_page(), world.handler)
    page.goto(reverse("ratings:case", args=[case.pk]))
    page.select_option("select[name=result]", "dissatisfied")
    page.fill("textarea[name=text]", "仍未解决")
    with page.expect_navigation():
        page.get_by_role("button", name="登记回访结果").click()
    assert "第 2 轮（重办）" in page.locator("h1").inner_text()
    timeline = page.locator("#case-timeline").inner_text()
    assert "重办" in timeline and "仍不满意" in timeline
    assert RectificationCase.objects.get(pk=case.pk).round == 2
