"""Long ratings lists page on the server and keep their search on every page."""

import re

import pytest
from django.urls import reverse

from vanguard.core.paginators import CappedPaginator

from .conftest import import_one

pytestmark = pytest.mark.django_db


def test_transaction_search_keeps_q_on_page_two(world, login, post):
    for i in range(55):
        import_one(world, number=f"Q{i:03d}")
    import_one(world, number="OTHER1")
    client = login(world.office)
    page1 = client.get(reverse("ratings:transactions"), {"q": "Q0"}).content.decode()
    assert "q=Q0&amp;page=2" in page1 or "page=2&amp;q=Q0" in page1
    page2 = client.get(reverse("ratings:transactions"), {"q": "Q0", "page": 2}).content.decode()
    assert re.search(r"Q0\d\d", page2) and "OTHER1" not in page2


def test_transaction_count_is_capped(world, login, post, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for i in range(4):
        import_one(world, number=f"C{i:03d}")
    page = login(world.office).get(reverse("ratings:transactions")).content.decode()
    assert "1 / 1+" in page
