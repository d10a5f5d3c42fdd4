"""Meeting sign-in on a phone: the secretary shows the meeting's QR code; a member opens its
link on a 390 px phone, logs in, signs in with one thumb-sized button, and the secretary's
count goes up. The code is the meeting's current one (it rotates)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.life import services
from vanguard.life.models import Attendance, MeetingKind, SignIn

from .conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def meeting(world):
    now = timezone.now()
    return services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.THEME_DAY, topic="重温入党誓词",
                                 starts_at=now - datetime.timedelta(minutes=10),
                                 ends_at=now + datetime.timedelta(hours=1), place="党员活动室")


def test_member_signs_in_by_the_qr_link_on_a_phone(world, new_page, logged_in, password, meeting, tmp_path):
    screen = logged_in(new_page(), world.secretary)
    screen.goto(reverse("life:meeting-qr", args=[meeting.pk]))
    image = screen.locator("#qr img")
    image.wait_for()
    assert screen.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    link = screen.locator("#signin-link").get_attribute("href")
    assert f"/life/meetings/{meeting.pk}/sign-in/?c=" in link
    assert "应到3人，已签到0人" in screen.locator("#qr").inner_text()

    phone = new_page(viewport=PHONE)
    phone.goto(link)  # what the camera opens: first the login form, then back to the sign-in page
    phone.fill("input[name=username]", world.member.username)
    phone.fill("input[name=password]", password)
    with phone.expect_navigation():
        phone.click("form button[type=submit]")
    assert f"/life/meetings/{meeting.pk}/sign-in/" in phone.url
    button = phone.locator("#signin-button")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44  # thumb-sized, on screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with phone.expect_navigation():
        button.click()
    result = phone.locator("#signin-result")
    result.wait_for()
    assert "签到成功" in result.inner_text()
    phone.screenshot(path=str(tmp_path / "signed-in-phone.png"), full_page=True)
    row = Attendance.objects.get(meeting=meeting, person=world.member_person)
    assert row.status == Attendance.Status.PRESENT and row.method == Attendance.Method.QR

    # The same link again (a second tap, another phone of the member): one sign-in stays stored.
    phone.goto(link)
    with phone.expect_navigation():
        phone.locator("#signin-button").click()
    assert "您已签到" in phone.locator("#signin-result").inner_text()
    assert SignIn.objects.filter(meeting=meeting).count() == 1

    screen.reload()
    assert "应到3人，已签到1人" in screen.locator("#qr").inner_text()
