"""A streaming reader of the cell values of one .xlsx worksheet.

openpyxl's read-only mode builds an object per cell and reads a 10,000-row
roster in several seconds; this reads the same values straight from the sheet
XML with lxml's iterparse in a fraction of that. It returns what openpyxl's
`values_only` does: str, int, float, bool, datetime.date/datetime, None.
"""

import datetime
import zipfile

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates but are not in openpyxl's table (the CJK ones: 年月日).
CJK_DATE_FORMAT_IDS = set(range(27, 37)) | set(range(50, 59))
# Uncompressed size above which a part is refused: a zip bomb is small on disk and huge inside.
MAX_PART_BYTES = 200 * 1024 * 1024


class XlsxError(Exception):
    """The file is not a readable .xlsx workbook."""


class TooBig(XlsxError):
    pass


def _parser():
    # No entities, no network, no huge trees: the file comes from a browser.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class SheetReader:
    def __init__(self, data, preferred_sheet):
        try:
            self.zip = zipfile.ZipFile(data)
            for info in self.zip.infolist():
                if info.file_size > MAX_PART_BYTES:
                    raise TooBig(info.filename)
            workbook = self._xml("xl/workbook.xml")
            rels = self._xml("xl/_rels/workbook.xml.rels")
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as e:
            raise XlsxError(str(e)) from e
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{PKG_REL_NS}Relationship")}
        sheets = [(s.get("name"), targets.get(s.get(f"{REL_NS}id"))) for s in workbook.iter(f"{NS}sheet")]
        if not sheets:
            raise XlsxError("no worksheet")
        self.sheet_names = [name for name, _target in sheets]
        target = dict(sheets).get(preferred_sheet) or sheets[0][1]
        self.sheet_path = self._part_path(target)
        pr = workbook.find(f"{NS}workbookPr")
        self.epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") \
            else CALENDAR_WINDOWS_1900
        self.strings = self._shared_strings(targets.values())
        self.date_styles = self._date_styles(targets.values())
        if self.sheet_path not in self.zip.namelist():
            raise XlsxError("missing worksheet")

    def _xml(self, path):
        return etree.fromstring(self.zip.read(path), _parser())

    @staticmethod
    def _part_path(target):
        target = target or ""
        return target.lstrip("/") if target.startswith("/") else f"xl/{target}"

    def _find_part(self, targets, suffix, default):
        for target in targets:
            if target and target.endswith(suffix):
                return self._part_path(target)
        return default

    def _shared_strings(self, targets):
        path = self._find_part(targets, "sharedStrings.xml", "xl/sharedStrings.xml")
        if path not in self.zip.namelist():
            return []
        strings = []
        with self.zip.open(path) as fh:
            for _event, si in etree.iterparse(fh, tag=f"{NS}si", resolve_entities=False, no_network=True):
                strings.append(_text_of(si))
                si.clear()
        return strings

    def _date_styles(self, targets):
        """Indexes of cell formats (the `s` attribute) that show numbers as dates."""
        path = self._find_part(targets, "styles.xml", "xl/styles.xml")
        if path not in self.zip.namelist():
            return set()
        styles = self._xml(path)
        custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in styles.iter(f"{NS}numFmt")}
        xfs = styles.find(f"{NS}cellXfs")
        dates = set()
        for index, xf in enumerate(xfs if xfs is not None else ()):
            fmt_id = int(xf.get("numFmtId", "0"))
            code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
            if fmt_id in CJK_DATE_FORMAT_IDS or (code and is_date_format(code)):
                dates.add(index)
        return dates

    def rows(self):
        """(row number, [values]) for each row that has cells, in order. The loop is
        written flat: it runs for every cell of a 50,000-row sheet."""
        c_tag, v_tag, is_tag, row_tag = f"{NS}c", f"{NS}v", f"{NS}is", f"{NS}row"
        strings, date_styles, epoch = self.strings, self.date_styles, self.epoch
        columns = {}  # "AB" -> 27, cached
        row_number = 0
        with self.zip.open(self.sheet_path) as fh:
            try:
                for _event, row in etree.iterparse(fh, tag=row_tag, resolve_entities=False, no_network=True):
                    row_number = int(row.get("r") or row_number + 1)
                    values = []
                    for cell in row:
                        if cell.tag != c_tag:
                            continue
                        ref = cell.get("r")
                        if ref:
                            letters = ref.rstrip("0123456789")
                            column = columns.get(letters)
                            if column is None:
                                column = columns[letters] = _column_index(letters)
                            if column > len(values):
                                values.extend([None] * (column - len(values)))
                        kind = cell.get("t")
                        if kind == "inlineStr":
                            inline = cell.find(is_tag)
                            values.append(None if inline is None else _text_of(inline))
                            continue
                        raw = cell.findtext(v_tag)
                        if raw is None:
                            values.append(None)
                        elif kind == "s":
                            values.append(strings[int(raw)])
                        elif kind is None or kind == "n":
                            values.append(_number(raw, cell.get("s"), date_styles, epoch))
                        else:
                            values.append(_typed(kind, raw))
                    row.clear()
                    # Free the rows already read: a 50,000-row sheet stays small in memory.
                    while row.getprevious() is not None:
                        del row.getparent()[0]
                    yield row_number, values
            except etree.XMLSyntaxError as e:
                raise XlsxError(str(e)) from e

    def close(self):
        self.zip.close()


def _number(raw, style, date_styles, epoch):
    number = float(raw)
    if style is not None and int(style) in date_styles:
        try:
            return from_excel(number, epoch)
        except (ValueError, OverflowError):
            return raw
    return int(number) if number.is_integer() else number


def _typed(kind, raw):
    if kind == "b":
        return raw == "1"
    if kind == "d":
        return datetime.datetime.fromisoformat(raw.rstrip("Z"))
    return raw  # "str" (a formula's text) and "e" (an error such as #N/A)


_T, _R, _RPH = f"{NS}t", f"{NS}r", f"{NS}rPh"


def _text_of(element):
    """The text of a string item: its <t>, or its rich-text runs' <t>s; phonetic hints (<rPh>) left out."""
    if len(element) == 1 and element[0].tag == _T:
        return element[0].text or ""
    return "".join(t.text or "" for child in element if child.tag in (_T, _R)
                   for t in ([child] if child.tag == _T else child.iter(_T)))


def _column_index(letters):
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1
