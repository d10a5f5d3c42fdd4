"""A phone (390x844) scans a post's QR code and sees its signboard in Chinese."""

import urllib.request

import pytest

from tests.posts.conftest import PLEDGES, decode_qr, make_post
from vanguard.posts import services

pytestmark = pytest.mark.browser


@pytest.fixture
def disclosed_post(world, live_server, settings):
    # The QR encodes the public base URL; here that is the live server.
    settings.PUBLIC_BASE_URL = live_server.url
    return services.disclose_post(world.office, make_post(world))


def test_phone_opens_the_qr_url_and_sees_the_signboard(disclosed_post, live_server, phone_page):
    post = disclosed_post
    with urllib.request.urlopen(f"{live_server.url}/p/{post.code}/qr.png") as response:  # noqa: S310 (loopback)
        [url] = decode_qr(response.read())
    assert url == f"{live_server.url}/p/{post.code}/"

    page = phone_page
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "A01企业开办先锋岗"
    assert page.locator(".pub-brand").inner_text() == "共产党员先锋岗"
    body = page.locator("body").inner_text()
    for text in ("服务范围", "服务承诺", "投诉电话", "李党员", "党员", *PLEDGES.values()):
        assert text in body, text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Large type for older users: the same signboard, bigger letters.
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click(".pub-large")
    page.wait_for_url("**large=1")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > normal
    assert page.locator("h1").inner_text() == "A01企业开办先锋岗"
