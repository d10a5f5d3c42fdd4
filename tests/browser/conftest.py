"""Browser tests: Python Playwright driving Debian's chromium against pytest-django's
live_server. Every page a test opens is watched: a request to any host other than
the live server (the product runs on intranets with no internet) or a JavaScript
error fails the test.

Run them with `make test-browser` or `python -m pytest -m browser tests/browser`."""

import os
import shutil
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM
# calls from it (SynchronousOnlyOperation) unless told this thread is safe, which it
# is: the test code and the event loop never run at the same time.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("VANGUARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"chromium not found at {CHROMIUM}: run scripts/install-system-deps.sh"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it; missing there is a broken machine
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip('Playwright is not installed: pip install -e ".[test]"')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class PageWatch:
    """What a page did that a test must not allow."""

    def __init__(self, allowed_netloc):
        self.allowed_netloc = allowed_netloc
        self.foreign_requests = []
        self.page_errors = []
        self.csp_violations = []

    def on_console(self, message):
        # Chromium reports what the Content-Security-Policy refused on the console.
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.allowed_netloc:
            self.foreign_requests.append(request.url)

    def problems(self):
        found = [f"request to a host other than the server: {url}" for url in self.foreign_requests]
        found += [f"JavaScript error: {error}" for error in self.page_errors]
        found += [f"refused by the CSP: {text}" for text in self.csp_violations]
        return found


@pytest.fixture
def new_page(browser, live_server):
    """new_page(viewport=None, locale="zh-CN", bypass_csp=False) -> a fresh page (own cookies) on the live server.
    At teardown the test fails if any page asked another host, raised a JS error or
    had something refused by the Content-Security-Policy."""
    netloc = urlsplit(live_server.url).netloc
    contexts, watches = [], []

    def _new_page(viewport=None, locale="zh-CN", bypass_csp=False):
        options = {"locale": locale, "base_url": live_server.url, "service_workers": "block",
                   "bypass_csp": bypass_csp}
        if viewport:
            options.update(viewport=viewport, is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        watch = PageWatch(netloc)
        context.on("request", watch.on_request)
        # Never let a foreign request leave the machine (and wait on a network that is not there).
        context.route(lambda url: urlsplit(url).netloc not in ("", netloc), lambda route: route.abort())
        page = context.new_page()
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.on("console", watch.on_console)
        page.watch = watch  # for the harness's own test
        contexts.append(context)
        watches.append(watch)
        return page

    yield _new_page
    for context in contexts:
        context.close()
    problems = [p for watch in watches for p in watch.problems()]
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE)


def log_in(page, username, password):
    """Log in through the real login form, as a person would."""
    from django.urls import reverse

    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    return page


@pytest.fixture
def logged_in(world, password):
    """logged_in(page, user) -> the page, logged in as that world user through the form."""

    def _logged_in(page, user):
        log_in(page, user.username, password)
        assert "/accounts/login/" not in page.url, f"login as {user.username} failed: still on {page.url}"
        return page

    return _logged_in
