"""Pledges entered from paper as an Excel workbook (one row a pledge), read with the
guarded reader (core/xlsx_read.py): a workbook over the limits is refused before any row is used.

Columns (first row): 手机号, 年度, 承诺事项, 完成时限, 可衡量的结果."""

import datetime
import io

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from vanguard.core.xlsx_read import SheetReader, TooBig, XlsxError, check_size, limits

MAX_ROWS = 20_000
COLUMNS = [("mobile", "手机号"), ("year", "年度"), ("what", "承诺事项"), ("deadline", "完成时限"),
           ("measure", "可衡量的结果")]


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return parse_date(str(value or "").strip())
    except ValueError:
        return None


def read_pledges(data):
    """[{row, mobile, year, what, deadline, measure}] or ValidationError."""
    try:
        check_size(len(data))
        reader = SheetReader(io.BytesIO(data), None, limits(rows=MAX_ROWS))
    except TooBig as e:
        raise ValidationError(str(e)) from None
    except XlsxError:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None
    try:
        rows = reader.rows()
        first = next(rows, None)
        titles = {str(v).strip(): i for i, v in enumerate(first[1] if first else ()) if v is not None}
        missing = [title for _key, title in COLUMNS if title not in titles]
        if missing:
            raise ValidationError(_("Column(s) missing from the first row: %(columns)s.") % {
                "columns": "、".join(missing)})
        items = []
        for line, values in rows:
            cells = {key: values[titles[title]] if titles[title] < len(values) else None for key, title in COLUMNS}
            if all(v in (None, "") for v in cells.values()):
                continue
            mobile = cells["mobile"]
            mobile = str(int(mobile)) if isinstance(mobile, float | int) else str(mobile or "").strip()
            items.append({"row": line, "mobile": mobile, "year": cells["year"], "what": str(cells["what"] or ""),
                          "deadline": _date(cells["deadline"]), "measure": str(cells["measure"] or "")})
        return items
    except TooBig as e:
        raise ValidationError(str(e)) from None
    except XlsxError:
        raise ValidationError(_("The file is not an Excel workbook (.xlsx).")) from None
    finally:
        reader.close()
