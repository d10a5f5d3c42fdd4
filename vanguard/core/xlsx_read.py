"""The one reader of uploaded .xlsx workbooks (roster, scores, transactions):
a streaming reader of the cell values of one worksheet, guarded against files
built to exhaust the server.

openpyxl's read-only mode builds an object per cell and reads a 10,000-row
roster in several seconds; this reads the same values straight from the sheet
XML with lxml's iterparse in a fraction of that. It returns what openpyxl's
`values_only` does: str, int, float, bool, datetime.date/datetime, None.

A workbook is a zip: 455 KB on disk can unpack to 187 MB of shared strings.
Before anything is unpacked, the sizes the zip declares are checked against
settings.SPREADSHEET_LIMITS; while unpacking, the bytes actually read are
counted (a zip can understate them); the shared strings, rows and columns are
counted as they stream. Whatever exceeds a limit raises TooBig with a
sentence for the user, before the caller has done any work.
"""

import datetime
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates but are not in openpyxl's table (the CJK ones: 年月日).
CJK_DATE_FORMAT_IDS = set(range(27, 37)) | set(range(50, 59))


class XlsxError(Exception):
    """The file is not a readable .xlsx workbook."""


class TooBig(XlsxError):
    """The workbook exceeds a limit; str() is the sentence for the user."""


def limits(**overrides):
    """settings.SPREADSHEET_LIMITS with a caller's own (smaller) limits, e.g. rows=50_000."""
    merged = dict(settings.SPREADSHEET_LIMITS)
    merged.update({k: v for k, v in overrides.items() if v is not None})
    return merged


def check_size(size, limit=None):
    """Refuse a file larger than the limit on disk, before reading it."""
    limit = limit or settings.SPREADSHEET_LIMITS["file_bytes"]
    if size is not None and size > limit:
        raise TooBig(_("The file is %(size)s; a workbook may be at most %(max)s.")
                     % {"size": filesizeformat(size), "max": filesizeformat(limit)})


class _Capped:
    """A member of the zip that stops with TooBig once more than `limit` bytes come out of it."""

    def __init__(self, fh, limit, message):
        self.fh, self.left, self.message = fh, limit, message

    def read(self, n=-1):
        data = self.fh.read(n if n is not None and n >= 0 else self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise TooBig(self.message)
        return data

    def close(self):
        self.fh.close()


def _parser():
    # No entities, no network, no huge trees: the file comes from a browser.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class SheetReader:
    """Values of one sheet of `data` (a file object), within `limits` (see limits())."""

    def __init__(self, data, preferred_sheet, limits=None):
        self.limits = limits or settings.SPREADSHEET_LIMITS
        try:
            self.zip = zipfile.ZipFile(data)
            self._check_declared_sizes()
            workbook = self._xml("xl/workbook.xml")
            rels = self._xml("xl/_rels/workbook.xml.rels")
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, EOFError) as e:
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
        try:
            self.strings = self._shared_strings(targets.values())
            self.date_styles = self._date_styles(targets.values())
        except (zipfile.BadZipFile, etree.XMLSyntaxError, ValueError, EOFError) as e:
            raise XlsxError(str(e)) from e
        if self.sheet_path not in self.zip.namelist():
            raise XlsxError("missing worksheet")

    def _too_big_unpacked(self):
        return _("The workbook unpacks to more than %(max)s (a file packed to look small); it is refused. "
                 "Save the data as an ordinary workbook.") % {"max": filesizeformat(self.limits["unpacked_bytes"])}

    def _check_declared_sizes(self):
        """What the zip says it holds, checked before a byte is unpacked."""
        infos = self.zip.infolist()
        if len(infos) > self.limits["members"]:
            raise TooBig(_("The workbook holds %(n)s parts; it is not an ordinary workbook.") % {"n": len(infos)})
        total = sum(info.file_size for info in infos)
        if total > self.limits["unpacked_bytes"]:
            raise TooBig(self._too_big_unpacked())
        for info in infos:
            if info.filename.endswith("sharedStrings.xml") and info.file_size > self.limits["shared_strings_bytes"]:
                raise TooBig(self._too_many_strings())

    def _too_many_strings(self):
        return _("The workbook holds more text than %(max)s or more than %(count)s different texts; it is "
                 "refused.") % {"max": filesizeformat(self.limits["shared_strings_bytes"]),
                                "count": f"{self.limits['shared_strings']:,}"}

    def _open(self, path, limit):
        """A member, cut off at `limit` bytes whatever the zip declares."""
        return _Capped(self.zip.open(path), limit, self._too_big_unpacked())

    def _xml(self, path):
        fh = self._open(path, min(self.limits["unpacked_bytes"], 16 * 1024 * 1024))
        try:
            return etree.fromstring(fh.read(), _parser())
        finally:
            fh.close()

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
        most = self.limits["shared_strings"]
        fh = _Capped(self.zip.open(path), self.limits["shared_strings_bytes"], self._too_many_strings())
        try:
            for _event, si in etree.iterparse(fh, tag=f"{NS}si", resolve_entities=False, no_network=True):
                strings.append(_text_of(si))
                si.clear()
                if len(strings) > most:
                    raise TooBig(self._too_many_strings())
        finally:
            fh.close()
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
        c_tag, v_tag, is_tag, row_tag, dimension_tag = f"{NS}c", f"{NS}v", f"{NS}is", f"{NS}row", f"{NS}dimension"
        strings, date_styles, epoch = self.strings, self.date_styles, self.epoch
        columns = {}  # "AB" -> 27, cached
        row_number = count = filled = 0
        max_rows, max_columns = self.limits["rows"], self.limits["columns"]
        fh = self._open(self.sheet_path, self.limits["unpacked_bytes"])
        try:
            try:
                for _event, row in etree.iterparse(fh, tag=(dimension_tag, row_tag), resolve_entities=False,
                                                   no_network=True):
                    if row.tag == dimension_tag:  # the sheet's declared extent, before its first row
                        self._check_dimension(row.get("ref") or "")
                        continue
                    row_number = int(row.get("r") or row_number + 1)
                    count += 1
                    filled += len(row) > 0
                    # `rows` counts data rows: a header row comes on top. Formatted empty rows
                    # are tolerated up to as many again.
                    if filled > max_rows + 1 or count > 2 * max_rows + 1000:
                        raise TooBig(self._too_many_rows())
                    if len(row) > max_columns:
                        raise TooBig(self._too_many_columns())
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
                                if column >= max_columns:
                                    raise TooBig(self._too_many_columns())
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
            except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError, EOFError, IndexError) as e:
                raise XlsxError(str(e)) from e
        finally:
            fh.close()

    def _too_many_rows(self):
        return _("The sheet has more than %(max)s rows; split it into several files.") % {
            "max": f"{self.limits['rows']:,}"}

    def _check_dimension(self, ref):
        """"A1:K150001": refuse at once what the sheet says it holds (the rows are counted anyway)."""
        last = ref.split(":")[-1]
        letters = last.rstrip("0123456789")
        digits = last[len(letters):]
        if digits.isdigit() and int(digits) > self.limits["rows"] + 1001:  # header and stray formatted rows
            raise TooBig(self._too_many_rows())
        if letters.isalpha() and letters.isupper() and _column_index(letters) >= self.limits["columns"]:
            raise TooBig(self._too_many_columns())

    def _too_many_columns(self):
        return _("The sheet has more than %(max)s columns; it is not a sheet of this kind.") % {
            "max": self.limits["columns"]}

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
