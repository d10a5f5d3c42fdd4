"""Written notices (.docx and PDF) open and name the right people; the month's export; the command."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
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
    call_command("assessment", "publish", "2026-10", "--centre", "test", "--user", "office")
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
