"""Written notices (.docx and PDF) open and name the right people; the month's export; the command."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from vanguard.assessment import documents
from vanguard.assessment.models import Period, Result

pytestmark = pytest.mark.django_db


def _docx_text(data):
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_docx_notice_names_the_units_members(world, published):
    world.centre.office_name = "测试区政务服务局党建科"
    world.centre.save()
    published.refresh_from_db()
    text = _docx_text(documents.notice_docx(published, world.home_unit))
    assert "测试区政务服务局党建科" in text and "区市场监管局" in text
    for person in world.branch1_members:
        assert person.name in text
    assert "张二层" not in text  # seconded by another unit
    assert "星级党员" in text


def test_pdf_notice_names_the_units_members(world, published):
    data = documents.notice_pdf(published, world.home_unit2)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "张二层" in text and "赵二层" in text and "李党员" not in text


def test_month_export(world, published):
    rows = Result.objects.filter(period=published, is_current=True).select_related("person", "branch", "unit")
    ws = load_workbook(io.BytesIO(documents.month_xlsx(published, rows))).active
    assert ws.max_row == 1 + 5 and ws.cell(1, 1).value == "姓名"


def test_publish_command_does_what_the_page_does(world, period, capsys):
    from .conftest import fill

    fill(world, period, world.branch1_members)
    # Branch 2 has no scores: refused with the list, until confirmed with the flag.
    with pytest.raises(CommandError, match="未考核"):
        call_command("assessment", "publish", "2026-10", "--centre", "test", "--user", "office")
    assert "张二层" in capsys.readouterr().err
    period.refresh_from_db()
    assert period.status == Period.Status.OPEN
    call_command("assessment", "publish", "2026-10", "--centre", "test", "--user", "office", "--confirm-unscored")
    out = capsys.readouterr().out
    period.refresh_from_db()
    assert period.status == Period.Status.PUBLICITY and "已公布" in out
    assert Result.objects.filter(period=period).count() == 5
    call_command("assessment", "check", "2026-10", "--centre", "test")
    assert "完全一致" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("assessment", "publish", "2026-10", "--centre", "test")  # already published
    with pytest.raises(CommandError):
        call_command("assessment", "publish", "2026-13")
    with pytest.raises(CommandError):
        call_command("assessment", "publish", "2026-10", "--user", "outsider", "--centre", "test")


@pytest.fixture
def published_with_unscored(world, period):
    """Branch 1 scored; branch 2 (home unit 2) never: published after the office confirmed."""
    from vanguard.assessment import services

    from .conftest import fill

    fill(world, period, world.branch1_members)
    return services.publish_period(world.office, period, confirm_unscored=True)


def test_notices_go_to_the_party_organisation_and_state_who_was_not_assessed(world, published_with_unscored):
    period = published_with_unscored
    docx = _docx_text(documents.notice_docx(period, world.home_unit2))
    pdf = "".join(page.extract_text() for page in
                  PdfReader(io.BytesIO(documents.notice_pdf(period, world.home_unit2))).pages)
    for text in (docx, pdf):
        assert f"{world.home_unit2.name}党组织：" in text.replace("\n", "")
        assert "未考核" in text and "张二层" in text and "确认" in text
    # Both carry the same date, the publication's, in the same form.
    date = documents.chinese_date(timezone.localdate(period.published_at))
    assert date in docx and date in pdf.replace(" ", "")
    # Branch 1's unit has everyone assessed: no such statement.
    assert "未考核" not in _docx_text(documents.notice_docx(period, world.home_unit))


def test_docx_notice_is_a4_with_chinese_fonts(world, published):
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = Document(io.BytesIO(documents.notice_docx(published, world.home_unit)))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.05) and abs(section.page_height - Cm(29.7)) < Cm(0.05)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"
    title_run = doc.paragraphs[1].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"


def test_downloads_have_chinese_file_names(client, world, published):
    from urllib.parse import quote

    from django.urls import reverse

    client.force_login(world.office)
    for name, ext in (("notice-docx", "docx"), ("notice-pdf", "pdf")):
        response = client.get(reverse(f"assessment:{name}", args=[published.pk, world.home_unit.pk]))
        header = response["Content-Disposition"]
        expected = quote(documents.notice_filename(published, world.home_unit, ext))
        assert "filename*=utf-8''" + expected in header
        assert "%E4%B9%A6%E9%9D%A2%E9%80%9A%E6%8A%A5" in header  # 书面通报
    export = client.get(reverse("assessment:export", args=[published.pk]))["Content-Disposition"]
    assert "filename*=" in export and quote("考核结果") in export


def test_export_and_results_page_show_not_assessed(client, world, published_with_unscored):
    from django.urls import reverse

    period = published_with_unscored
    rows = Result.objects.filter(period=period, is_current=True).select_related("person", "branch", "unit")
    ws = load_workbook(io.BytesIO(documents.month_xlsx(period, rows))).active
    values = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(2, ws.max_row + 1)}
    assert values["张二层"][3] == "未考核" and values["张二层"][7] == "未考核"
    assert values["张二层"][8] is None
    client.force_login(world.office)
    page = client.get(reverse("assessment:results", args=[period.pk])).content.decode()
    assert "unassessed-note" in page and page.count("未考核") >= 4
    board = client.get(reverse("assessment:board", args=[world.branch2.floor_id]))
    assert "未考核" in board.content.decode()
