"""Opening an uploaded roster: refuse what is not a sane .xlsx, check the headers,
then hand out the data rows with their Excel row numbers."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from vanguard.core.xlsx_read import SheetReader, TooBig, XlsxError, limits

from .columns import HEADERS, MAX_BYTES, MAX_ROWS, SHEET_ROSTER, fold, text


@dataclass
class RosterError:
    """One problem, placed where the user can find it in the file."""

    reason: str
    row: int | None = None
    column: str = ""  # the column letter in the uploaded file
    header: str = ""
    value: str = ""
    code: str = ""

    def __str__(self):
        place = {"row": self.row, "column": self.column, "header": self.header, "reason": self.reason}
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s (%(header)s): %(reason)s") % place
        if self.row:
            return _("Row %(row)s: %(reason)s") % place
        if self.column:
            return _("Column %(column)s (%(header)s): %(reason)s") % place
        return self.reason


class FileRejected(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def _read_bytes(file):
    """Bytes of a path, an uploaded file or a file object; refuses oversized files before reading them."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > MAX_BYTES:
            raise FileRejected([_too_big(size)])
        if hasattr(file, "read"):
            if hasattr(file, "seek"):
                file.seek(0)
            data = file.read(MAX_BYTES + 1)
        else:
            with open(file, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileRejected([_too_big(len(data))])
    return data


def _too_big(size):
    return RosterError(_("The file is %(size).1f MB; a roster may be at most %(max)s MB. Split it into several "
                         "files.") % {"size": size / 1024 / 1024, "max": MAX_BYTES // (1024 * 1024)},
                       code="file_too_big")


def file_name(file):
    name = getattr(file, "name", None) if not isinstance(file, str | bytes | bytearray) else file
    if isinstance(name, bytes | bytearray):
        return ""
    return str(name or "").replace("\\", "/").rsplit("/", 1)[-1]


def open_roster(file):
    """(column map {header: index}, header letters, iterator of (row number, values)).
    Raises FileRejected with every problem of the file as a whole."""
    name = file_name(file)
    if name and not name.lower().endswith(".xlsx"):
        raise FileRejected([RosterError(
            _("“%(name)s” is not an .xlsx workbook. Download the template, fill it in and save it as "
              "“Excel 工作簿 (*.xlsx)”; .xls, .csv and .et files are not accepted.") % {"name": name},
            code="not_xlsx")])
    data = _read_bytes(file)
    if not data.startswith(b"PK\x03\x04"):
        raise FileRejected([RosterError(
            _("The file is not an .xlsx workbook (perhaps an old .xls file renamed). Open it in Excel or WPS "
              "and save it as “Excel 工作簿 (*.xlsx)”."), code="not_xlsx")])
    try:
        reader = SheetReader(io.BytesIO(data), SHEET_ROSTER, limits(rows=MAX_ROWS, file_bytes=MAX_BYTES))
    except TooBig as e:
        raise FileRejected([RosterError(str(e), code="file_too_big")]) from None
    except XlsxError:
        raise FileRejected([RosterError(
            _("The workbook could not be opened; it may be damaged. Save it again from Excel or WPS as "
              "“Excel 工作簿 (*.xlsx)”."), code="not_xlsx")]) from None
    rows = reader.rows()
    try:
        first = next(rows, None)
    except TooBig as e:
        reader.close()
        raise FileRejected([RosterError(str(e), code="too_many_rows")]) from None
    except XlsxError:
        reader.close()
        raise FileRejected([RosterError(_("The sheet “%(sheet)s” could not be read; it may be damaged.")
                                        % {"sheet": SHEET_ROSTER}, code="not_xlsx")]) from None
    header_row = first[1] if first and first[0] == 1 else ()
    columns, letters = {}, {}
    errors = []
    for index, value in enumerate(header_row):
        header = fold(value)
        if not header:
            continue
        letter = get_column_letter(index + 1)
        if header not in HEADERS:
            errors.append(RosterError(
                _("“%(value)s” is not a roster column. The headers are: %(headers)s.")
                % {"value": text(value), "headers": "、".join(HEADERS)},
                row=1, column=letter, header=text(value), value=text(value), code="header_unknown"))
        elif header in columns:
            errors.append(RosterError(
                _("The column “%(header)s” appears twice (columns %(first)s and %(second)s).")
                % {"header": header, "first": letters[header], "second": letter},
                row=1, column=letter, header=header, value=header, code="header_twice"))
        else:
            columns[header] = index
            letters[header] = letter
    missing = [h for h in HEADERS if h not in columns]
    if missing:
        errors.insert(0, RosterError(
            _("Row 1 lacks the column(s) %(missing)s. Use the template's headers: %(headers)s.")
            % {"missing": "、".join(missing), "headers": "、".join(HEADERS)},
            row=1, code="header_missing"))
    if errors:
        reader.close()
        raise FileRejected(errors)
    return columns, letters, _data_rows(reader, rows, columns)


def _data_rows(reader, rows, columns):
    width = max(columns.values()) + 1
    count = 0
    try:
        for number, values in rows:
            values = tuple(values[:width]) + (None,) * (width - len(values))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileRejected([RosterError(
                    _("The file has more than %(max)s people; split it into several files.")
                    % {"max": f"{MAX_ROWS:,}"}, code="too_many_rows")])
            yield number, values
    except TooBig as e:
        raise FileRejected([RosterError(str(e), code="too_many_rows")]) from None
    except XlsxError:
        raise FileRejected([RosterError(_("The sheet “%(sheet)s” could not be read; it may be damaged.")
                                        % {"sheet": SHEET_ROSTER}, code="not_xlsx")]) from None
    finally:
        reader.close()
