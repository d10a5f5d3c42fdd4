"""Writing roster workbooks: the empty template and the export share one shape,
so an exported file can be edited and imported again."""

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

from vanguard.core import xlsx_write

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


def _styled(ws, value, **style):
    return xlsx_write.cell(ws, value, **style)


def _roster_sheet(ws, rows, lists):
    """Written in openpyxl's write-only mode: an export of 10,000 people streams out in a second or two
    instead of building a cell object graph. Everything about the sheet is set before its rows."""
    for header, width in WIDTHS.items():
        ws.column_dimensions[LETTERS[header]].width = width
    # Phone and window numbers typed into the template stay text (leading zeros, no 1.38E+10). The date
    # column is left General: in a date-formatted empty cell a typed 20100701 would become day 20,100,701.
    for header in (MOBILE, WINDOW):
        ws.column_dimensions[LETTERS[header]].number_format = "@"
    ws.freeze_panes = "A2"
    _drop_downs(ws, lists)
    ws.row_dimensions[1].height = 22
    header_style = {"font": HEADER_FONT, "fill": HEADER_FILL, "border": Border(bottom=THIN),
                    "alignment": Alignment(horizontal="center", vertical="center")}
    ws.append([_styled(ws, header, **header_style) for header in HEADERS])
    date_column = HEADERS.index(JOINED)
    last = 1
    for row in rows:
        if row[date_column] is not None:  # a filled-in date shows as a date
            row[date_column] = _styled(ws, row[date_column], number_format="yyyy-mm-dd")
        ws.append(xlsx_write.row(ws, row))
        last += 1
    ws.auto_filter.ref = f"A1:{LETTERS[HEADERS[-1]]}{max(last, 2)}"


def _add_list(ws, header, formula, prompt):
    letter = LETTERS[header]
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                        errorTitle=header, error=_("Choose a value from the list."),
                        promptTitle=header, prompt=prompt, showInputMessage=True)
    dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.data_validations.append(dv)


def _drop_downs(ws, lists):
    _add_list(ws, GENDER, '"{}"'.format(",".join(GENDER_LABELS.values())), _("男 or 女"))
    _add_list(ws, STATUS, '"{}"'.format(",".join(STATUS_CHOICES)),
              _("A party member must have a branch; 群众 has no party date and no branch."))
    # Long lists (and names with commas) cannot be written inline: they live on a hidden sheet.
    prompts = {UNIT: _("A unit of this centre."), BRANCH: _("Required for a party member."),
               WINDOW: _("A window number of this centre.")}
    for col, header in enumerate((UNIT, BRANCH, WINDOW)):
        values = lists[header]
        if values:
            letter = "ABC"[col]
            _add_list(ws, header, f"'{SHEET_CHOICES}'!${letter}$2:${letter}${len(values) + 1}", prompts[header])


def _choices_sheet(ws, lists):
    columns = [lists[UNIT], lists[BRANCH], lists[WINDOW]]
    ws.append([UNIT, BRANCH, WINDOW])
    for i in range(max(len(c) for c in columns)):
        ws.append(xlsx_write.row(ws, [c[i] if i < len(c) else None for c in columns]))
    ws.sheet_state = "hidden"


def _help_sheet(wb, centre):
    ws = wb.create_sheet(SHEET_HELP)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 90
    ws.append([_styled(ws, _("%(centre)s staff roster: how to fill it in") % {"centre": centre.name},
                       font=Font(bold=True, size=14, color=RED))])
    ws.append([])
    notes = [
        _("Fill in one person per row on the sheet “%(sheet)s”, from row 2. Do not change, move or delete the "
          "headers in row 1.") % {"sheet": SHEET_ROSTER},
        _("The mobile number identifies a person: a number already in the system updates that person, a new "
          "number adds a person. The same number may appear only once in a file. People who are not in the "
          "file are left as they are."),
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
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, note in enumerate(notes, start=1):
        ws.append([f"{i}.", None, None, _styled(ws, note, alignment=wrap)])
    ws.append([])
    ws.append([_styled(ws, label, font=HEADER_FONT, fill=HEADER_FILL)
               for label in (_("Column"), _("Header"), _("Required"), _("What to enter"))])
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
        wb = Workbook(write_only=True)
        lists = reference_lists(centre)
        _roster_sheet(wb.create_sheet(SHEET_ROSTER), (person_row(p) for p in people), lists)
        _help_sheet(wb, centre)
        _choices_sheet(wb.create_sheet(SHEET_CHOICES), lists)
        return xlsx_write.save(wb)


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
