import io
import re

import pytest
from django.urls import reverse
from openpyxl import Workbook

from vanguard.ratings import figures, services
from vanguard.ratings.models import Rating, Transaction

from .conftest import import_one, rate


def get(login, user, url):
    return login(user).get(url) if user else None


@pytest.mark.parametrize("who, status", [
    ("office", 200), ("admin", 200), ("handler", 200), ("liaison", 200), ("scorer", 200), ("secretary", 200),
    ("member", 403), ("outsider", 200),
])
def test_figures_page_access(world, login, who, status):
    response = login(getattr(world, who)).get(reverse("ratings:home"))
    assert response.status_code == status


def test_figures_page_anonymous_redirects(client):
    assert client.get(reverse("ratings:home")).status_code == 302


def test_outsider_cannot_read_our_unit(world, login):
    url = reverse("ratings:home") + f"?dimension=unit&key={world.home_unit.pk}"
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.handler).get(url).status_code == 200
    other = reverse("ratings:home") + f"?dimension=unit&key={world.home_unit2.pk}"
    assert login(world.handler).get(other).status_code == 403


def test_figures_page_shows_rate_definition_and_default(world, login, post):
    rate(import_one(world), 5)
    rate(import_one(world), 1)
    figures.fold_all()
    page = login(world.office).get(reverse("ratings:home")).content.decode()
    assert "50.00%" in page and str(figures.DEFINITION) in page and "echarts.min.js" in page


def test_transaction_detail_access_and_rater_data(world, login, txn):
    Transaction.objects.filter(pk=txn.pk).update(rater_name="刘办事", rater_phone="13712345678")
    url = reverse("ratings:transaction", args=[txn.pk])
    handler_page = login(world.handler).get(url).content.decode()
    # The served mobile is masked even for the handler here (the case page gives it for the call-back).
    assert "137****5678" in handler_page and "13712345678" not in handler_page
    assert "/r/" in handler_page and "<svg" in handler_page
    office_page = login(world.office).get(url)
    assert office_page.status_code == 200 and "13712345678" not in office_page.content.decode()
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.member).get(url).status_code == 200  # the member handled it


def test_public_rating_page_no_hints_and_submit(world, client, txn):
    path = services.rating_path(txn)
    page = client.get(path).content.decode()
    assert "checked" not in page and "selected" not in page
    assert len(re.findall(r'name="level"', page)) == 5
    response = client.post(path, {"level": "9"})
    assert response.status_code == 400 and not Rating.objects.exists()
    response = client.post(path, {"level": "4", "score_attitude": "5", "reasons": ["fast"], "comment": "好"})
    assert response.status_code == 200
    rating = Rating.objects.get()
    assert (rating.level, rating.channel, rating.scores, rating.reasons) == (4, "qr", {"attitude": 5}, ["fast"])
    assert client.get(path).status_code == 409
    assert client.post(path, {"level": "5"}).status_code == 409
    assert client.get("/r/not-a-valid-token-at-all/").status_code == 400


def test_post_rate_page(world, client, post):
    rate(import_one(world), 5)
    figures.fold_all()
    page = client.get(reverse("ratings:rate-post", args=[post.code])).content.decode()
    assert "100.00%" in page


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["办件编号", "事项名称", "窗口编号", "经办人", "受理时间"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.name = "t.xlsx"
    out.seek(0)
    return out


def test_excel_upload_all_or_nothing(world, login):
    client = login(world.office)
    url = reverse("ratings:transactions")
    response = client.post(url, {"file": _xlsx([["X1", "登记", "A01", "李党员", "2026-09-30 09:00"],
                                                ["X2", "登记", "Q77", "", "2026-09-30 09:00"]])}, follow=True)
    text = response.content.decode()
    assert "Q77" in text and ("第 3 行" in text or "Row 3" in text)
    assert not Transaction.objects.exists()
    client.post(url, {"file": _xlsx([["X1", "登记", "A01", "李党员", "2026-09-30 09:00"]])})
    assert Transaction.objects.filter(number="X1").exists()
    assert login(world.handler).post(url, {"file": _xlsx([])}).status_code == 403
    assert client.get(reverse("ratings:transaction-template")).status_code == 200


def test_case_pages(world, login, post):
    rating = rate(import_one(world), 1)
    url = reverse("ratings:case", args=[rating.case.pk])
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.member).get(url).status_code == 404
    assert login(world.office).get(url).status_code == 200
    client = login(world.handler)
    client.post(url, {"action": "verify", "text": "属实"})
    rating.case.refresh_from_db()
    assert rating.case.state == "rectifying"
    assert login(world.office).get(reverse("ratings:cases")).status_code == 200
    assert login(world.member).get(reverse("ratings:cases")).status_code == 403


def test_flag_review_page(world, login, post):
    rating = rate(import_one(world), 5, channel="qr", rater_phone=world.member_person.mobile)
    assert rating.flagged
    assert str(services.FLAG_LABELS["staff"]) in login(world.office).get(reverse("ratings:flags")).content.decode()
    url = reverse("ratings:rating-review", args=[rating.pk])
    login(world.handler).post(url, {"action": "set_aside", "reason": "x"})
    rating.refresh_from_db()
    assert not rating.set_aside
    login(world.office).post(url, {"action": "set_aside", "reason": "经办人自评"})
    rating.refresh_from_db()
    assert rating.set_aside
    assert login(world.outsider).post(url, {"action": "keep"}).status_code == 404
