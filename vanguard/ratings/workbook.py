"""Excel in: the transactions template and its reader (all or nothing, Chinese
row and column messages)."""

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from vanguard.core import xlsx_write
from vanguard.core.xlsx_read import SheetReader, TooBig, XlsxError, check_size, limits

COLUMNS = [
    ("number", "办件编号"), ("service_item", "事项名称"), ("window", "窗口编号"), ("person", "经办人"),
    ("person_mobile", "经办人手机"), ("kind", "办件类型"), ("user_kind", "服务对象类型"),
    ("accepted_at", "受理时间"), ("completed_at", "办结时间"), ("rater_name", "办事人姓名"),
    ("rater_phone", "办事人电话"),
]
REQUIRED = {"number", "service_item", "window", "accepted_at"}
# Transactions of one file: a month of a large centre; more is split, or sent through the API in batches.
MAX_ROWS = 100_000


def template():
    wb = Workbook()
    ws = wb.active
    ws.title = "办件"
    ws.append(xlsx_write.row(ws, [title for _key, title in COLUMNS]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(xlsx_write.row(ws, ["2026-000001", "企业设立登记", "A01", "李党员", "", "即办件", "企业",
                                  "2026-09-30 09:12", "2026-09-30 09:40", "", ""]))
    for i in range(len(COLUMNS)):
        ws.column_dimensions[chr(ord("A") + i)].width = 16
    return xlsx_write.save(wb)


def read(file):
    """Rows as dicts and a row-label function ("第 N 行"), or ValidationError. `file` is bytes or
    an upload; read with the guarded reader: a workbook over the limits is refused before any
    row is used."""
    try:
        if hasattr(file, "read"):
            check_size(getattr(file, "size", None))
            file.seek(0)
            file = file.read()
        check_size(len(file))
        data = file
        reader = SheetReader(io.BytesIO(data), None, limits(rows=MAX_ROWS))
    except TooBig as e:
        raise ValidationError(str(e)) from None
    except XlsxError:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None
    try:
        return _items(reader)
    except TooBig as e:
        raise ValidationError(str(e)) from None
    except XlsxError:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None
    finally:
        reader.close()


def _items(reader):
    rows = reader.rows()
    first = next(rows, None)
    header = first[1] if first else ()
    titles = {str(v).strip(): i for i, v in enumerate(header) if v is not None}
    index, missing = {}, []
    for key, title in COLUMNS:
        if title in titles:
            index[key] = titles[title]
        elif key in REQUIRED:
            missing.append(title)
    if missing:
        raise ValidationError(_("Column(s) missing from the first row: %(columns)s.") % {
            "columns": "、".join(missing)})
    items, lines = [], []
    for line, row in rows:
        if not row or all(v in (None, "") for v in row):
            continue
        item = {}
        for key, i in index.items():
            value = row[i] if i < len(row) else None
            item[key] = value.strip() if isinstance(value, str) else ("" if value is None else value)
            if key in ("number", "window", "person_mobile", "rater_phone") and isinstance(value, int | float):
                item[key] = str(int(value))
        items.append(item)
        lines.append(line)
    if not items:
        raise ValidationError(_("The workbook has no transactions."))
    return items, (lambda i: _("Row %(n)s") % {"n": lines[i]})
