"""Accessible public and member pages: axe-core's WCAG 2.1 AA rules find no serious
or critical violation, and at 200% text size (适老化) the main public pages do not
scroll sideways on a phone.

axe-core is a test asset, vendored under tests/browser/vendor/ (version in
vanguard/static/vendor/VERSIONS.md). It is injected as an init script through the
browser's debugging protocol, so the pages' Content-Security-Policy is untouched."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.posts.conftest import make_post
from tests.ratings.conftest import import_one
from vanguard.posts import services as post_services

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + n.failureSummary.slice(0, 200))}));
}"""


def violations(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate(RUN_AXE, WCAG21AA)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def axe_page(new_page, **options):
    page = new_page(**options)
    page.context.add_init_script(path=str(AXE))
    return page


@pytest.fixture
def public_post(world):
    post = post_services.disclose_post(world.office, make_post(world))
    import_one(world)  # a transaction at its window: the rating page has something to rate
    return post


def test_public_pages_pass_wcag21_aa(public_post, new_page):
    page = axe_page(new_page, viewport={"width": 390, "height": 844})
    urls = [reverse("posts:signboard", args=[public_post.code]), reverse("ratings:rate-post", args=[public_post.code]),
            reverse("posts:named-list"), reverse("login")]
    problems = {url: found for url in urls if (found := violations(page, url))}
    assert not problems, problems


def test_member_pages_pass_wcag21_aa(world, new_page, logged_in):
    page = logged_in(axe_page(new_page), world.member)
    urls = [reverse("home"), reverse("assessment:mine"), reverse("messaging:circular-list"),
            reverse("org:person-detail", args=[world.member_person.pk])]
    problems = {url: found for url in urls if (found := violations(page, url))}
    assert not problems, problems


def test_public_pages_fit_a_phone_at_200_percent_text(public_post, new_page):
    """Older citizens enlarge the text: nothing may then run off the side of the screen."""
    page = new_page(viewport={"width": 390, "height": 844})
    for url in (reverse("posts:signboard", args=[public_post.code]),
                reverse("ratings:rate-post", args=[public_post.code]), reverse("posts:named-list")):
        page.goto(url)
        # Text zoom (not page zoom), as the browser's font-size setting does: the root font size
        # doubles, the viewport stays 390 px wide. Set through the CSSOM, which CSP allows.
        page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        page.wait_for_timeout(100)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url}: {width}px wide at 200% text"


def test_member_pages_fit_a_phone(world, new_page, logged_in):
    page = logged_in(new_page(viewport={"width": 390, "height": 844}), world.member)
    for url in (reverse("home"), reverse("assessment:mine"), reverse("messaging:circular-list"),
                reverse("messaging:home"), reverse("org:person-detail", args=[world.member_person.pk])):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url}: {width}px wide on a 390 px phone"
