"""Outputs of a month: the written notice (书面通报) to a home unit as Word and
PDF, the Excel export of the whole month, and the yearly tally of stars."""

import io

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .explain import changes_between
from .models import Result


def notice_context(period, unit):
    results = list(Result.objects.filter(period=period, unit=unit, is_current=True)
                   .select_related("person", "branch").order_by("-is_star", "rank_centre", "person__name"))
    changed = []
    for r in results:
        if r.version > 1:
            old = Result.objects.filter(period=period, person=r.person, version=r.version - 1).first()
            if old:
                changed.append({"result": r, "changes": changes_between(old, r)})
    centre = period.centre
    return {
        "period": period, "unit": unit, "centre": centre,
        "office_name": centre.office_name or centre.name,
        "results": results, "stars": [r for r in results if r.is_star], "changed": changed,
        "title": _("Written notice on the dual-hundred assessment of %(year)s-%(month)02d") % {
            "year": period.month.year, "month": period.month.month},
        "date": timezone.localdate(), "scheme": period.scheme,
    }


def notice_docx(period, unit):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    with translation.override("zh-hans"):
        ctx = notice_context(period, unit)
        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "Noto Serif CJK SC"
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
        style.font.size = Pt(12)
        head = doc.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = head.add_run(ctx["office_name"])
        run.bold, run.font.size, run.font.color.rgb = True, Pt(22), RGBColor(0xC0, 0x00, 0x00)
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        trun = title.add_run(ctx["title"])
        trun.bold, trun.font.size = True, Pt(16)
        doc.add_paragraph(f"{unit.name}：")
        doc.add_paragraph(_(
            "The dual-hundred assessment of %(month)s for the members your unit seconds to %(centre)s has been "
            "published. %(count)s of your members were assessed; %(stars)s were named star members this month. "
            "The results are as follows.") % {
            "month": period.label, "centre": ctx["centre"].name, "count": len(ctx["results"]),
            "stars": len(ctx["stars"])})
        headers = [_("Full name"), _("Party branch"), _("Party-building part"), _("Work part"), _("Adjustments"),
                   _("Total points"), _("Rank in branch"), _("Star member")]
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
        for r in ctx["results"]:
            cells = table.add_row().cells
            values = [r.person.name, r.branch.name, r.party_points, r.work_points,
                      f"{(r.bonus - r.penalty):+}", r.total, r.rank_branch,
                      "★" + _("Star member") if r.is_star else ("" if not r.vetoed else _("Vetoed"))]
            for cell, value in zip(cells, values, strict=True):
                cell.text = str(value)
        if ctx["changed"]:
            doc.add_paragraph(_("Corrections after publication:"))
            for item in ctx["changed"]:
                r = item["result"]
                text = "；".join(f"{label} {a} → {b}" for label, a, b in item["changes"])
                doc.add_paragraph(f"{r.person.name}（{_('version')} {r.version}）：{text}。{r.change_reason}",
                                  style="List Bullet")
        doc.add_paragraph(_("Please pass this notice on to the members concerned."))
        sign = doc.add_paragraph(f"{ctx['office_name']}\n{ctx['date']:%Y年%m月%d日}")
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def notice_pdf(period, unit):
    from weasyprint import HTML

    with translation.override("zh-hans"):
        html = render_to_string("assessment/pdf/notice.html", notice_context(period, unit))
    return HTML(string=html, base_url="/").write_pdf()


def month_xlsx(period, results):
    """Every member's current result of the month, with scores by part, as .xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.title = period.label
    headers = [_("Full name"), _("Party branch"), _("Home unit"), _("Party-building part"), _("Work part"),
               _("Bonus"), _("Penalty"), _("Total points"), _("Rank in branch"), _("Rank in centre"), _("Vetoed"),
               _("Star member"), _("Version"), _("Why changed")]
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in results:
        ws.append([r.person.name, r.branch.name, r.unit.name if r.unit_id else "", float(r.party_points),
                   float(r.work_points), float(r.bonus), float(r.penalty), float(r.total), r.rank_branch,
                   r.rank_centre, _("yes") if r.vetoed else "", "★" if r.is_star else "", r.version,
                   r.change_reason])
    ws.freeze_panes = "B2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def yearly_tally(results_qs, year):
    """Star person-times of a year: per member and per branch, from current results."""
    qs = results_qs.filter(period__month__year=year, is_current=True)
    per_member = (qs.values("person_id", "person__name", "branch__name")
                  .annotate(stars=Count("pk", filter=Q(is_star=True)), months=Count("pk"))
                  .filter(stars__gt=0).order_by("-stars", "person__name"))
    per_branch = (qs.values("branch_id", "branch__name")
                  .annotate(stars=Count("pk", filter=Q(is_star=True)), members=Count("person", distinct=True))
                  .order_by("-stars", "branch__name"))
    total = qs.filter(is_star=True).count()
    return {"year": year, "per_member": list(per_member), "per_branch": list(per_branch), "total": total}
