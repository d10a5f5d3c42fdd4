"""The per-scorer Excel template (pre-filled with their people and indicators)
and its upload: all or nothing, each problem placed by row and column in
Chinese. A hidden sheet carries the month's and scheme's ids, so a file of
another month or scheme is refused."""

import io
import itertools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from vanguard.core import xlsx_write
from vanguard.core.xlsx_read import SheetReader, TooBig, XlsxError, check_size, limits

from .models import Cell, Part
from .scoring import NOTE_MAX, Entry, grid_people, save_scores

SHEET = "评分"
META_SHEET = "_vanguard"
FIRST_INDICATOR_COLUMN = 5  # A person id, B name, C window, D branch
MAX_BYTES = 10 * 1024 * 1024


def template(user, period, part, group=None):
    """The .xlsx bytes: one row per person the user scores on `part`."""
    from .auto import ensure_computed

    # The computed cells come filled in with the rule's points, as the grid shows them (a new month's
    # are computed here first): a file returned unchanged overrides nothing.
    ensure_computed(period)
    indicators = list(period.scheme.indicators.filter(part=part))
    people = list(grid_people(user, period, part, group))
    existing = {(s.person_id, s.indicator_id): (s.points, s.note) for s in Cell.objects.filter(
        period=period, person__in=[p.pk for p in people], indicator__in=indicators).only(
        "person_id", "indicator_id", "points", "note")}
    notes_from = FIRST_INDICATOR_COLUMN + len(indicators)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = [_("Person no."), _("Full name"), _("Window"), _("Party branch")]
    headers += [_("%(code)s %(name)s (max %(max)s)") % {"code": i.code, "name": i.name, "max": i.maximum.normalize()}
                for i in indicators]
    # One note column per indicator after the points: why points were lost (read back on upload).
    headers += [_("%(code)s note: why points were lost") % {"code": i.code} for i in indicators]
    ws.append(xlsx_write.row(ws, headers))
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    grey = PatternFill("solid", fgColor="EEEEEE")
    for person in people:
        row = [person.pk, person.name, person.window.number if person.window_id else "",
               person.branch.name if person.branch_id else ""]
        cells = [existing.get((person.pk, ind.pk)) for ind in indicators]
        row += [float(cell[0]) if cell is not None else None for cell in cells]
        row += [cell[1] if cell is not None and cell[1] else None for cell in cells]
        ws.append(xlsx_write.row(ws, row))
    for r in range(2, len(people) + 2):
        for c in range(1, 5):
            ws.cell(r, c).fill = grey
    for offset, ind in enumerate(indicators):
        letter = get_column_letter(FIRST_INDICATOR_COLUMN + offset)
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(ind.maximum),
                            allow_blank=True, showErrorMessage=True, errorTitle=_("Points"),
                            error=_("0 to %(max)s points") % {"max": ind.maximum.normalize()})
        dv.add(f"{letter}2:{letter}{max(len(people) + 1, 2)}")
        ws.add_data_validation(dv)
        ws.column_dimensions[letter].width = 12
        note_letter = get_column_letter(notes_from + offset)
        ws.column_dimensions[note_letter].width = 24
        notes_dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(NOTE_MAX),
                                  allow_blank=True, showErrorMessage=True, errorTitle=_("Note"),
                                  error=_("At most %(max)s characters") % {"max": NOTE_MAX})
        notes_dv.add(f"{note_letter}2:{note_letter}{max(len(people) + 1, 2)}")
        ws.add_data_validation(notes_dv)
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["D"].width = 18
    ws.freeze_panes = "E2"
    ws.row_dimensions[1].height = 60
    meta = wb.create_sheet(META_SHEET)
    for key, value in (("period", period.pk), ("scheme", period.scheme_id), ("part", str(part)),
                       ("month", period.label), ("centre", period.centre_id), ("notes_from", notes_from)):
        meta.append(xlsx_write.row(meta, [key, value]))
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    for row in meta.iter_rows():
        for cell in row:
            cell.protection = Protection(locked=True)
    return xlsx_write.save(wb)


def template_name(period, part):
    return f"{period.label}-{Part(part).label}-评分表.xlsx"


class _Where:
    """Where a cell is, formatted only for a cell with a problem (most of 70,000 have none)."""

    __slots__ = ("text", "values")

    def __init__(self, text, values):
        self.text, self.values = text, values

    def __str__(self):
        return self.text % self.values


