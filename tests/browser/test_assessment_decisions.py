"""The office publishes only what was scored (unscored members listed, confirmed, stated on
the notice); a member reads why each point was lost; the office writes next year's scheme
and opens a month with it."""

import io
from decimal import Decimal
from urllib.parse import unquote_plus

import pytest
from django.urls import reverse
from docx import Document

from tests.assessment.conftest import fill, make_scheme
from vanguard.assessment import services
from vanguard.assessment.models import Period, Result, Scheme

pytestmark = pytest.mark.browser


def test_publishing_with_unscored_members_needs_confirmation(world, page, logged_in):
    make_scheme(world)
    period = services.open_period(world.office, world.centre, "2026-10")
    fill(world, period, world.branch1_members)  # branch 2 is never scored

    logged_in(page, world.office)
    page.goto(reverse("assessment:period", args=[period.pk]))
    with page.expect_navigation():
        page.click("#publish")
    listing = page.locator("#unscored").inner_text()
    for person in world.branch2_members:
        assert person.name in listing
    assert world.branch2.name in listing and "党建考核" in listing and "业务考核" in listing
    # The confirmation is required: the browser will not submit without it.
    page.click("#confirm-step")
    assert page.evaluate("document.querySelector('#confirm_unscored').validity.valueMissing")
    period.refresh_from_db()
    assert period.status == Period.Status.OPEN
    page.check("#confirm_unscored")
    with page.expect_navigation():
        page.click("#confirm-step")
    assert page.locator("#period-status").inner_text().strip() == "公示中"
    assert "未考核 2 人" in page.locator(".alert-success, .alert").first.inner_text()
    assert Result.objects.filter(period=period, reason="unassessed").count() == 2

    page.goto(reverse("assessment:results", args=[period.pk]))
    assert "未考核" in page.locator("#unassessed-note").inner_text()
    docx = page.request.get(reverse("assessment:notice-docx", args=[period.pk, world.home_unit2.pk]))
    assert docx.ok and "filename*=utf-8''" in docx.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.body())).paragraphs)
    assert f"{world.home_unit2.name}党组织" in text and "未考核" in text and "确认" in text
    assert world.branch2_members[0].name in text


def test_member_reads_each_lost_point_with_its_note(world, page, new_page, logged_in):
    make_scheme(world)
    period = services.open_period(world.office, world.centre, "2026-10")
    fill(world, period, world.branch1_members + world.branch2_members)
    p01 = period.scheme.indicators.get(code="P01")
    member = world.member_person
    cell = f"input[name='s-{member.pk}-{p01.pk}']"
    note = f"input[name='n-{member.pk}-{p01.pk}']"

    logged_in(page, world.secretary)
    page.goto(reverse("assessment:grid", args=[period.pk]) + "?part=party")
    assert page.locator(note).is_hidden()  # full marks: no note asked for
    page.fill(cell, "3")
    assert page.locator(note).is_visible()  # below full marks: say why
    page.fill(note, "无故缺席支部党员大会一次")  # leaving the cell saved it; the note is kept as typed
    with page.expect_response(lambda r: "grid/cell" in r.url and "无故缺席" in unquote_plus(r.request.post_data or "")):
        page.locator(note).press("Tab")
    page.wait_for_selector(f"{cell}.is-valid")
    assert page.input_value(note) == "无故缺席支部党员大会一次"
    services.publish_period(world.office, period)
    result = Result.objects.get(period=period, person=member)

    member_page = logged_in(new_page(), world.member)
    member_page.goto(reverse("assessment:result", args=[result.pk]))
    lost = member_page.locator("#lost-points").inner_text()
    assert "−2" in lost and "P01" in lost and "无故缺席支部党员大会一次" in lost
    assert world.secretary_person.name in lost


def test_office_writes_a_scheme_version_and_opens_a_month_with_it(world, page, logged_in):
    scheme = make_scheme(world)
    logged_in(page, world.office)
    page.goto(reverse("assessment:scheme", args=[scheme.pk]))
    assert page.locator("#rule-threshold").inner_text().strip() == "150"
    page.fill("#id_valid_from", "2027-01")
    with page.expect_navigation():
        page.click("#scheme-copy")
    draft = Scheme.objects.get(version=2)
    assert page.url.endswith(reverse("assessment:scheme-edit", args=[draft.pk]))
    # A part that no longer sums to 100 is refused in Chinese and what was typed is kept.
    page.fill("#id_threshold", "175")
    page.fill("#id_ind-0-maximum", "8")
    with page.expect_navigation():
        page.click("#scheme-save")
    assert "103" in page.locator("#indicator-errors").inner_text()
    assert page.input_value("#id_threshold") == "175"
    page.fill("#id_ind-0-maximum", "5")
    page.select_option("#id_ind-0-aspect", "party_spirit")
    with page.expect_navigation():
        page.click("#scheme-save")
    assert page.locator("#rule-threshold").inner_text().strip() == "175"
    with page.expect_navigation():
        page.click("#scheme-activate")
    with page.expect_navigation():
        page.click("#confirm-activate")
    assert page.locator("#scheme-status").inner_text().strip() == "已启用"

    page.goto(reverse("assessment:home"))
    page.fill("#id_month", "2027-01")
    with page.expect_navigation():
        page.click("#open-month")
    period = Period.objects.get(centre=world.centre, month="2027-01-01")
    assert period.scheme == draft and period.scheme.threshold == Decimal("175")
    assert f"{draft.name} v2" in page.content()
