"""The per-scorer Excel template: pre-filled, uploaded back all or nothing, refused for another month or scheme."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.assessment import services, workbook
from vanguard.assessment.models import Score

pytestmark = pytest.mark.django_db


def _sheet(data):
    wb = load_workbook(io.BytesIO(data))
    return wb, wb[workbook.SHEET]


def _save(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _fill(ws, value=2):
    """Points in every indicator column (the note columns after them stay empty)."""
    last = workbook.FIRST_INDICATOR_COLUMN - 1 + (ws.max_column - workbook.FIRST_INDICATOR_COLUMN + 1) // 2
    for row in ws.iter_rows(min_row=2, min_col=workbook.FIRST_INDICATOR_COLUMN, max_col=last):
        for cell in row:
            cell.value = value


def test_template_has_the_scorers_people_and_indicators(world, period):
    data = workbook.template(world.secretary, period, "party")
    wb, ws = _sheet(data)
    names = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert sorted(names) == sorted(p.name for p in world.branch1_members)
    assert ws.max_column == 4 + 21 + 21 and str(ws.cell(1, 5).value).startswith("P01")
    assert str(ws.cell(1, 4 + 21 + 1).value).startswith("P01") and "说明" in str(ws.cell(1, 4 + 21 + 1).value)
    assert wb[workbook.META_SHEET].sheet_state == "veryHidden"


def test_template_is_prefilled_with_existing_scores(world, period):
    from vanguard.assessment.scoring import Entry, save_scores

    p01 = period.scheme.indicators.get(code="P01")
    save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "3.5")])
    _wb, ws = _sheet(workbook.template(world.secretary, period, "party"))
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == world.member_person.pk)
    assert ws.cell(row, 5).value == 3.5


def test_upload_round_trip(world, period):
    wb, ws = _sheet(workbook.template(world.scorer, period, "work"))
    _fill(ws, 2)
    assert workbook.upload(world.scorer, period, io.BytesIO(_save(wb))) == 35 * ws.max_row - 35
    assert Score.objects.filter(points=Decimal("2")).count() == 35 * (ws.max_row - 1)


def test_upload_errors_by_row_and_column_and_nothing_saved(world, period):
    wb, ws = _sheet(workbook.template(world.secretary, period, "party"))
    _fill(ws, 1)
    ws.cell(2, 5).value = 9  # P01, max 5
    ws.cell(3, 6).value = "五"
    ws.cell(4, 7).value = "３"
    with pytest.raises(ValidationError) as excinfo:
        workbook.upload(world.secretary, period, io.BytesIO(_save(wb)))
    text = "\n".join(excinfo.value.messages)
    assert "第 2 行第 E 列" in text and "超过了该指标的满分" in text
    assert "第 3 行第 F 列" in text and "不是有效的分值" in text
    assert "第 4 行第 G 列" in text and "全角" in text
    assert not Score.objects.exists()


def test_upload_of_another_month_is_refused(world, period):
    other = services.open_period(world.office, world.centre, "2026-11")
    wb, ws = _sheet(workbook.template(world.secretary, other, "party"))
    _fill(ws, 1)
    with pytest.raises(ValidationError) as excinfo:
        workbook.upload(world.secretary, period, io.BytesIO(_save(wb)))
    assert "2026-11 的模板" in " ".join(excinfo.value.messages)
    assert not Score.objects.exists()


def test_upload_of_another_scheme_version_is_refused(world, period):
    data = workbook.template(world.secretary, period, "party")
    new = services.new_scheme_version(world.office, period.scheme, "2027-01")
    type(period).objects.filter(pk=period.pk).update(scheme=new)
    period.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        workbook.upload(world.secretary, period, io.BytesIO(data))
    assert "另一版本" in " ".join(excinfo.value.messages)


def test_not_an_excel_file(world, period):
    with pytest.raises(ValidationError) as excinfo:
        workbook.upload(world.secretary, period, io.BytesIO(b"name,points\n"))
    assert "不是 Excel" in " ".join(excinfo.value.messages)


def test_upload_page_lists_errors(client, world, period):
    wb, ws = _sheet(workbook.template(world.secretary, period, "party"))
    ws.cell(2, 5).value = -1
    client.force_login(world.secretary)
    upload = io.BytesIO(_save(wb))
    upload.name = "scores.xlsx"
    response = client.post(reverse("assessment:upload", args=[period.pk]), {"file": upload})
    assert response.status_code == 400 and "不能小于 0" in response.content.decode()
    client.force_login(world.member)
    upload.seek(0)
    assert client.post(reverse("assessment:upload", args=[period.pk]), {"file": upload}).status_code == 403


def test_upload_places_problems_by_the_sheets_own_row_numbers(world, period):
    """Rows are numbered as Excel shows them, also after an empty row; a cell formatted
    as a date is not taken for points."""
    wb, ws = _sheet(workbook.template(world.secretary, period, "party"))
    _fill(ws, 0)
    last = ws.max_row
    ws.insert_rows(3)
    ws.cell(last + 1, 6).value = "五"
    ws.cell(last + 1, 7).value = 2
    ws.cell(last + 1, 7).number_format = "yyyy-mm-dd"
    with pytest.raises(ValidationError) as excinfo:
        workbook.upload(world.secretary, period, io.BytesIO(_save(wb)))
    text = "\n".join(excinfo.value.messages)
    assert f"第 {last + 1} 行第 F 列" in text and f"第 {last + 1} 行第 G 列" in text
    assert len(excinfo.value.messages) == 2
    assert not Score.objects.exists()
