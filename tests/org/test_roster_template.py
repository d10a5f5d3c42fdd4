import io

import pytest
from openpyxl import load_workbook

from vanguard.org.roster import HEADERS, roster_template

from .roster_files import zh_catalogue  # noqa: F401 (fixture)

EXPECTED = ["姓名", "性别", "手机号码", "政治面貌", "入党时间", "派驻单位", "所在党支部", "窗口编号", "岗位"]


def open_template(world, user=None):
    return load_workbook(io.BytesIO(roster_template(user or world.office, world.centre)))


def validations(ws):
    """column letter -> the list formula of its drop-down."""
    result = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        for ref in str(dv.sqref).split():
            result[ref.rstrip("0123456789:").rstrip("0123456789")[:1]] = dv.formula1
    return result


def test_headers_exactly_in_order_and_styled(world):
    wb = open_template(world)
    assert wb.sheetnames[0] == "花名册" and wb.active.title == "花名册"
    ws = wb["花名册"]
    assert HEADERS == EXPECTED
    assert [c.value for c in ws[1]] == EXPECTED
    assert all(c.font.bold for c in ws[1])
    assert ws["A1"].fill.fgColor.rgb.endswith("C00000")
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["F"].width >= 20 and ws.column_dimensions["C"].width >= 13
    assert ws.max_row <= 2 and not any(c.value for c in ws[2])


def test_drop_downs(world):
    wb = open_template(world)
    lists = validations(wb["花名册"])
    assert lists["B"] == '"男,女"'
    assert lists["D"] == '"中共党员,中共预备党员,群众"'
    choices = wb["选项"]
    assert choices.sheet_state == "hidden"

    def column(letter):
        return [c.value for c in choices[letter][1:] if c.value]

    assert lists["F"] == "'选项'!$A$2:$A$4" and set(column("A")) == {"区市场监管局", "区人力社保局", "综合窗口科"}
    assert lists["G"] == "'选项'!$B$2:$B$3" and column("B") == ["一层党支部", "二层党支部"]
    assert lists["H"] == "'选项'!$C$2:$C$3" and column("C") == ["A01", "B01"]
    # Another centre's reference data never shows up.
    assert "别区党支部" not in column("B") and "别区税务局" not in column("A")


@pytest.mark.usefixtures("zh_catalogue")
def test_instructions_sheet_in_chinese(world):
    wb = open_template(world)
    ws = wb["填写说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "测试区政务服务中心" in text
    for header in EXPECTED:
        assert header in text
    assert "Fill in" not in text and "填写" in text, text[:300]


@pytest.mark.usefixtures("zh_catalogue")
def test_instructions_are_chinese_even_for_an_english_page(world):
    from django.utils import translation

    with translation.override("en"):
        wb = open_template(world)
    assert "填写" in str(wb["填写说明"]["A1"].value)


def test_secretary_gets_the_template_too(world):
    assert [c.value for c in open_template(world, world.secretary)["花名册"][1]] == EXPECTED
