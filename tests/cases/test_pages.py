"""Pages: the public form and tracking page (no names or mobiles, ever), the staff list,
a case's page and its actions for the office, the unit's handler, a member and the
outsider; the comment-to-case button; query counts of the list."""

import re

import pytest
from django.urls import reverse

from vanguard.cases import services, verification
from vanguard.cases.models import Case, MobileCheck

from .conftest import complaint, photo


def _number(response):
    return re.search(r"/c/([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})/", response["Location"]).group(1)


def test_the_signboard_has_the_complaint_button(client, world, post):
    page = client.get(post.public_path)
    assert reverse("cases:file-post", args=[post.code]) in page.content.decode()


def test_filing_anonymously_from_a_signboard_and_tracking_it(client, world, post):
    url = reverse("cases:file-post", args=[post.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "complaint", "content": "等了一个小时没人叫号，电话13812345678",
                                 "contact": "anonymous", "action": "submit", "photos": [photo()]})
    assert response.status_code == 302
    number = _number(response)
    case = Case.objects.get(number=number)
    assert (case.post, case.unit, case.anonymous, case.status) == (post, world.home_unit, True, "dispatched")
    assert case.attachments.count() == 1
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and number in text and "13812345678" not in text
    assert "等了一个小时没人叫号" in text
    # The tracking number can be typed loosely.
    found = client.get(reverse("cases:lookup"), {"number": number.lower().replace("-", " ")})
    assert found.status_code == 302 and found["Location"].endswith(f"/c/{number}/")


def test_filing_with_a_verified_mobile_and_the_public_page_hides_it(client, world, post, monkeypatch):
    sent = {}
    real_send = verification.send_code

    def keep(mobile, **kw):
        check = real_send(mobile, **kw)
        sent["code"] = check.code_for_tests
        return check

    monkeypatch.setattr(verification, "send_code", keep)
    url = reverse("cases:file-post", args=[post.code])
    data = {"kind": "help", "content": "想咨询营业执照变更", "contact": "mobile", "contact_name": "刘女士",
            "contact_mobile": "13912345678"}
    response = client.post(url, {**data, "action": "send"})
    assert response.status_code == 200 and "code-sent" in response.content.decode()
    wrong = client.post(url, {**data, "action": "submit", "code": "999999" if sent["code"] != "999999" else "111111"})
    assert wrong.status_code == 400 and not Case.objects.exists()
    response = client.post(url, {**data, "action": "submit", "code": sent["code"]})
    case = Case.objects.get(number=_number(response))
    assert case.contact_mobile == "13912345678" and case.mobile_verified and case.contact_name == "刘女士"
    text = client.get(response["Location"]).content.decode()
    assert "13912345678" not in text and "刘女士" not in text and "139****5678" not in text


