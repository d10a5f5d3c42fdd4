"""The annual report: Word (.docx) and PDF for a centre (or the city) and a year, one
section per practice, each a table month by month. Every number comes from the same
pre-aggregated figures the dashboard shows (dim "centre"), so the report and the dashboard
agree; `vanguard figures show` prints any of them from its live query."""

import datetime
import io
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.core.text import xml_safe

from .metrics import METRICS, ratio
from .models import Dim, Figure, Refresh

CONTENT_TYPES = {"pdf": "application/pdf",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

# (section title, [(column label, kind, numerator metric, denominator metric)])
SECTIONS = [
    (_("Vanguard posts"), [("named", "count", "named", None), ("revoked", "count", "revoked", None)]),
    (_("Assessment and stars"), [("results", "count", "results", None), ("stars", "count", "stars", None),
                                 ("average", "average", "results", None)]),
    (_("The public's voice"), [("accepted", "count", "accepted", None), ("completed", "count", "completed", None),
                               ("rated", "count", "rated", None), ("satisfaction", "rate", "satisfied", "rated"),
                               ("bad", "count", "bad", None), ("on_time", "rate", "cases_on_time", "cases_closed")]),
    (_("The public's voice: feedback cases"), [
        ("fb_received", "count", "fb_received", None), ("fb_complaints", "count", "fb_complaints", None),
        ("fb_suggestions", "count", "fb_suggestions", None), ("fb_help", "count", "fb_help", None),
        ("fb_closed", "count", "fb_closed", None), ("fb_on_time", "rate", "fb_on_time", "fb_answered"),
        ("fb_satisfied", "rate", "fb_satisfied", "fb_called_back")]),
    (_("Pledges"), [("pl_made", "count", "pl_made", None), ("pl_approved", "count", "pl_approved", None),
                    ("pl_judged", "count", "pl_judged", None), ("pl_kept", "count", "pl_kept", None),
                    ("pl_kept_rate", "rate", "pl_kept", "pl_judged")]),
    (_("Organisational life and activities"), [("attendance", "count", "attendance", None),
                                              ("activities", "count", "activities", None)]),
]
# Each section's chart: the columns drawn as bars, and the one drawn as a line (right axis).
CHARTS = {"named": (("named", "revoked"), None), "results": (("results", "stars"), "average"),
          "accepted": (("accepted", "completed"), "satisfaction"),
          "fb_received": (("fb_received", "fb_closed"), "fb_satisfied"),
          "pl_made": (("pl_made", "pl_kept"), "pl_kept_rate"), "attendance": (("attendance", "activities"), None)}
COLUMN_LABELS = {"named": _("Posts named"), "revoked": _("Posts revoked"), "results": _("Members assessed"),
                 "stars": _("Star members"), "average": _("Average assessment points"),
                 "accepted": _("Matters accepted"), "completed": _("Matters completed"), "rated": _("Ratings"),
                 "satisfaction": _("Satisfaction (%)"), "bad": _("Bad reviews"),
                 "on_time": _("Rectification on time (%)"), "attendance": _("Meeting attendances"),
                 "activities": _("Service activities (person-times)"),
                 "fb_received": _("Feedback cases received"), "fb_complaints": _("Complaints received"),
                 "fb_suggestions": _("Suggestions received"), "fb_help": _("Requests for help received"),
                 "fb_closed": _("Feedback cases closed"), "fb_on_time": _("Answered on time (%)"),
                 "fb_satisfied": _("Satisfied at call-back (%)"), "pl_made": _("Pledges made"),
                 "pl_approved": _("Pledges approved"), "pl_judged": _("Pledges judged at year's end"),
                 "pl_kept": _("Pledges kept"), "pl_kept_rate": _("Pledges kept (%)")}


def _value(table, kind, num, den, month=None):
    def get(metric):
        if month is None:
            return tuple(sum(v[i] for (m, _mo), v in table.items() if m == metric) for i in (0, 1))
        return table.get((metric, month), (0, 0))
    n, total = get(num)
    if kind == "count":
        return n
    if kind == "rate":
        return ratio(n, get(den)[0])
    return None if not n else round(float(total) / n, 2)


def _fmt(value):
    return "—" if value is None else str(value)


def build(year, centre=None, centres=None):
    """The report's content for one centre (or the given centres as the city) and a year."""
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("The year %(year)s has no records: choose a year from 2000 to %(now)s.")
                               % {"year": year, "now": today.year}})
    ids = [centre.pk] if centre is not None else [c.pk for c in centres]
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    table = {(r["metric"], r["month"]): (r["n"] or 0, r["t"] or 0) for r in Figure.objects.filter(
        centre__in=ids, dim=Dim.CENTRE, key=0, month__in=months).values("metric", "month")
        .annotate(n=Sum("n"), t=Sum("total")).order_by()}
    has_data = any(v[0] for v in table.values())
    from vanguard.core.workdays import WorkingCalendar
    from vanguard.org.models import Organization, Person

    notes = []
    if not WorkingCalendar().covers(year):
        notes.append(_("The working-day calendar of %(year)s has not been entered: deadlines of that year, and "
                       "so the rectification on-time figures, may be counted on weekdays only.") % {"year": year})
    sections = []
    if has_data:
        org = [(_("Party organisations"), Organization.objects.filter(centre__in=ids).count()),
               (_("Party members"), Person.objects.filter(centre__in=ids, is_active=True).members().count()),
               (_("People on the roster"), Person.objects.filter(centre__in=ids, is_active=True).count())]
        sections.append({"title": _("Organisation building"), "summary": org, "columns": [], "rows": []})
        for title, columns in SECTIONS:
            rows = [[f"{m.month}月"] + [_fmt(_value(table, kind, num, den, m)) for _k, kind, num, den in columns]
                    for m in months]
            total = [str(_("Whole year"))] + [_fmt(_value(table, kind, num, den)) for _k, kind, num, den in columns]
            sections.append({"title": title, "summary": [], "columns": [str(_("Month"))] + [
                str(COLUMN_LABELS[k]) for k, *_rest in columns], "rows": rows + [total],
                "chart": _chart(table, columns, months)})
        sections.append(_honours_section(centre, centres, year))
    for i, section in enumerate(sections, 1):
        section["number"] = _chinese_number(i)
    computed = Refresh.objects.filter(centre__in=ids).order_by("computed_at").values_list("computed_at",
                                                                                          flat=True).first()
    name = centre.name if centre is not None else _("The whole city")
    return {"year": year, "centre": centre, "name": name, "has_data": has_data, "sections": sections,
            "notes": notes, "computed_at": computed, "code": centre.code if centre is not None else "city",
            "title": _("%(name)s: party-building figures of %(year)s") % {"name": name, "year": year},
            "table": table}


