"""Document circulation on a phone: a member opens the circulated document on a
390x844 screen, signs it, and the office sees the branch's coverage change."""

import pytest
from django.urls import reverse

from tests.messaging.files import pdf_upload
from vanguard.messaging import services_docs as docs
from vanguard.messaging.models import CircularSignature

from .conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def circular(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    c = docs.upload_circular(world.office, world.centre, title="关于深入学习党章的通知", issuer="区委组织部",
                             number="区组通〔2026〕12号", file=pdf_upload())
    return docs.circulate(world.office, c, [world.branch1])


def coverage_cell(page, branch):
    return page.locator(f"#coverage tr[data-branch='{branch.pk}'] .percent").inner_text().strip()


def test_member_signs_on_a_phone_and_coverage_changes(world, new_page, logged_in, circular, tmp_path):
    office = logged_in(new_page(), world.office)
    office.goto(reverse("messaging:circular-detail", args=[circular.pk]))
    assert coverage_cell(office, world.branch1) == "0%"

    phone = logged_in(new_page(viewport=PHONE), world.member)
    phone.goto(reverse("messaging:home"))
    phone.get_by_role("link", name="区组通〔2026〕12号 关于深入学习党章的通知").first.click()
    phone.wait_for_url(f"**{reverse('messaging:circular-detail', args=[circular.pk])}")
    # The document itself opens (served by the access-checked view).
    response = phone.request.get(reverse("messaging:circular-file", args=[circular.pk]))
    assert response.ok and response.body().startswith(b"%PDF-")
    button = phone.locator("#sign-button")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40  # thumb-sized, on screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with phone.expect_navigation():
        button.click()
    phone.locator("#signed-badge").wait_for()
    assert "签阅" in phone.locator("#signed-badge").inner_text()
    phone.screenshot(path=str(tmp_path / "signed-phone.png"), full_page=True)
    assert CircularSignature.objects.filter(circular=circular, person=world.member_person).exists()

    office.reload()
    assert coverage_cell(office, world.branch1) == "33%"
    signed = office.locator(f"#coverage tr[data-branch='{world.branch1.pk}'] .signed").inner_text().strip()
    assert signed == "1"
