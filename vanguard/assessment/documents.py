"""Outputs of a month: the written notice (书面通报) to a home unit as Word and
PDF, the Excel export of the whole month, and the yearly tally of stars."""

import datetime
import io

from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from vanguard.core import xlsx_write
from vanguard.core.text import xml_safe

from .explain import changes_between
from .models import Result

CJK_FONT = "Noto Serif CJK SC"


def notice_context(period, unit):
    results = list(Result.objects.filter(period=period, unit=unit, is_current=True)
                   .select_related("person", "branch").order_by("-is_star", F("rank_centre").asc(nulls_last=True), "person__name"))
    changed = []
    for r in results:
        if r.version > 1:
            old = Result.objects.filter(period=period, person=r.person, version=r.version - 1).first()
            if old:
                changed.append({"result": r, "changes": changes_between(old, r)})
    centre = period.centre
    unassessed = [r for r in results if not r.assessed]
    # Dated by what it reports (publication, or the latest correction), not by the download:
    # Word and PDF, and a copy fetched later, carry the same date.
    stamps = [r.created_at for r in results if r.created_at] or [period.published_at or timezone.now()]
    date = timezone.localdate(max(stamps))
    return {
        "period": period, "unit": unit, "centre": centre,
        "office_name": centre.office_name or centre.name,
        "addressee": addressee(unit),
        "results": results, "stars": [r for r in results if r.is_star], "changed": changed,
        "unassessed": unassessed, "unassessed_text": unassessed_text(unassessed, date),
        "title": _("Written notice on the dual-hundred assessment of %(year)s-%(month)02d") % {
            "year": period.month.year, "month": period.month.month},
        "date": date, "date_text": chinese_date(date), "scheme": period.scheme,
    }


def addressee(unit):
    """The home unit's party organisation (派驻单位党组织), whom the seed says the notice goes to."""
    return _("Party organisation of %(unit)s") % {"unit": unit.name}


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def unassessed_text(unassessed, date):
    """The office's decision on members without scores, as the notice states it."""
    if not unassessed:
        return ""
    names = "、".join(f"{r.person.name}（{'、'.join(str(p) for p in r.unassessed_parts())}）" for r in unassessed)
    return _("%(n)s of your members had no score entered in a part this month and are not assessed in it: "
             "%(names)s. The party-building office confirmed publishing the month on %(date)s without "
             "giving them points; they are not ranked and cannot be star members this month.") % {
        "n": len(unassessed), "names": names, "date": chinese_date(date)}


def notice_filename(period, unit, ext):
    return f"{unit.name}-{period.label}-双百分考核书面通报.{ext}"


def _cjk(run, size=None, bold=None):
    """A run in the Chinese serif font (East Asian text needs w:eastAsia, not just the font name)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = CJK_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    return run


def notice_docx(period, unit):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    with translation.override("zh-hans"):
        ctx = notice_context(period, unit)
        doc = Document()
        # A4 with the PDF's margins (python-docx starts from US Letter).
        for section in doc.sections:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.top_margin = section.bottom_margin = Cm(2.2)
            section.left_margin = section.right_margin = Cm(2)
        for name in ("Normal", "Table Grid", "List Bullet"):
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
        _cjk(title.add_run(ctx["title"]), 16, True)
        doc.add_paragraph(xml_safe(f"{ctx['addressee']}："))
        doc.add_paragraph(xml_safe(_(
            "The dual-hundred assessment of %(month)s for the members your unit seconds to %(centre)s has been "
            "published. %(count)s of your members were assessed; %(stars)s were named star members this month. "
            "The results are as follows.") % {
            "month": period.label, "centre": ctx["centre"].name, "count": len(ctx["results"]),
            "stars": len(ctx["stars"])}))
        headers = [_("Full name"), _("Party branch"), _("Party-building part"), _("Work part"), _("Adjustments"),
                   _("Total points"), _("Rank in branch"), _("Star member")]
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(text)
        for r in ctx["results"]:
            cells = table.add_row().cells
            na = _("not assessed")
            values = [r.person.name, r.branch.name, na if r.party_points is None else r.party_points,
                      na if r.work_points is None else r.work_points,
                      f"{(r.bonus - r.penalty):+}", "—" if r.total is None else r.total,
                      "—" if r.rank_branch is None else r.rank_branch,
                      "★" + _("Star member") if r.is_star else ("" if not r.vetoed else _("Vetoed"))]
            for cell, value in zip(cells, values, strict=True):
                cell.text = xml_safe(str(value))
        if ctx["unassessed_text"]:
            doc.add_paragraph(xml_safe(ctx["unassessed_text"]))
        if ctx["changed"]:
            doc.add_paragraph(_("Corrections after publication:"))
            for item in ctx["changed"]:
                r = item["result"]
                text = "；".join(f"{label} {a} → {b}" for label, a, b in item["changes"])
                doc.add_paragraph(xml_safe(f"{r.person.name}（{_('version')} {r.version}）：{text}。{r.change_reason}"),
                                  style="List Bullet")
        doc.add_paragraph(_("Please pass this notice on to the members concerned."))
        sign = doc.add_paragraph(xml_safe(f"{ctx['office_name']}\n{ctx['date_text']}"))
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
    ws.append(xlsx_write.row(ws, [str(h) for h in headers]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    na = _("not assessed")

    def points(value):
        return na if value is None else float(value)

    for r in results:
        ws.append(xlsx_write.row(ws, [
            r.person.name, r.branch.name, r.unit.name if r.unit_id else "", points(r.party_points),
            points(r.work_points), float(r.bonus), float(r.penalty), points(r.total), r.rank_branch,
            r.rank_centre, _("yes") if r.vetoed else "", "★" if r.is_star else "", r.version, r.change_reason]))
    ws.freeze_panes = "B2"
    return xlsx_write.save(wb)


TALLY_ROWS = 200  # the page lists the members with the most star months first, at most this many


def yearly_tally(results_qs, year, *, limit=TALLY_ROWS):
    """Star person-times of a year: per member (the `limit` with most stars; `members_with_stars`
    counts them all) and per branch, from current results."""
    start = datetime.date(year, 1, 1)
    qs = results_qs.filter(period__month__gte=start, period__month__lt=start.replace(year=year + 1),
                           is_current=True)
    starred = (qs.filter(is_star=True).values("person_id", "person__name", "branch__name")
               .annotate(stars=Count("pk")).order_by("-stars", "person__name", "person_id"))
    per_branch = (qs.values("branch_id", "branch__name")
                  .annotate(stars=Count("pk", filter=Q(is_star=True)), members=Count("person", distinct=True))
                  .order_by("-stars", "branch__name"))
    per_branch = list(per_branch)
    total = sum(b["stars"] for b in per_branch)
    return {"year": year, "per_member": list(starred[:limit]), "per_branch": per_branch, "total": total,
            "members_with_stars": starred.count() if limit is not None else None, "limit": limit}
