"""The harness's guard works: a page asking another host is caught (and never reaches it)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_a_request_to_another_host_is_caught_and_blocked(new_page):
    # The CSP would refuse the request before it is made; the harness's own guard is tested without it.
    page = new_page(bypass_csp=True)
    page.goto(reverse("login"))
    outcome = page.evaluate("fetch('http://203.0.113.7/track.js').then(() => 'reached', () => 'blocked')")
    assert outcome == "blocked"
    assert page.watch.foreign_requests == ["http://203.0.113.7/track.js"]
    assert page.watch.problems() == ["request to a host other than the server: http://203.0.113.7/track.js"]
    page.watch.foreign_requests.clear()  # expected here; any other would fail the test at teardown


def test_a_javascript_error_is_caught(page):
    page.goto(reverse("login"))
    with page.expect_event("pageerror"):
        page.evaluate("setTimeout(() => { throw new Error('boom') }, 0)")
    assert any("boom" in e for e in page.watch.page_errors)
    page.watch.page_errors.clear()


def test_what_the_csp_refuses_is_caught(page):
    page.goto(reverse("login"))
    outcome = page.evaluate("fetch('http://203.0.113.7/track.js').then(() => 'reached', () => 'blocked')")
    assert outcome == "blocked"
    page.wait_for_timeout(200)
    assert page.watch.csp_violations and not page.watch.foreign_requests
    page.watch.csp_violations.clear()
