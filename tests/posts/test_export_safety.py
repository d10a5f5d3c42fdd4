"""The public list of named posts (.xlsx and .docx): formula-like text is written as text and
control characters stored before input refused them do not make the export fail."""

from django.core.cache import cache
from docx import Document

from vanguard.posts.models import VanguardPost

from ..export_checks import CONTROL, FORMULA_LIKE, all_text, assert_safe_workbook


def test_public_exports_are_safe(client, world, posts):
    VanguardPost.objects.filter(pk=posts.named.pk).update(name=FORMULA_LIKE, pledge_work=CONTROL,
                                                          certificate_number="@SUM(1)")
    cache.clear()
    xlsx = client.get("/p/export.xlsx")
    assert xlsx.status_code == 200
    wb = assert_safe_workbook(xlsx.content, FORMULA_LIKE, "@SUM(1)")
    assert "坏名字" in all_text(wb)
    docx = client.get("/p/export.docx")
    assert docx.status_code == 200
    import io

    cells = [c.text for row in Document(io.BytesIO(docx.content)).tables[0].rows for c in row.cells]
    assert FORMULA_LIKE in cells and "坏名字" in "\n".join(cells)
