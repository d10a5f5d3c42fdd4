"""On a 390 px phone: a member makes a pledge, the secretary approves it, it shows on the branch's
public wall and the member's post signboard, progress is recorded, and the year-end judgement
changes the figures."""

import datetime

import pytest
from django.utils import timezone

from tests.posts.conftest import make_post
from vanguard.pledges.models import Pledge
from vanguard.posts import services as post_services

from .conftest import PHONE

pytestmark = pytest.mark.browser


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_pledge_cycle_on_a_phone(world, new_page, logged_in):
    post = post_services.disclose_post(world.office, make_post(world))
    year = timezone.localdate().year

    # The member makes a pledge on the phone.
    member = logged_in(new_page(viewport=PHONE), world.member)
    member.goto("/pledges/")
    fits(member)
    member.click("#make-pledge")
    fits(member)
    member.fill("textarea[name=what]", "每月为企业上门帮办一次")
    member.fill("input[name=deadline]", datetime.date(year, 12, 31).isoformat())
    member.fill("input[name=measure]", "全年上门帮办不少于12次")
    with member.expect_navigation():
        member.click("form button.btn-primary")
    pledge = Pledge.objects.get()
    assert "待审核" in member.locator("#pledge-status").inner_text()
    fits(member)

    # The secretary approves it on the phone.
    secretary = logged_in(new_page(viewport=PHONE), world.secretary)
    secretary.goto(f"/pledges/{pledge.pk}/")
    secretary.check("#review-form input[value=approve]")
    with secretary.expect_navigation():
        secretary.click("#review-form button")
    assert "已批准" in secretary.locator("#pledge-status").inner_text()
    fits(secretary)

    # The public sees it on the branch's wall and on the member's signboard.
    public = new_page(viewport=PHONE)
    public.goto(f"/w/{world.branch1.pk}/")
    assert "每月为企业上门帮办一次" in public.content()
    fits(public)
    public.goto(f"/p/{post.code}/")
    assert "每月为企业上门帮办一次" in public.locator("#member-pledges").inner_text()
    fits(public)

    # The member records progress.
    member.goto(f"/pledges/{pledge.pk}/")
    member.fill("#progress-form textarea[name=text]", "一季度上门帮办3次")
    with member.expect_navigation():
        member.click("#progress-form button")
    assert "一季度上门帮办3次" in member.content()
    fits(member)

    # The office's figures before and after the year-end judgement.
    office = logged_in(new_page(viewport=PHONE), world.office)
    office.goto(f"/pledges/figures/?year={year}")
    assert "1名党员作出承诺，承诺事项1件，已兑现承诺0件" in office.locator("#harbin-shape").inner_text()
    secretary.goto(f"/pledges/{pledge.pk}/")
    secretary.select_option("#judge-form select[name=stage]", "year_end")
    secretary.select_option("#judge-form select[name=result]", "kept")
    secretary.fill("#judge-form textarea[name=reason]", "全年上门帮办14次，群众满意")
    with secretary.expect_navigation():
        secretary.click("#judge-form button")
    assert "已兑现" in secretary.locator("#pledge-result").inner_text()
    office.goto(f"/pledges/figures/?year={year}")
    assert "1名党员作出承诺，承诺事项1件，已兑现承诺1件" in office.locator("#harbin-shape").inner_text()
    assert "100.0%" in office.locator("#figures").inner_text()
    fits(office)
