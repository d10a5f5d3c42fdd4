"""A scorer overrides a computed cell of the grid from the keyboard: the cell's "override" makes
its box on demand (the page carries none), labelled by the cell's column and row, with how the
rule read the records (the grid with the box open passes axe's WCAG 2.1 AA rules); the browser asks for the reason, the server refuses points without one
and opens the box again with what was posted, and with the reason the cell is overridden."""

import re

import pytest
from django.urls import reverse

from tests.assessment.test_automatic import make_scheme, this_month
from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG21AA
from tests.ratings.conftest import import_one, rate
from vanguard.assessment import auto, services
from vanguard.assessment.models import Cell

pytestmark = pytest.mark.browser


def test_scorer_overrides_a_computed_cell_through_its_box(world, page, logged_in):
    make_scheme(world)
    month = services.start_scoring(world.office, services.open_period(world.office, world.centre, this_month()))
    member = world.member_person
    rate(import_one(world), level=1)  # one bad review: W14 computes 2 of 3
    auto.compute_month(month)
    w14 = month.scheme.indicators.get(code="W14")
    assert Cell.objects.get(period=month, person=member, indicator=w14).points == 2
    td = f"tr[data-person='{member.pk}'] td:nth-child({_column(month, w14) + 2})"

    page.context.add_init_script(path=str(AXE))
    logged_in(page, world.scorer)
    page.goto(reverse("assessment:grid", args=[month.pk]) + "?part=work")
    assert page.locator(".vg-override").count() == 0  # no box until one is asked for
    button = page.locator(f"{td} button.vg-ov")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    points = page.get_by_role("textbox", name=re.compile(f"改为的分值.*W14.*{member.name}"))
    reason = page.get_by_role("textbox", name=re.compile(f"改分原因.*W14.*{member.name}"))
    assert page.evaluate("document.activeElement.name") == f"s-{member.pk}-{w14.pk}"
    assert points.get_attribute("placeholder") == "2" and button.get_attribute("aria-expanded") == "true"
    # How the rule read the records, from the records page the points link to.
    page.locator(f"{td} .vg-override-why", has_text="差评 1").wait_for()
    # The grid with the box open meets WCAG 2.1 AA (axe: no serious or critical violation).
    serious = [v for v in page.evaluate(RUN_AXE, WCAG21AA) if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    # Escape closes the box (its fields are then not sent) and gives the focus back; Enter opens it again.
    page.keyboard.press("Escape")
    assert page.locator(f"{td} .vg-override").is_hidden()
    assert page.locator(f"[name='s-{member.pk}-{w14.pk}']").is_disabled()
    assert page.evaluate("document.activeElement.classList.contains('vg-ov')")
    page.keyboard.press("Enter")
    assert points.is_enabled()
    page.keyboard.type("1")
    # Other points than the computed ones: the browser asks for the reason before sending anything.
    assert page.evaluate(f"document.querySelector(\"[name='n-{member.pk}-{w14.pk}']\").validity.valueMissing")
    page.keyboard.press("Enter")
    assert Cell.objects.get(period=month, person=member, indicator=w14).computed
    # A browser that skips the check: the service refuses, the page opens the box again with the points.
    page.evaluate(f"document.querySelector(\"[name='n-{member.pk}-{w14.pk}']\").required = false")
    with page.expect_navigation():
        page.locator(f"{td} .vg-override button[type=submit]").click()
    assert "原因" in page.locator(".alert-danger").inner_text()
    assert Cell.objects.get(period=month, person=member, indicator=w14).computed
    assert page.input_value(f"[name='s-{member.pk}-{w14.pk}']") == "1"
    reason.fill("当面核实：该差评系误评")
    with page.expect_navigation():
        reason.press("Enter")
    score = Cell.objects.get(period=month, person=member, indicator=w14)
    assert (score.points, score.computed, score.override_reason) == (1, False, "当面核实：该差评系误评")
    assert page.locator(f"{td} .badge").inner_text() == "已改分"
    # The overridden cell's box opens with its reason and the computed points as the placeholder.
    page.locator(f"{td} button.vg-ov").click()
    assert reason.input_value() == "当面核实：该差评系误评" and points.get_attribute("placeholder") == "2"


def _column(month, indicator):
    return [i.pk for i in month.scheme.indicators.filter(part=indicator.part)].index(indicator.pk)
