"""The public signboard: /p/<code>/ with its JSON, QR codes and printable PDFs,
and the media list of named posts with its exports. No login anywhere."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from vanguard.org import services as org_services
from vanguard.org.models import Person
from vanguard.posts import services
from vanguard.posts.models import PostKind

from .conftest import PLEDGES, decode_qr, make_post

MOBILE = re.compile(r"1[3-9]\d{9}")


def test_signboard_is_public_and_in_chinese(client, world, posts):
    response = client.get(f"/p/{posts.named.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["共产党员先锋岗", "A01企业开办先锋岗", "李党员", "窗口受理员", "服务承诺", "投诉电话",
                 world.centre.complaint_phone, "XFG-2026-001", "综合受理窗口岗位标准", *PLEDGES.values()]:
        assert text in html, text
    assert 'lang="zh-hans"' in html
    assert "Server-Timing" in response
    # The ratings app's form for this post, and its satisfaction rate this year.
    assert f'href="/r/post/{posts.named.code}/"' in html and 'class="satisfaction"' in html


def test_signboard_shows_no_personal_phone_numbers(client, world, posts):
    for suffix in ("", ".json"):
        body = client.get(f"/p/{posts.named.code}/{suffix}").content.decode()
        assert not MOBILE.search(body), suffix
        assert world.member_person.mobile not in body


def test_code_is_case_insensitive_and_unknown_or_unpublished_is_404(client, posts):
    assert client.get(f"/p/{posts.named.code.lower()}/").status_code == 200
    assert client.get(f"/p/{posts.draft.code}/").status_code == 404
    assert client.get("/p/ZZZZZZZ/").status_code == 404


def test_revoked_post_is_no_longer_public(client, world, posts):
    services.revoke_post(world.office, posts.named, reason="两次测评不合格")
    for suffix in (".json", "qr.png", "signboard.pdf"):
        assert client.get(f"/p/{posts.named.code}/{suffix}").status_code == 404
    # The printed address itself says publicly that the post was revoked (410 Gone), not a bare 404.
    response = client.get(f"/p/{posts.named.code}/")
    assert response.status_code == 410 and "撤销" in response.content.decode()
    assert posts.named.name in response.content.decode() and "两次测评不合格" not in response.content.decode()


def test_large_type_mode(client, posts):
    html = client.get(f"/p/{posts.named.code}/?large=1").content.decode()
    assert 'class="large"' in html
    assert 'class="large"' not in client.get(f"/p/{posts.named.code}/").content.decode()


def test_page_is_small_and_uses_no_framework(client, posts):
    html = client.get(f"/p/{posts.named.code}/").content.decode()
    assert len(html.encode()) < 20_000
    assert "bootstrap" not in html and "<script" not in html
    assert "css/public.css" in html
    for img in re.findall(r"<img [^>]*>", html):
        assert "width=" in img and "height=" in img


def test_change_shows_at_once(client, world, posts):
    client.get(f"/p/{posts.named.code}/")
    services.update_post(world.office, posts.named, name="改过名的先锋岗")
    assert "改过名的先锋岗" in client.get(f"/p/{posts.named.code}/").content.decode()


def test_query_count_does_not_grow_with_holders(client, world, posts, django_assert_max_num_queries):
    few = posts.disclosed  # two holders
    many_people = [org_services.create_person(world.admin, world.centre, name=f"党员{i}",
                                              political_status=Person.Status.FULL, branch=world.branch1,
                                              joined_party_on="2020-01-01", job="受理员") for i in range(8)]
    many = services.disclose_post(world.office, make_post(world, name="大团队岗", kind=PostKind.TEAM,
                                                          holders=many_people))
    counts = []
    for post in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/p/{post.code}/").status_code == 200
        counts.append(len(ctx))
        with CaptureQueriesContext(connection) as cached:
            assert client.get(f"/p/{post.code}/").status_code == 200
        counts.append(len(cached))
    # Uncached: the post's version, the post (with the rotating medals its window holds), its holders
    # and this year's satisfaction rate; cached: the version only.
    assert counts == [4, 1, 4, 1], counts


def test_json_has_only_what_the_page_shows(client, world, posts):
    response = client.get(f"/p/{posts.named.code}/.json")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "A01企业开办先锋岗"
    assert [p["text"] for p in data["pledges"]] == list(PLEDGES.values())
    assert data["named"]["certificate_number"] == "XFG-2026-001"
    assert {h["name"] for h in data["holders"]} == {"李党员", "王书记"}
    assert set(data["holders"][0]) == {"name", "position", "party_member", "photo"}
    assert "mobile" not in response.content.decode()
    assert data["url"].endswith(f"/p/{posts.named.code}/")


def test_qr_codes_decode_to_the_public_url(client, posts, public_base):
    url = f"{public_base}/p/{posts.named.code}/"
    png = client.get(f"/p/{posts.named.code}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert decode_qr(png.content) == [url]
    svg = client.get(f"/p/{posts.named.code}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.lstrip().startswith(b"<svg")


def _pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _pdf_qr_texts(reader):
    texts = []
    for page in reader.pages:
        for image in page.images:
            buffer = io.BytesIO()
            Image.open(io.BytesIO(image.data)).convert("RGB").save(buffer, "PNG")
            texts += decode_qr(buffer.getvalue())
    return texts


def _embedded_fonts(reader):
    names = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descendants = font.get("/DescendantFonts")
        target = descendants[0].get_object() if descendants else font
        descriptor = target.get("/FontDescriptor")
        if descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2",
                                                                                  "/FontFile3")):
            names.append(str(target["/BaseFont"]))
    return names


@pytest.mark.parametrize("layout", ["a4", "a5"])
def test_signboard_pdf(client, posts, public_base, layout):
    response = client.get(f"/p/{posts.named.code}/signboard.pdf?layout={layout}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, text = _pdf_text(response.content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    width, height = float(box.width), float(box.height)
    assert (width < height) if layout == "a4" else (width > height)
    assert round(max(width, height)) == (842 if layout == "a4" else 595)
    for expected in ["共产党员先锋岗", "A01企业开办先锋岗", "李党员", "窗口受理员", "企业设立登记",
                     posts.named.complaint_phone, *PLEDGES.values()]:
        assert expected in text, expected
    # The Chinese font is embedded (subset), not left to the printer.
    assert any("Noto-Sans-CJK" in name for name in _embedded_fonts(reader)), _embedded_fonts(reader)
    assert _pdf_qr_texts(reader) == [f"{public_base}/p/{posts.named.code}/"]


def test_bad_layout_is_404(client, posts):
    assert client.get(f"/p/{posts.named.code}/signboard.pdf?layout=a2").status_code == 404


def test_named_list_search_and_exports(client, world, posts):
    response = client.get("/p/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "A01企业开办先锋岗" in html and "B01社保先锋岗" not in html  # only named posts
    assert "A01企业开办先锋岗" in client.get("/p/", {"q": "李党员"}).content.decode()
    assert "A01企业开办先锋岗" not in client.get("/p/", {"q": "没有这个人"}).content.decode()
    assert "A01企业开办先锋岗" in client.get("/p/", {"window": "A01"}).content.decode()
    assert "A01企业开办先锋岗" in client.get("/p/", {"unit": world.home_unit.pk}).content.decode()
    assert "A01企业开办先锋岗" not in client.get("/p/", {"unit": world.home_unit2.pk}).content.decode()

    xlsx = client.get("/p/export.xlsx", {"q": "企业"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][1] == "岗位" and rows[2][1] == "A01企业开办先锋岗" and "XFG-2026-001" in rows[2]
    assert len(rows) == 3

    docx = client.get("/p/export.docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    cells = [cell.text for row in doc.tables[0].rows for cell in row.cells]
    assert "A01企业开办先锋岗" in cells and PLEDGES["pledge_work"] in "\n".join(cells)
    assert not MOBILE.search("\n".join(cells))


def test_shared_cache_hit_costs_no_query_and_changes_show_at_once(client, world, posts, settings, tmp_path,
                                                                   django_capture_on_commit_callbacks):
    """With a cache every worker shares (Redis in production; a file cache here),
    the services invalidate the page, so a hit needs no query at all."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path)}}
    url = f"/p/{posts.named.code}/"
    with CaptureQueriesContext(connection) as miss:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as hit:
        assert client.get(url).status_code == 200
    assert (len(miss), len(hit)) == (3, 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_post(world.office, posts.named, name="共享缓存改名岗")
    assert "共享缓存改名岗" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_post(world.office, posts.named, reason="两次测评不合格")
    assert client.get(url).status_code == 410
