"""The office downloads the roster template, uploads it with a bad row, reads the
Chinese row/column error, fixes the file and uploads it again."""

import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.org.models import Person
from vanguard.org.roster.columns import HEADERS, LETTERS, MOBILE, SHEET_ROSTER

pytestmark = pytest.mark.browser

GOOD = ["新同志", "女", "13900001111", "中共党员", "2015-07-01", "区市场监管局", "一层党支部", "A01", "受理员"]
BAD = ["错号码", "男", "1390000", "中共党员", "2016-07-01", "区市场监管局", "一层党支部", "A01", "受理员"]


def _fill(template, rows, out):
    wb = load_workbook(template)
    ws = wb[SHEET_ROSTER]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(out)
    return out


def _upload(page, path):
    form = page.locator("form[enctype='multipart/form-data']")
    form.locator("input[type=file][name=file]").set_input_files(str(path))
    with page.expect_navigation():
        form.locator("button").click()


def test_roster_error_then_fix_then_success(world, page, logged_in, tmp_path):
    logged_in(page, world.office)
    page.goto(reverse("org:roster"))
    with page.expect_download() as download:
        page.locator(f"a[href^='{reverse('org:roster-template')}']").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    # Row 3 has a mobile number that is too short.
    _upload(page, _fill(template, [GOOD, BAD], tmp_path / "roster-bad.xlsx"))
    errors = page.locator("#roster-errors tbody tr")
    assert errors.count() == 1
    cells = [errors.first.locator("td").nth(i).inner_text().strip() for i in range(4)]
    row, column, value, problem = cells
    assert row == "3"
    assert column == f"{LETTERS[MOBILE]} {MOBILE}"  # "C 手机号码"
    assert value == "1390000"
    assert re.search(r"[\u4e00-\u9fff]", problem), f"the problem is not explained in Chinese: {problem!r}"
    alert = page.locator(".alert-danger").first.inner_text()
    assert re.search(r"[\u4e00-\u9fff]", alert), f"the summary is not Chinese: {alert!r}"
    assert not Person.objects.filter(name__in=[GOOD[0], BAD[0]]).exists(), "a bad file was half-applied"

    # Fixed, the same file goes in whole.
    fixed = list(BAD)
    fixed[HEADERS.index(MOBILE)] = "139 0000 2222"
    _upload(page, _fill(template, [GOOD, fixed], tmp_path / "roster-fixed.xlsx"))
    assert page.locator("#roster-errors").count() == 0
    success = page.locator(".alert-success")
    success.wait_for()
    assert world.centre.name in success.inner_text()
    assert re.search(r"[\u4e00-\u9fff]{2}", success.inner_text())
    added = Person.objects.filter(centre=world.centre, name__in=[GOOD[0], BAD[0]])
    assert sorted(added.values_list("mobile", flat=True)) == ["13900001111", "13900002222"]
