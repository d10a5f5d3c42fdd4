"""Checks on exported workbooks shared by each export's test: no formula anywhere, and every
text that a spreadsheet would take for a formula carries the quote prefix (shown as text)."""

import io
import re
import zipfile

from django.db import connection
from openpyxl import load_workbook

FORMULA_LIKE = "=HYPERLINK(\"http://evil.example/\",\"点我\")"
DASHED = "-2+3"
# PostgreSQL's text cannot hold NUL, so no stored row there can carry one; SQLite's can.
CONTROL = "坏\x07名\x00字\x1b" if connection.vendor == "sqlite" else "坏\x07名\x0b字\x1b"


def assert_safe_workbook(data, *expected):
    """No <f> element in any sheet; each value in `expected` appears as quote-prefixed text."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            assert not re.search(rb"<f[ >]", archive.read(name)), f"a formula in {name}"
    found = {}
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    found[cell.value] = cell
    for value in expected:
        assert any(value in text for text in found), f"{value!r} not exported"
    return wb


def all_text(wb):
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                     if c.value is not None)
