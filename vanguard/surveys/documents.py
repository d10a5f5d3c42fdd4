"""Printed invitation slips: 4, 6 or 8 to an A4 page (2 columns), each with its code,
QR code and validity. Pages are laid out here, as fixed-size grids, so WeasyPrint has
no flowing layout to work out: 100 slips take a few seconds (see tests/surveys/test_slips.py)."""

from django.template.loader import render_to_string
from django.utils import translation

from vanguard.posts import qr

PER_PAGE = (4, 6, 8)
# Content height of a slip per layout: 277 mm usable on A4 with 10 mm margins, less padding and borders.
SLIP_HEIGHT_MM = {4: 125, 6: 81, 8: 58}


def slips_pdf(evaluation, invitations, per_page=8):
    from weasyprint import HTML

    per_page = per_page if per_page in PER_PAGE else 8
    slips = [{"invitation": i, "group": i.group.get_kind_display(), "url": i.public_url,
              "qr": qr.png_data_uri(i.public_url, scale=3)} for i in invitations]
    # Pages of rows of two: a fixed table, nothing for the layout engine to flow.
    pages = [[slips[r:r + 2] for r in range(i, min(i + per_page, len(slips)), 2)]
             for i in range(0, len(slips), per_page)]
    with translation.override("zh-hans"):
        html = render_to_string("surveys/pdf/slips.html", {
            "evaluation": evaluation, "pages": pages, "per_page": per_page,
            "height": SLIP_HEIGHT_MM[per_page], "large": per_page == 4})
    return HTML(string=html, base_url="/").write_pdf()
