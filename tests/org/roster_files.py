"""Roster workbooks for tests: the real template with rows filled in."""

import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from vanguard.org.roster.workbook import build_workbook

GOOD = ["新同志", "女", "139 0000 1111", "中共党员", "2015-07-01", "区市场监管局", "一层党支部", "A01", "受理员"]


def roster_file(centre, rows, name="roster.xlsx", headers=None):
    """An upload made from the centre's template with `rows` from row 2 (None cells stay empty)."""
    wb = load_workbook(io.BytesIO(build_workbook(centre)))
    ws = wb["花名册"]
    if headers is not None:
        for col in range(1, ws.max_column + 1):
            ws.cell(row=1, column=col, value=None)
        for col, header in enumerate(headers, start=1):
            ws.cell(row=1, column=col, value=header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def row(**changes):
    """GOOD with some columns replaced, by header: row(手机号码="123")."""
    from vanguard.org.roster.columns import HEADERS

    values = list(GOOD)
    for header, value in changes.items():
        values[HEADERS.index(header)] = value
    return values


@pytest.fixture
def zh_catalogue(settings, tmp_path):
    """The org app's Chinese translations compiled for this test, so that messages
    can be checked in Chinese without a compiled .mo in the checkout."""
    po = Path(__file__).resolve().parents[2] / "vanguard/org/locale/zh_Hans/LC_MESSAGES/django.po"
    if not po.exists():
        pytest.skip("vanguard/org has no zh_Hans catalogue yet")
    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(po)], check=True)
    # LOCALE_PATHS come before the apps' own locale dirs; changing the setting resets Django's catalogue cache.
    settings.LOCALE_PATHS = [str(tmp_path)]
    yield
