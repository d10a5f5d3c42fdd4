"""Printed invitation slips: eight to an A4 page, each with its code, QR code and validity."""

from django.template.loader import render_to_string
from django.utils import translation

from vanguard.posts import qr


def slips_pdf(evaluation, invitations):
    from weasyprint import HTML

    slips = [{"invitation": i, "group": i.group.get_kind_display(), "url": i.public_url,
              "qr": qr.png_data_uri(i.public_url, scale=4)} for i in invitations]
    with translation.override("zh-hans"):
        html = render_to_string("surveys/pdf/slips.html", {"evaluation": evaluation, "slips": slips})
    return HTML(string=html, base_url="/").write_pdf()
