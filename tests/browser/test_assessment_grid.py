"""The office enters scores in the keyboard grid (saved as it goes), publishes the
month and finds the star member on the floor's public honour board."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.assessment.conftest import fill, make_scheme
from vanguard.assessment import services
from vanguard.assessment.models import Score

pytestmark = pytest.mark.browser


def test_grid_publish_board(world, page, logged_in):
    scheme = make_scheme(world)
    period = services.open_period(world.office, world.centre, "2026-10")
    b1 = world.branch1_members
    # Everyone scored in full, except that the grid decides who leads branch 1.
    fill(world, period, b1 + world.branch2_members, off={b1[2].pk: Decimal("1")})
    p01, p02 = scheme.indicators.get(code="P01"), scheme.indicators.get(code="P02")
    secretary_p01 = f"input[name='s-{world.secretary_person.pk}-{p01.pk}']"
    secretary_p02 = f"input[name='s-{world.secretary_person.pk}-{p02.pk}']"

    logged_in(page, world.office)
    page.goto(reverse("assessment:grid", args=[period.pk]) + f"?part=party&group=branch-{world.branch1.pk}")
    cell = page.locator(secretary_p01)
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("ArrowRight")  # whole text selected: moves to the next indicator, saving this cell
    assert page.evaluate("document.activeElement.name") == f"s-{world.secretary_person.pk}-{p02.pk}"
    page.wait_for_selector(f"{secretary_p01}.is-valid")
    # Over the maximum: marked at once, refused by the server in Chinese, nothing saved.
    page.keyboard.type("9")
    page.keyboard.press("Enter")  # moves down, never submits the form
    page.wait_for_selector(f"{secretary_p02}.is-invalid")
    assert "满分" in page.locator(".vg-cell-error").first.inner_text()
    assert Score.objects.get(person=world.secretary_person, indicator=p01).points == Decimal("3")
    assert Score.objects.get(person=world.secretary_person, indicator=p02).points == p02.maximum

    page.goto(reverse("assessment:period", args=[period.pk]))
    with page.expect_navigation():
        page.click("#publish")  # the confirmation page: what publishing will do
    assert "5" in page.locator("#step-preview").inner_text() and not page.locator("#unscored").count()
    with page.expect_navigation():
        page.click("#confirm-step")
    assert page.locator("#period-status").inner_text().strip() == "公示中"

    page.goto(reverse("assessment:board", args=[world.floor1.pk]) + "?screen=1")
    stars = page.locator("#board-stars").inner_text()
    assert world.member_person.name in stars  # 李党员: full marks in branch 1
    assert world.secretary_person.name not in stars and b1[2].name not in stars
    board2 = page.goto(reverse("assessment:board", args=[world.floor2.pk]))
    assert board2.ok and world.branch2_members[0].name in page.locator("#board-stars").inner_text()