def _open(file, sheet):
    """A streaming reader of one sheet (the roster import's: openpyxl builds an object per
    cell and spent most of an upload's time on 70,000 of them)."""
    try:
        check_size(getattr(file, "size", None), MAX_BYTES)
        data = file.read(MAX_BYTES + 1) if hasattr(file, "read") else bytes(file)
        check_size(len(data), MAX_BYTES)
        return SheetReader(io.BytesIO(data), sheet, limits(file_bytes=MAX_BYTES)), data
    except TooBig as e:
        raise ValidationError(str(e)) from e
    except XlsxError as e:
        raise ValidationError(_("This is not an Excel (.xlsx) file; download the template and fill it in.")) from e


def _rows(reader):
    try:
        yield from reader.rows()
    except TooBig as e:
        raise ValidationError(str(e)) from e
    except XlsxError as e:
        raise ValidationError(_("This is not an Excel (.xlsx) file; download the template and fill it in.")) from e


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def read_upload(file, period):
    """(part, entries) of an uploaded template, or ValidationError (all problems listed)."""
    reader, data = _open(file, SHEET)
    try:
        if META_SHEET not in reader.sheet_names or SHEET not in reader.sheet_names:
            raise ValidationError(_("This file is not a scoring template of Vanguard; download the template "
                                    "of this month and fill it in."))
        meta_reader, _data = _open(data, META_SHEET)
        try:
            meta = {str(r[0]): r[1] for _n, r in _rows(meta_reader) if len(r) > 1 and r[0]}
        finally:
            meta_reader.close()
        month = meta.get("month") or "?"
        if str(meta.get("period")) != str(period.pk):
            raise ValidationError(_("This file is the template of %(other)s, not of %(month)s; download this "
                                    "month's template.") % {"other": month, "month": period.label})
        if str(meta.get("scheme")) != str(period.scheme_id):
            raise ValidationError(_("This file was made for another version of the scheme; download the "
                                    "template again."))
        part = meta.get("part")
        if part not in Part.values:
            raise ValidationError(_("This file is not a scoring template of Vanguard; download the template "
                                    "of this month and fill it in."))
        indicators = {i.code: i for i in period.scheme.indicators.filter(part=part)}
        rows = _rows(reader)
        first = next(rows, None)
        header = first[1] if first and first[0] == 1 else ()
        # Columns from `notes_from` on hold notes (templates made before notes have none).
        notes_from = _int_or_none(meta.get("notes_from")) or len(header) + 1
        columns, note_columns, errors = [], {}, []
        for index, title in enumerate(header[FIRST_INDICATOR_COLUMN - 1:], start=FIRST_INDICATOR_COLUMN):
            if title is None or str(title).strip() == "":
                continue
            code = str(title).split()[0]
            ind = indicators.get(code)
            if ind is None:
                errors.append(_("Column %(col)s: “%(title)s” is not an indicator of this scheme.") % {
                    "col": get_column_letter(index), "title": title})
            elif index >= notes_from:
                note_columns[ind.pk] = index
                continue
            columns.append((index, ind))
        missing = set(indicators) - {ind.code for _i, ind in columns if ind}
        if missing:
            errors.append(_("Columns are missing for the indicators %(codes)s.") % {"codes": "、".join(sorted(missing))})
        if errors:
            raise ValidationError(errors)
        if first and first[0] != 1:
            rows = itertools.chain([first], rows)
        entries = []
        # Translated once: 70,000 cells would otherwise spend seconds in gettext.
        where_format = _("Row %(row)s, column %(col)s (%(name)s, %(code)s %(indicator)s)")
        letters = {index: get_column_letter(index) for index, _ind in columns}
        for number, row in rows:
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            person_id = row[0] if row else None
            name = row[1] if len(row) > 1 else ""
            for index, ind in columns:
                value = row[index - 1] if index - 1 < len(row) else None
                if value is None or (isinstance(value, str) and value.strip() == ""):
                    continue
                note_index = note_columns.get(ind.pk)
                note = row[note_index - 1] if note_index and note_index - 1 < len(row) else None
                where = _Where(where_format, {"row": number, "col": letters[index], "name": name or "—",
                                              "code": ind.code, "indicator": ind.name})
                entries.append(Entry(person_id=person_id, indicator_id=ind.pk, points=value,
                                     note="" if note is None else str(note), where=where))
        return part, entries
    finally:
        reader.close()


def upload(user, period, file):
    """Read and save an uploaded template; returns the number of cells saved."""
    _part, entries = read_upload(file, period)
    if not entries:
        raise ValidationError(_("The file contains no points."))
    return save_scores(user, period, entries, source="excel")

