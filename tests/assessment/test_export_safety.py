"""The month's export, the written notice and the scoring template: formula-like names are
written as text; control characters stored before input refused them do not break them."""

import io

from docx import Document

from vanguard.assessment import documents, workbook
from vanguard.assessment.models import Result
from vanguard.org.models import Organization, Person

from ..export_checks import CONTROL, FORMULA_LIKE, all_text, assert_safe_workbook


def test_month_export_and_notice_are_safe(world, published):
    Person.objects.filter(pk=world.branch1_members[0].pk).update(name=FORMULA_LIKE)
    Person.objects.filter(pk=world.branch1_members[1].pk).update(name=CONTROL)
    rows = Result.objects.filter(period=published, is_current=True).select_related("person", "branch", "unit")
    wb = assert_safe_workbook(documents.month_xlsx(published, rows), FORMULA_LIKE)
    assert "坏名字" in all_text(wb)
    doc = Document(io.BytesIO(documents.notice_docx(published, world.home_unit)))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert FORMULA_LIKE in text and "坏名字" in text


def test_scoring_template_is_safe(world, period):
    Person.objects.filter(pk=world.branch1_members[0].pk).update(name=FORMULA_LIKE)
    Organization.objects.filter(pk=world.branch1.pk).update(name="+" + CONTROL)
    wb = assert_safe_workbook(workbook.template(world.secretary, period, "party"), FORMULA_LIKE)
    assert "+坏名字" in all_text(wb)
