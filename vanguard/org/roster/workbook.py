"""Writing roster workbooks: the empty template and the export share one shape,
so an exported file can be edited and imported again."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Organization, Unit, Window
from .columns import (
    BRANCH,
    GENDER,
    GENDER_LABELS,
    HEADERS,
    JOB,
    JOB_MAX,
    JOINED,
    LETTERS,
    MAX_BYTES,
    MAX_ROWS,
    MOBILE,
    NAME,
    SHEET_CHOICES,
    SHEET_HELP,
    SHEET_ROSTER,
    STATUS,
    STATUS_CHOICES,
    STATUS_LABELS,
    UNIT,
    WINDOW,
)

WIDTHS = {NAME: 12, GENDER: 7, MOBILE: 16, STATUS: 15, JOINED: 13, UNIT: 28, BRANCH: 24, WINDOW: 11, JOB: 18}
REQUIRED = {NAME, MOBILE, STATUS}
RED = "C00000"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=RED)
THIN = Side(style="thin", color="999999")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reference_lists(centre):
    """The values the drop-downs offer: the centre's units, branches and windows."""
    units = list(Unit.objects.filter(centre=centre).values_list("name", flat=True))
    branches = list(
        Organization.objects.filter(
            centre=centre, kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]
        ).values_list("name", flat=True)
    )
    windows = list(Window.objects.filter(centre=centre).values_list("number", flat=True))
    # A name held by two branches cannot be imported, so it is listed once and the import names the clash.
    return {UNIT: units, BRANCH: list(dict.fromkeys(branches)), WINDOW: windows}


def _roster_sheet(ws, rows):
    ws.title = SHEET_ROSTER
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = Border(bottom=THIN)
    ws.row_dimensions[1].height = 22
    for header, width in WIDTHS.items():
        ws.column_dimensions[LETTERS[header]].width = width
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(row)
    last = max(ws.max_row, 2)
    # Phone numbers and window numbers are text (leading zeros, no 1.38E+10). Only filled-in dates get a
    # date format: in a date-formatted empty cell, a typed 20100701 would become day 20,100,701.
    for header, fmt in ((MOBILE, "@"), (WINDOW, "@"), (JOINED, "yyyy-mm-dd")):
        letter = LETTERS[header]
        if fmt == "@":
            ws.column_dimensions[letter].number_format = fmt
        for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=HEADERS.index(header) + 1,
                                    max_col=HEADERS.index(header) + 1):
            if fmt == "@" or cell.value is not None:
                cell.number_format = fmt
    ws.auto_filter.ref = f"A1:{LETTERS[HEADERS[-1]]}{last}"


def _add_list(ws, header, formula, prompt):
    letter = LETTERS[header]
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                        errorTitle=header, error=_("Choose a value from the list."),
                        promptTitle=header, prompt=prompt, showInputMessage=True)
    dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.add_data_validation(dv)


def _drop_downs(wb, ws, lists):
    _add_list(ws, GENDER, '"{}"'.format(",".join(GENDER_LABELS.values())), _("男 or 女"))
    _add_list(ws, STATUS, '"{}"'.format(",".join(STATUS_CHOICES)),
              _("A party member must have a branch; 群众 has no party date and no branch."))
    # Long lists (and names with commas) cannot be written inline: they live on a hidden sheet.
    choices = wb.create_sheet(SHEET_CHOICES)
    prompts = {UNIT: _("A unit of this centre."), BRANCH: _("Required for a party member."),
               WINDOW: _("A window number of this centre.")}
    for col, header in enumerate((UNIT, BRANCH, WINDOW), start=1):
        values = lists[header]
        choices.cell(row=1, column=col, value=header)
        for row, value in enumerate(values, start=2):
            choices.cell(row=row, column=col, value=value).number_format = "@"
        if values:
            letter = "ABC"[col - 1]
            _add_list(ws, header, f"'{SHEET_CHOICES}'!${letter}$2:${letter}${len(values) + 1}", prompts[header])
    choices.sheet_state = "hidden"


def _help_sheet(wb, centre):
    ws = wb.create_sheet(SHEET_HELP)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 90
    ws.append([_("%(centre)s staff roster: how to fill it in") % {"centre": centre.name}])
    ws["A1"].font = Font(bold=True, size=14, color=RED)
    ws.append([])
    notes = [
        _("Fill in one person per row on the sheet “%(sheet)s”, from row 2. Do not change, move or delete the "
          "headers in row 1.") % {"sheet": SHEET_ROSTER},
        _("The mobile number identifies a person: a number already in the system updates that person, a new "
          "number adds a person. The same number may appear only once in a file."),
        _("Mobile numbers may be written with spaces, dashes, a +86 or 0086 prefix or full-width digits; "
          "they are saved as 11 digits."),
        _("政治面貌 is 中共党员, 中共预备党员 or 群众 (正式党员 and 预备党员 are accepted too). A party member "
          "must have a 所在党支部; for 群众 leave 入党时间 and 所在党支部 empty."),
        _("入党时间 may be written as 2010-07-01, 2010/7/1, 2010.7.1, 2010年7月1日, 2010年7月 or 20100701, "
          "or entered as an Excel date."),
        _("派驻单位, 所在党支部 and 窗口编号 are chosen from the drop-down lists: the units, branches and windows "
          "already set up for %(centre)s. Ask the party-building office to add a missing one first.")
        % {"centre": centre.name},
        _("The import saves every row or none: if any row has a problem, nothing is saved and every problem "
          "is listed with its row and column. Correct the file and upload it again."),
        _("Empty rows are skipped. Only .xlsx workbooks are accepted, with at most %(rows)s rows and "
          "%(mb)s MB.") % {"rows": f"{MAX_ROWS:,}", "mb": MAX_BYTES // (1024 * 1024)},
    ]
    for i, note in enumerate(notes, start=1):
        ws.append([f"{i}.", note])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=4)
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[ws.max_row].height = 33
    ws.append([])
    ws.append([_("Column"), _("Header"), _("Required"), _("What to enter")])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    what = {
        NAME: _("Full name."),
        GENDER: _("男 or 女."),
        MOBILE: _("Mainland mobile number, 11 digits."),
        STATUS: _("中共党员, 中共预备党员 or 群众."),
        JOINED: _("Date the person joined the party; party members only."),
        UNIT: _("The home unit that seconds the person, from the list."),
        BRANCH: _("The branch holding the person's party registration; required for party members."),
        WINDOW: _("The number of the window the person works at, from the list."),
        JOB: _("Job or position, up to %(max)s characters.") % {"max": JOB_MAX},
    }
    for header in HEADERS:
        ws.append([LETTERS[header], header, _("yes") if header in REQUIRED else "", what[header]])


def build_workbook(centre, people=()):
    """The roster workbook for a centre as .xlsx bytes: `people` as rows (none for the template).
    Always in Chinese: it is the format offices exchange, whatever the page language."""
    with translation.override("zh-hans"):
        wb = Workbook()
        _roster_sheet(wb.active, (person_row(p) for p in people))
        _drop_downs(wb, wb.active, reference_lists(centre))
        _help_sheet(wb, centre)
        wb.active = 0
        out = io.BytesIO()
        wb.save(out)
    return out.getvalue()


def person_row(person):
    """One person in the file's spellings; the importer reads each of these back unchanged."""
    return [
        person.name,
        GENDER_LABELS.get(person.gender, ""),
        person.mobile,
        STATUS_LABELS.get(person.political_status, ""),
        person.joined_party_on,
        person.unit.name if person.unit_id else None,
        person.branch.name if person.branch_id else None,
        person.window.number if person.window_id else None,
        person.job or None,
    ]
