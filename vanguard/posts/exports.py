"""The list of named posts for the media (公示): an Excel sheet and a Word
document a newspaper or website can publish as they are."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from vanguard.core import xlsx_write
from vanguard.core.text import xml_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _rows(posts):
    for i, post in enumerate(posts, start=1):
        holders = list(post.post_holders.all())
        yield [
            i, post.name, post.get_kind_display(), post.unit.name if post.unit_id else
            (post.window.unit.name if post.window_id else ""),
            str(post.window) if post.window_id else "",
            "、".join(f"{h.person.name}（{_('party member')}）" if h.person.is_party_member else h.person.name
                     for h in holders),
            "；".join(post.scope_lines),
            *[text for _label, text in post.pledges],
            post.complaint_phone,
            post.named_by.name if post.named_by_id else "",
            post.named_on.isoformat() if post.named_on else "",
            post.certificate_number,
            post.public_url,
        ]


def _headers():
    return [_("No."), _("Post"), _("Kind"), _("Unit"), _("Window"), _("Holders"), _("Service scope"),
            _("Pledge on work standard"), _("Pledge on time limit"), _("Pledge on service quality"),
            _("Pledge on service attitude"), _("Complaint phone"), _("Named by"), _("Named on"),
            _("Certificate number"), _("Public page")]


def named_posts_xlsx(posts):
    wb = Workbook()
    ws = wb.active
    ws.title = _("Named posts")[:31]
    ws.append(xlsx_write.row(ws, [_("Communist Party member vanguard posts") + " · " + timezone.localdate().isoformat()]))
    ws["A1"].font = Font(bold=True, size=14, color="9E0C24")
    ws.append(xlsx_write.row(ws, _headers()))
    for cell in ws[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="C8102E")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in _rows(posts):
        ws.append(xlsx_write.row(ws, row))
    widths = [6, 24, 10, 20, 16, 30, 36, 30, 30, 30, 30, 16, 20, 12, 16, 34]
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "C3"
    return xlsx_write.save(wb)


def named_posts_docx(posts):
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(10)
    doc.add_heading(_("Communist Party member vanguard posts"), level=1)
    doc.add_paragraph(_("The following posts have been named. The public is welcome to supervise them.")
                      + " " + timezone.localdate().isoformat())
    headers = [_("No."), _("Post"), _("Unit"), _("Window"), _("Holders"), _("Service scope"), _("Pledges"),
               _("Complaint phone"), _("Certificate number")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in _rows(posts):
        cells = table.add_row().cells
        values = [row[0], row[1], row[3], row[4], row[5], row[6], "\n".join(row[7:11]), row[11], row[14]]
        for cell, value in zip(cells, values, strict=True):
            cell.text = xml_safe(str(value))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
