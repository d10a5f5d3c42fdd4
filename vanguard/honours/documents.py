"""Printed documents of honours: the certificate (A4, red header) and the printable
honour board of a floor or of the centre (the vanguard roll and the medals held).
WeasyPrint embeds the Noto CJK fonts, as the posts' documents do."""

from django.template.loader import render_to_string
from django.utils import translation

from vanguard.posts.documents import _pdf


def certificate_pdf(honour):
    with translation.override("zh-hans"):
        html = render_to_string("honours/pdf/certificate.html", {
            "honour": honour, "centre": honour.centre, "office": honour.centre.office_name or honour.centre.name})
    return _pdf(html)


def board_pdf(board):
    """`board`: selectors.board(...) of a floor or of the centre."""
    with translation.override("zh-hans"):
        html = render_to_string("honours/pdf/board.html", {"board": board})
    return _pdf(html)