def _chart(table, columns, months):
    """What a section's chart draws: {"months", "bars": [(label, values)], "line": (label, values) | None}."""
    bar_keys, line_key = CHARTS[columns[0][0]]
    spec = {k: (kind, num, den) for k, kind, num, den in columns}

    def series(key):
        kind, num, den = spec[key]
        return str(COLUMN_LABELS[key]), [_value(table, kind, num, den, m) for m in months]

    return {"months": [f"{m.month}月" for m in months], "bars": [series(k) for k in bar_keys],
            "line": series(line_key) if line_key else None}


def chart_png(section):
    """The section's chart as PNG bytes (drawn once per built report), or None."""
    if not section.get("chart"):
        return None
    if "png" not in section["chart"]:
        from . import charts

        chart = section["chart"]
        chart["png"] = charts.render(chart["months"], chart["bars"], chart["line"])
    return section["chart"]["png"]


def _honours_section(centre, centres, year):
    """The vanguard roll of the year, read through the honours app's selectors: how many of each kind."""
    from vanguard.honours.selectors import board

    counts = {}
    for c in ([centre] if centre is not None else centres):
        for entry in board(c, year=year)["roll"]:
            label, n = str(entry["label"]), len(entry["honours"])
            counts[label] = counts.get(label, 0) + n
    section = {"title": _("Honours"), "summary": list(counts.items()), "columns": [], "rows": []}
    if not any(counts.values()):
        section["note"] = _("No honours were recorded for this year.")
    return section


def value_of(data, metric_key, kind="count", den=None, month=None):
    """One number of a built report (tests compare it with the dashboard's)."""
    return _value(data["table"], kind, metric_key, den, month)


def filename(data, ext, quoted=False):
    name = f"{data['name']}-{data['year']}年度党建数据报告.{ext}"
    return quote(name) if quoted else name


def docx(data):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    from vanguard.assessment.documents import CJK_FONT, _cjk

    with translation.override("zh-hans"):
        doc = Document()
        for section in doc.sections:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            section.top_margin = section.bottom_margin = Cm(2.2)
            section.left_margin = section.right_margin = Cm(2)
        for style_name in ("Normal", "Table Grid", "Heading 1", "Heading 2"):
            style = doc.styles[style_name]
            style.font.name = CJK_FONT
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
        doc.styles["Normal"].font.size = Pt(11)
        head = doc.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _cjk(head.add_run(xml_safe(str(data["title"]))), 18, True)
        if data["computed_at"]:
            doc.add_paragraph(_("Figures computed at %(time)s.") % {
                "time": timezone.localtime(data["computed_at"]).strftime("%Y-%m-%d %H:%M")})
        for note in data["notes"]:
            doc.add_paragraph(xml_safe(str(note)))
        if not data["has_data"]:
            doc.add_paragraph(_("There are no records for %(year)s: this report is empty.") % {"year": data["year"]})
        for section in data["sections"]:
            doc.add_heading(f"{section['number']}、{section['title']}", level=2)
            for label, value in section["summary"]:
                doc.add_paragraph(f"{label}：{value}")
            if section.get("note"):
                doc.add_paragraph(str(section["note"]))
            png = chart_png(section)
            if png:
                doc.add_picture(io.BytesIO(png), width=Cm(17))
            if section["columns"]:
                table = doc.add_table(rows=1, cols=len(section["columns"]))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, section["columns"], strict=True):
                    cell.text = text
                for row in section["rows"]:
                    for cell, text in zip(table.add_row().cells, row, strict=True):
                        cell.text = text
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def pdf(data):
    import base64

    from weasyprint import HTML

    with translation.override("zh-hans"):
        for section in data["sections"]:
            png = chart_png(section)
            section["chart_src"] = f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else ""
        html = render_to_string("dashboard/pdf/report.html", data)
    return HTML(string=html, base_url="/").write_pdf()


def _chinese_number(n):
    digits = "零一二三四五六七八九十"
    return digits[n] if n <= 10 else f"十{digits[n - 10]}"


def write(data, directory):
    """Write the .docx and .pdf into `directory`; their paths."""
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, make in (("docx", docx), ("pdf", pdf)):
        path = directory / filename(data, ext)
        path.write_bytes(make(data))
        paths.append(path)
    return paths


__all__ = ["METRICS", "build", "docx", "pdf", "write", "value_of"]
