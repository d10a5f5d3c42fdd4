"""Printed documents of posts: signboards (A3 and A4 portrait, A5 landscape, one
post or a batch) and the naming certificate. WeasyPrint embeds (subsets) the Noto CJK
fonts, so the PDFs print the same anywhere."""

import base64
import logging
import mimetypes

from django.template.loader import render_to_string
from django.utils import translation

from . import qr

# WeasyPrint reports each layout step at INFO; the server log does not need that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

LAYOUTS = ("a3", "a4", "a5")
# A3 is the A4 sign enlarged: the same layout printed at √2 (A4 -> A3 exactly).
ZOOM = {"a3": 2 ** 0.5}


def _image_uri(field):
    """A photo as a data URI: WeasyPrint needs no access to the web server."""
    if not field:
        return ""
    try:
        with field.open("rb") as f:
            data = f.read()
    except (OSError, ValueError):
        return ""
    kind = mimetypes.guess_type(field.name)[0] or "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def _sign_context(post):
    holders = list(post.post_holders.all()) if hasattr(post, "_prefetched_objects_cache") and \
        "post_holders" in post._prefetched_objects_cache else list(post.post_holders.select_related("person"))
    return {
        "post": post,
        "holders": [{"name": h.person.name, "position": h.shown_position, "is_member": h.person.is_party_member,
                     "photo": _image_uri(h.person.photo)} for h in holders if h.person.is_party_member],
        "photo": _image_uri(post.photo),
        "qr": qr.png_data_uri(post.public_url, scale=6),
    }


def _pdf(html, zoom=1):
    from weasyprint import HTML

    return HTML(string=html, base_url="/").write_pdf(zoom=zoom)


def signboards_pdf(posts, layout="a4"):
    """One page per post. `posts` should prefetch post_holders__person."""
    if layout not in LAYOUTS:
        layout = "a4"
    with translation.override("zh-hans"):
        html = render_to_string("posts/pdf/signboard.html", {
            "signs": [_sign_context(p) for p in posts], "layout": "a4" if layout == "a3" else layout})
    return _pdf(html, zoom=ZOOM.get(layout, 1))


def naming_evaluation_title(post):
    """The title of the evaluation behind the naming ("surveys.evaluation:12"), or ""."""
    label, _sep, pk = post.naming_evaluation.partition(":")
    if label != "surveys.evaluation" or not pk.isdigit():
        return ""
    from vanguard.surveys.reading import evaluation_by_pk

    evaluation = evaluation_by_pk(int(pk))
    return evaluation.title if evaluation else ""


def certificate_pdf(post):
    with translation.override("zh-hans"):
        html = render_to_string("posts/pdf/certificate.html", {
            "post": post, "evaluation_title": naming_evaluation_title(post),
            "holder_names": [h.person.name for h in post.post_holders.select_related("person")
                             if h.person.is_party_member]})
    return _pdf(html)