def test_the_public_form_refuses_bad_input_in_chinese(client, world, post):
    url = reverse("cases:file-post", args=[post.code])
    response = client.post(url, {"kind": "complaint", "content": "", "contact": "anonymous", "action": "submit"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "请填写诉求内容" in response.content.decode()
    response = client.post(url, {"kind": "complaint", "content": "x", "contact": "anonymous", "action": "submit",
                                 "photos": [photo("a.png", b"GIF89a not accepted")]})
    assert response.status_code == 400
    response = client.post(url, {"kind": "complaint", "content": "x", "contact": "mobile",
                                 "contact_mobile": "13912345678", "code": "123456", "action": "submit"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_public_form_is_rate_limited(client, world, post, settings):
    settings.RATE_LIMITS = {"case": (2, 600)}
    url = reverse("cases:file-post", args=[post.code])
    for _i in range(2):
        client.post(url, {"kind": "complaint", "content": "", "action": "submit"})
    assert client.post(url, {"kind": "complaint", "content": "y", "action": "submit"}).status_code == 429


def test_unknown_numbers_and_codes(client, world):
    assert client.get("/c/AAAA-BBBB-CCCC/").status_code == 404
    assert client.get(reverse("cases:lookup"), {"number": "nonsense"}).status_code == 400
    assert client.get("/c/p/ZZZZZZZ/").status_code == 404


def test_the_case_list_by_role(login, world, post, django_assert_max_num_queries):
    for _i in range(5):
        complaint(world, post=post)
    other = complaint(world, unit=world.home_unit2)
    elsewhere = services.intake_case(None, centre=world.other_centre, kind="complaint", content="别处",
                                     source="signboard")
    for user, seen in ((world.office, 6), (world.handler, 5), (world.admin, 7)):
        client = login(user)
        with django_assert_max_num_queries(14):
            page = client.get(reverse("cases:home"), {"status": "open"})
        assert page.status_code == 200
        assert page.content.decode().count("/cases/") - page.content.decode().count("/cases/new") >= seen
        assert (other.number in page.content.decode()) == (user != world.handler)
        assert (elsewhere.number in page.content.decode()) == (user == world.admin)
    for user in (world.member, world.secretary):
        assert login(user).get(reverse("cases:home")).status_code == 403


def test_a_case_page_owner_member_outsider(login, world, post):
    case = complaint(world, post=post, contact_name="刘女士", contact_mobile="13912345678")
    url = reverse("cases:case", args=[case.pk])
    assert "13912345678" in login(world.office).get(url).content.decode()
    assert "13912345678" in login(world.handler).get(url).content.decode()
    liaison = login(world.liaison).get(url)
    assert liaison.status_code == 200 and "13912345678" not in liaison.content.decode()
    for user in (world.member, world.outsider, world.scorer):
        assert login(user).get(url).status_code == 404


def test_actions_through_the_page(login, world, post):
    case = complaint(world, post=post)
    url = reverse("cases:case", args=[case.pk])
    handler = login(world.handler)
    handler.post(url, {"action": "accept"})
    assert Case.objects.get(pk=case.pk).status == "accepted"
    handler.post(url, {"action": "answer", "answer": "已整改", "upheld": "no"})
    assert Case.objects.get(pk=case.pk).status == "closed"  # anonymous: closes with the answer
    # The outsider cannot even find it; the liaison may read but not act.
    assert login(world.outsider).post(url, {"action": "close", "note": "x"}).status_code == 404
    case2 = complaint(world, post=post)
    response = login(world.liaison).post(reverse("cases:case", args=[case2.pk]), {"action": "accept"})
    assert response.status_code == 403 and Case.objects.get(pk=case2.pk).status == "dispatched"


def test_entering_a_call(login, world, post):
    client = login(world.handler)
    response = client.post(reverse("cases:enter"), {
        "kind": "complaint", "source": "phone", "content": "来电反映窗口午休提前", "source_ref": "12345-77",
        "post": post.pk, "contact_mobile": "13912345671"})
    assert response.status_code == 302
    case = Case.objects.get(source_ref="12345-77")
    assert case.unit == world.home_unit and case.contact_mobile == "13912345671" and case.created_by == world.handler
    response = client.post(reverse("cases:enter"), {"kind": "complaint", "source": "phone", "content": ""})
    assert response.status_code == 400
    assert login(world.member).get(reverse("cases:enter")).status_code == 403


def test_a_rating_comment_becomes_a_case_with_one_click(login, world, post):
    from tests.ratings.conftest import import_one, rate

    rating = rate(import_one(world, rater_phone="13912345670"), 1, comment="态度差，让我跑了三趟")
    client = login(world.office)
    detail = client.get(reverse("ratings:transaction", args=[rating.transaction.pk])).content.decode()
    assert reverse("cases:from-rating", args=[rating.pk]) in detail
    response = client.post(reverse("cases:from-rating", args=[rating.pk]))
    case = Case.objects.get(source="rating_comment")
    assert response.status_code == 302 and case.unit == world.home_unit and case.kind == "complaint"
    assert case.contact_mobile == "13912345670" and case.source_ref == rating.transaction.number
    client.post(reverse("cases:from-rating", args=[rating.pk]))  # twice: still one case
    assert Case.objects.filter(source="rating_comment").count() == 1
    assert login(world.handler).post(reverse("cases:from-rating", args=[rating.pk])).status_code == 403
    assert login(world.outsider).post(reverse("cases:from-rating", args=[rating.pk])).status_code == 404
    comments = login(world.office).get(reverse("cases:comments")).content.decode()
    assert "态度差" in comments and case.number not in comments  # the row links to the case instead


def test_figures_and_rules_pages(login, world, post):
    complaint(world, post=post)
    assert "case-figures" in login(world.office).get(reverse("cases:figures"), {"by": "post"}).content.decode()
    assert login(world.handler).get(reverse("cases:figures")).status_code == 200
    assert login(world.member).get(reverse("cases:figures")).status_code == 403
    office = login(world.office)
    assert office.post(reverse("cases:rules"), {"help_days": 2, "complaint_days": 4, "suggestion_days": 8,
                                                "accept_days": 1, "remind_days": 1, "redo_limit": 2,
                                                "warn_upheld": 2}).status_code == 302
    assert services.rules_for(world.centre).complaint_days == 4
    assert login(world.handler).get(reverse("cases:rules")).status_code == 403


def test_photos_are_served_to_the_unit_and_office_only(login, world, post):
    case = complaint(world, post=post, photos=[photo()])
    item = case.attachments.get()
    url = reverse("cases:attachment", args=[case.pk, item.pk])
    assert login(world.handler).get(url).status_code == 200
    assert login(world.office).get(url).status_code == 200
    assert login(world.liaison).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404


@pytest.mark.parametrize("path", ["/c/new/"])
def test_the_centre_form_without_a_post(client, world, path):
    # Two centres in the world: the form needs ?centre=.
    assert client.get(path).status_code == 404
    assert client.get(path, {"centre": world.centre.code}).status_code == 200
    assert MobileCheck.objects.count() == 0
