"""The streaming reader against a workbook shaped as Excel and WPS save it: shared strings (with rich
text and phonetic hints), numbers typed into cells, date serials behind a date style (including the CJK
built-in formats and the 1904 calendar), sparse rows and a sheet that is not the first one."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vanguard.core.xlsx_read import SheetReader, XlsxError
from vanguard.org.models import Person
from vanguard.org.roster import import_roster

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADERS = ["姓名", "性别", "手机号码", "政治面貌", "入党时间", "派驻单位", "所在党支部", "窗口编号", "岗位"]


def excel_like(rows_xml, strings, date1904=False, first_sheet="说明", roster_sheet="花名册"):
    """A minimal .xlsx as Excel writes it: sheet2 is 花名册, behind another sheet."""
    pr = ' date1904="1"' if date1904 else ""
    sst = "".join(s if s.startswith("<si>") else f"<si><t>{s}</t></si>" for s in strings)
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                               '2006/content-types"/>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr{pr}/>'
                           f'<sheets><sheet name="{first_sheet}" sheetId="1" r:id="rId1"/>'
                           f'<sheet name="{roster_sheet}" sheetId="2" r:id="rId2"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId4" Type="{REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{sst}</sst>',
        # Style 1: built-in 14 (m/d/yyyy); 2: CJK built-in 31 (yyyy年m月d日); 3: custom yyyy"年"m"月"; 4: text.
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="176" '
                         'formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/></numFmts><cellXfs count="5">'
                         '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="31"/><xf numFmtId="176"/>'
                         '<xf numFmtId="49"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                                    '<is><t>请看第二张表</t></is></c></row></sheetData></worksheet>',
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


def header_row():
    return '<row r="1">' + "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(9)) + "</row>"


def test_excel_shaped_workbook_imports(world):
    strings = [*HEADERS, "<si><r><t>新</t></r><r><rPr><b/></rPr><t>同志</t></r><rPh><t>シン</t></rPh></si>", "女",
               "中共党员", "区市场监管局", "一层党支部", "A01", "群众"]
    # Row 2: rich-text name, phone typed as a number, a date serial in m/d/yyyy; column I empty (no cell).
    # Row 4 (row 3 missing): no r attributes on cells, a CJK date format, window typed as text.
    rows = header_row() + (
        '<row r="2"><c r="A2" t="s"><v>9</v></c><c r="B2" t="s"><v>10</v></c><c r="C2"><v>13900001111</v></c>'
        '<c r="D2" t="s"><v>11</v></c><c r="E2" s="1"><v>40360</v></c><c r="F2" t="s"><v>12</v></c>'
        '<c r="G2" t="s"><v>13</v></c><c r="H2" t="s"><v>14</v></c></row>'
        '<row r="4"><c t="inlineStr"><is><t>旧同志</t></is></c><c/><c t="str"><v>+86 139 0000 1112</v></c>'
        '<c t="s"><v>11</v></c><c s="2"><v>40360.0</v></c><c t="s"><v>12</v></c><c t="s"><v>13</v></c>'
        '<c s="4" t="s"><v>14</v></c><c t="inlineStr"><is><t>窗口受理员</t></is></c></row>'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>   </t></is></c></row>'
    )
    data = excel_like(rows, strings)
    reader = SheetReader(io.BytesIO(data), "花名册")
    read = list(reader.rows())
    assert read[0][1] == HEADERS
    assert read[1] == (2, ["新同志", "女", 13900001111, "中共党员", datetime.datetime(2010, 7, 1), "区市场监管局",
                           "一层党支部", "A01"])
    assert read[2][0] == 4 and read[2][1][4] == datetime.datetime(2010, 7, 1) and read[2][1][1] is None

    result = import_roster(world.office, world.centre, SimpleUploadedFile("花名册.xlsx", data))
    assert result.ok, [str(e) for e in result.errors]
    assert result.rows == 2
    first, second = Person.objects.get(mobile="13900001111"), Person.objects.get(mobile="13900001112")
    assert (first.name, first.gender, first.joined_party_on, first.window) == (
        "新同志", "F", datetime.date(2010, 7, 1), world.window1)
    assert (second.name, second.gender, second.job) == ("旧同志", "", "窗口受理员")


def test_problems_in_an_excel_shaped_workbook_name_the_real_row(world):
    strings = [*HEADERS, "张三", "群众"]
    rows = header_row() + ('<row r="7"><c r="A7" t="s"><v>9</v></c><c r="C7"><v>12345</v></c>'
                           '<c r="D7" t="s"><v>10</v></c><c r="E7" s="3"><v>40360</v></c></row>')
    result = import_roster(world.office, world.centre, SimpleUploadedFile("r.xlsx", excel_like(rows, strings)))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(7, "C", "mobile_invalid"),
                                                                   (7, "E", "public_with_date")]


def test_1904_calendar(world):
    rows = header_row() + '<row r="2"><c r="E2" s="1"><v>38898</v></c></row>'
    reader = SheetReader(io.BytesIO(excel_like(rows, HEADERS, date1904=True)), "花名册")
    assert list(reader.rows())[1][1][4] == datetime.datetime(2010, 7, 1)


def test_first_sheet_is_read_when_no_sheet_is_called_roster(world):
    data = excel_like(header_row(), HEADERS, roster_sheet="Sheet2")
    reader = SheetReader(io.BytesIO(data), "花名册")
    assert list(reader.rows())[0][1] == ["请看第二张表"]


@pytest.mark.parametrize("damage", [
    lambda files: files.pop("xl/workbook.xml"),
    lambda files: files.__setitem__("xl/worksheets/sheet2.xml", "<worksheet><sheetData><row>"),
    lambda files: files.__setitem__("xl/workbook.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>'),
])
def test_damaged_workbooks_are_refused_with_a_message(world, damage):
    data = excel_like(header_row(), HEADERS)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {name: z.read(name) for name in z.namelist()}
    damage(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    with pytest.raises(XlsxError):
        reader = SheetReader(io.BytesIO(out.getvalue()), "花名册")
        list(reader.rows())
    result = import_roster(world.office, world.centre, SimpleUploadedFile("r.xlsx", out.getvalue()))
    assert [e.code for e in result.errors] == ["not_xlsx"]
