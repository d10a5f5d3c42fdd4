"""Logging in through the real form, in the browser, in Chinese."""

import re

import pytest
from django.urls import reverse

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_office_logs_in_with_the_real_form(world, page, logged_in, live_server):
    logged_in(page, world.office)
    assert page.url == live_server.url + reverse("home")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    # The account menu shows who is logged in, and the session cookie is HttpOnly.
    assert page.locator(".vg-navbar .dropdown-toggle").inner_text().strip() == "office"
    session = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert session and session[0]["httpOnly"]


def test_wrong_password_shows_a_chinese_error(world, page):
    log_in(page, "office", "not-the-password")
    assert "/accounts/login/" in page.url
    error = page.locator("form .alert-danger")
    error.wait_for()
    text = error.inner_text()
    assert re.search(r"[\u4e00-\u9fff]", text), f"the error is not Chinese: {text!r}"
    assert "密码" in text
    assert "password" not in text.lower()
    # Still a login form, with the username kept and the password not.
    assert page.input_value("input[name=username]") == "office"
    assert page.input_value("input[name=password]") == ""


def test_log_out_returns_to_the_login_page(world, page, logged_in, live_server):
    logged_in(page, world.member)
    page.locator(".vg-navbar .dropdown-toggle").click()
    with page.expect_navigation():
        page.locator(".vg-navbar form[action$='/accounts/logout/'] button").click()
    assert page.url.startswith(live_server.url + reverse("login"))
    page.goto(reverse("home"))
    assert "/accounts/login/" in page.url
