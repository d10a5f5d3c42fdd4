"""The printable target responsibility letter: PDF (WeasyPrint) and Word (python-docx),
A4, red header, the targets table and the two signature blocks."""

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from vanguard.assessment.documents import CJK_FONT, _cjk, chinese_date
from vanguard.core.text import xml_safe


def letter_context(letter):
    centre = letter.centre
    targets = list(letter.targets.all())
    sections = []
    for value, label in type(targets[0]).Section.choices if targets else []:
        rows = [t for t in targets if t.section == value]
        if rows:
            sections.append({"label": label, "targets": rows, "weight": sum(t.weight for t in rows)})
    return {
        "letter": letter, "office_name": centre.office_name or centre.name, "centre": centre,
        "party": letter.leader.name if letter.leader_id else letter.unit.name,
        "sections": sections, "total": sum(t.weight for t in targets),
        "signed_text": chinese_date(letter.signed_on) if letter.signed_on else "",
    }


def letter_pdf(letter):
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string("pledges/pdf/letter.html", letter_context(letter))
    return HTML(string=html, base_url="/").write_pdf()


def letter_docx(letter):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    with translation.override("zh-hans"):
        ctx = letter_context(letter)
        doc = Document()
        for section in doc.sections:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.top_margin = section.bottom_margin = Cm(2.2)
            section.left_margin = section.right_margin = Cm(2)
        for name in ("Normal", "Table Grid"):
            style = doc.styles[name]
            style.font.name = CJK_FONT
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
        doc.styles["Normal"].font.size = Pt(12)
        head = doc.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _cjk(head.add_run(xml_safe(ctx["office_name"])), 22, True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _cjk(title.add_run(xml_safe(letter.title)), 16, True)
        doc.add_paragraph(xml_safe(_("Responsible party: %(party)s (%(unit)s)") % {
            "party": ctx["party"], "unit": letter.unit.name}))
        headers = [_("Section"), _("Target"), _("Measure"), _("Weight")]
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
        for section in ctx["sections"]:
            for t in section["targets"]:
                cells = table.add_row().cells
                for cell, value in zip(cells, [str(section["label"]), t.text, t.measure, str(t.weight)], strict=True):
                    cell.text = xml_safe(value)
        cells = table.add_row().cells
        cells[0].text, cells[3].text = str(_("Total")), str(ctx["total"])
        doc.add_paragraph("")
        signs = doc.add_table(rows=3, cols=2)
        signs.cell(0, 0).text = xml_safe(_("Issued by (seal): %(office)s") % {"office": ctx["office_name"]})
        signs.cell(0, 1).text = xml_safe(_("Responsible party (signature): %(name)s") % {
            "name": letter.signatory or "　" * 6})
        signs.cell(1, 0).text = str(_("Person in charge (signature):"))
        signs.cell(1, 1).text = str(_("Date: %(date)s") % {"date": ctx["signed_text"] or "　　年　　月　　日"})
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def download(data, content_type, letter, ext):
    response = HttpResponse(data, content_type=content_type)
    name = f"{letter.title}.{ext}"
    response["Content-Disposition"] = (f"attachment; filename=\"letter-{letter.pk}.{ext}\"; "
                                       f"filename*=UTF-8''{quote(name)}")
    return response
