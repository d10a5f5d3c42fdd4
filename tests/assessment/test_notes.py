"""Every lost point has a reason: notes on cells in the grid, the Excel template and the
API; a scheme may require one from a given loss; the member reads them first."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.assessment import services, workbook
from vanguard.assessment.models import Score
from vanguard.assessment.scoring import Entry, save_scores

from .conftest import fill

pytestmark = pytest.mark.django_db


def _ind(period, code):
    return period.scheme.indicators.get(code=code)


def test_a_note_longer_than_the_limit_is_refused_naming_the_cell(world, period):
    p01 = _ind(period, "P01")
    with pytest.raises(ValidationError) as refused:
        save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "3", "长" * 201, where="第 5 行"),
                                              Entry(world.secretary_person.pk, p01.pk, "5")])
    message = " ".join(refused.value.messages)
    assert "第 5 行" in message and "P01" in message and "201" in message and "200" in message
    assert not Score.objects.exists()  # nothing half-applied


def test_scheme_can_require_a_note_from_a_loss(world, period):
    period.scheme.note_required_loss = Decimal("1")
    period.scheme.save()
    p01, p14 = _ind(period, "P01"), _ind(period, "P14")
    with pytest.raises(ValidationError) as refused:
        save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "3")])
    assert "P01" in refused.value.messages[0] and "说明" in refused.value.messages[0]
    # A loss under the level, and an add indicator below its maximum, need none.
    save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "4.5"),
                                          Entry(world.member_person.pk, p14.pk, "1")])
    save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "3", "无故缺席支部党员大会一次")])
    assert Score.objects.get(person=world.member_person, indicator=p01).note == "无故缺席支部党员大会一次"


def test_grid_cell_saves_its_note(client, world, period):
    p01 = _ind(period, "P01")
    client.force_login(world.secretary)
    key = f"{world.member_person.pk}-{p01.pk}"
    response = client.post(reverse("assessment:grid-cell", args=[period.pk]), {
        "person": world.member_person.pk, "indicator": p01.pk, f"s-{key}": "3", f"n-{key}": "缺席党员大会"})
    # The answer is the value part only: the note field stays as the scorer typed it.
    assert response.status_code == 200 and "is-valid" in response.content.decode()
    assert f'name="n-{key}"' not in response.content.decode()
    assert Score.objects.get(person=world.member_person, indicator=p01).note == "缺席党员大会"
    # The grid shows the note field beside a cell below full marks, hidden beside a full one.
    page = client.get(reverse("assessment:grid", args=[period.pk])).content.decode()
    assert f'name="n-{key}" value="缺席党员大会"' in page
    assert "空白单元格按方案规则计分" in page  # the grid states the rule for empty cells


def test_excel_round_trip_carries_notes(world, period):
    p01 = _ind(period, "P01")
    save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "4", "迟到")])
    wb = load_workbook(io.BytesIO(workbook.template(world.secretary, period, "party")))
    ws = wb[workbook.SHEET]
    note_col = 4 + 21 + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == world.member_person.pk)
    assert ws.cell(row, 5).value == 4 and ws.cell(row, note_col).value == "迟到"
    other = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == world.secretary_person.pk)
    ws.cell(other, 5).value = 2
    ws.cell(other, note_col).value = "两次缺席"
    ws.cell(row, note_col).value = "迟到一次（已核实）"
    out = io.BytesIO()
    wb.save(out)
    assert workbook.upload(world.secretary, period, io.BytesIO(out.getvalue())) == 2
    notes = dict(Score.objects.filter(indicator=p01).values_list("person_id", "note"))
    assert notes == {world.member_person.pk: "迟到一次（已核实）", world.secretary_person.pk: "两次缺席"}


def test_member_page_leads_with_points_lost_and_their_notes(client, world, period):
    people = world.branch1_members + world.branch2_members
    fill(world, period, people)
    p01 = _ind(period, "P01")
    save_scores(world.secretary, period, [Entry(world.member_person.pk, p01.pk, "2.5", "无故缺席支部党员大会")])
    published = services.publish_period(world.office, period)
    result = published.results.get(person=world.member_person)
    client.force_login(world.member)
    body = client.get(reverse("assessment:result", args=[result.pk])).content.decode()
    lost = body[body.index('id="lost-points"'):]
    assert "−2.5" in lost and "无故缺席支部党员大会" in lost and "王书记" in lost
    assert body.index('id="lost-points"') < body.index("党建考核")  # before the full sheet
    assert client.get(reverse("assessment:result", args=[result.pk])).status_code == 200
    client.force_login(world.outsider)
    assert client.get(reverse("assessment:result", args=[result.pk])).status_code == 404
