"""Public pages of posts, no login: the signboard /p/<code>/ (HTML, JSON, QR, PDF)
and the media list of named posts with its Excel and Word exports.

Only disclosed and named posts are public. The signboard's HTML is cached per
post version (its updated_at), so a hit costs one indexed query and every
worker sees a change at once; holders' own edits show within CACHE_SECONDS."""

import time
from urllib.parse import quote

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from vanguard.org.models import Unit

from . import documents, exports, qr
from .models import PostHolder, VanguardPost
from .selectors import HOLDERS
from .signcache import cache_is_shared, sign_cache_key

CACHE_SECONDS = 300

SIGN_RELATED = ("centre", "window", "window__floor", "unit", "department", "project", "standard", "named_by")
# The signboard reads a few columns of each related row; fetching only those keeps a
# cache miss to two narrow queries (see benchmarks/public_post_page.py).
SIGN_ONLY = (*(f.name for f in VanguardPost._meta.concrete_fields), "centre__name", "window__number",
             "window__name", "window__floor__name", "unit__name", "department__name", "project__name",
             "standard__title", "standard__text", "named_by__name")
SIGN_HOLDERS = Prefetch("post_holders", queryset=PostHolder.objects.select_related("person").only(
    "post_id", "position", "sort_order", "person__name", "person__photo", "person__political_status",
    "person__job", "person__branch_id").order_by("sort_order", "pk"))


def public_post(code, *, with_holders=True):
    qs = VanguardPost.objects.public().select_related(*SIGN_RELATED)
    if with_holders:
        qs = qs.prefetch_related(HOLDERS)
    post = qs.filter(code=code.upper()).first()
    if post is None:
        raise Http404
    return post


def revoked_page(request, code):
    """A revoked post's printed code still reaches a public page: "revoked on ..." (410 Gone);
    any other unknown or non-public code is a plain 404."""
    post = (VanguardPost.objects.filter(code=code.upper(), status=VanguardPost.Status.REVOKED)
            .select_related("centre").only("name", "code", "revoked_on", "complaint_phone", "centre__name").first())
    if post is None:
        raise Http404
    return render(request, "posts/public/revoked.html", {"post": post}, status=410)


def _optional_url(name, *args):
    """Links to the rating and feedback pages, once those apps provide them."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _satisfaction(post):
    """This year's satisfaction rate from the public's ratings (one indexed query), once
    the ratings app provides it; cached with the page."""
    try:
        from vanguard.ratings.public import post_satisfaction
    except ImportError:
        return None
    return post_satisfaction(post)


def _sign_holders():
    """The holders' prefetch; with the pledges app, each holder also carries their first approved
    pledge of this year and the number of them, as subqueries of the same query (no query more)."""
    try:
        from vanguard.pledges.selectors import holder_pledge_annotations
    except ImportError:
        return SIGN_HOLDERS
    return Prefetch("post_holders", queryset=SIGN_HOLDERS.queryset.annotate(
        **holder_pledge_annotations(timezone.localdate().year)))


def _member_pledges(post):
    """Each holder's first approved pledge of this year (and how many more are on the wall)."""
    rows = []
    for h in post.post_holders.all():
        if getattr(h, "pledge_what", None) and h.person.is_party_member:
            from vanguard.pledges.models import Result

            rows.append({"name": h.person.name, "what": h.pledge_what, "deadline": h.pledge_deadline,
                         "result": h.pledge_result, "more": (h.pledge_count or 1) - 1,
                         "result_label": Result(h.pledge_result).label if h.pledge_result else "",
                         "wall": _optional_url("pledges:wall", h.person.branch_id) if h.person.branch_id else ""})
    return rows


def _medal_annotations():
    """With the honours app, the post's own query also carries the rotating medal (流动奖牌) its
    window holds now, as subqueries (no query more); a move forgets the page in a shared cache."""
    try:
        from vanguard.honours.selectors import post_medal_annotations
    except ImportError:
        return {}
    return post_medal_annotations()


def _medals(post):
    try:
        from vanguard.honours.selectors import medals_for_post
    except ImportError:
        return []
    return medals_for_post(post)


def sign_data(post):
    """What the signboard shows, and nothing more: the JSON and the page share it."""
    # Only party members are shown as holders of a 共产党员先锋岗 (naming checks it; this also
    # covers a holder whose status changed on the roster since).
    holders = [h for h in post.post_holders.all() if h.person.is_party_member]
    return {
        "code": post.code,
        "name": post.name,
        "kind": post.get_kind_display(),
        "status": post.status,
        "status_display": post.get_status_display(),
        "centre": post.centre.name,
        "floor": post.window.floor.name if post.window_id else "",
        "window": str(post.window) if post.window_id else "",
        "unit": post.unit.name if post.unit_id else "",
        "department": post.department.name if post.department_id else "",
        "project": post.project.name if post.project_id else "",
        "holders": [{
            "name": h.person.name,
            "position": h.shown_position,
            "party_member": h.person.is_party_member,
            "photo": h.person.photo.url if h.person.photo else "",
        } for h in holders],
        "service_scope": post.scope_lines,
        "pledges": [{"kind": f.removeprefix("pledge_"), "label": str(label), "text": text}
                    for f, (label, text) in zip(VanguardPost.PLEDGE_FIELDS, post.pledges, strict=True)],
        "standard": {"title": post.standard.title, "lines": post.standard.lines} if post.standard_id else None,
        "complaint_phone": post.complaint_phone,
        "photo": post.photo.url if post.photo else "",
        "named": {"by": post.named_by.name, "on": post.named_on.isoformat(),
                  "certificate_number": post.certificate_number} if post.status == post.Status.NAMED else None,
        "url": post.public_url,
        "qr_svg": post.public_url + "qr.svg",
        "qr_png": post.public_url + "qr.png",
    }


def _public_version(code):
    """(pk, updated_at) of a public post: one single-table lookup on the unique code."""
    row = next(iter(VanguardPost.objects.public().filter(code=code.upper()).order_by()
                    .values_list("pk", "updated_at")[:1]), None)
    if row is None:
        raise Http404
    return row


@require_GET
def signboard(request, code):
    try:
        return _signboard(request, code)
    except Http404:
        return revoked_page(request, code)


def _signboard(request, code):
    started, cpu_started = time.perf_counter(), time.process_time()
    large = bool(request.GET.get("large"))
    language = translation.get_language()
    if cache_is_shared():
        pk, key = None, sign_cache_key(code, language, large)
    else:
        pk, updated_at = _public_version(code)
        key = sign_cache_key(code, language, large, updated_at.timestamp())
    html = cache.get(key)
    if html is None:
        lookup = {"pk": pk} if pk else {"code": code.upper()}
        # Sliced rather than first(): a unique lookup needs no ORDER BY to plan and sort.
        post = next(iter(VanguardPost.objects.public().select_related(*SIGN_RELATED).only(*SIGN_ONLY)
                         .annotate(**_medal_annotations())
                         .prefetch_related(_sign_holders()).filter(**lookup).order_by()[:1]), None)
        if post is None:
            raise Http404
        html = render_to_string("posts/public/signboard.html", {
            "post": post, "sign": sign_data(post), "large": large, "satisfaction": _satisfaction(post),
            "member_pledges": _member_pledges(post),
            "medals": _medals(post),
            "rate_url": _optional_url("ratings:rate-post", post.code),
            "feedback_url": _optional_url("cases:file-post", post.code),
        }, request=request)
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    response["Cache-Control"] = "public, max-age=60"
    # Wall time of the view and its CPU time (the latter shows what a busy machine adds).
    response["Server-Timing"] = (f"app;dur={(time.perf_counter() - started) * 1000:.2f}, "
                                 f"cpu;dur={(time.process_time() - cpu_started) * 1000:.2f}")
    return response


@require_GET
def signboard_json(request, code):
    post = public_post(code)
    response = JsonResponse(sign_data(post), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def qr_svg(request, code):
    post = public_post(code, with_holders=False)
    response = HttpResponse(qr.svg(post.public_url), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def qr_png(request, code):
    post = public_post(code, with_holders=False)
    response = HttpResponse(qr.png(post.public_url), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def pdf_response(data, ascii_name, name, inline=True):
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


@require_GET
def signboard_pdf(request, code):
    post = public_post(code)
    layout = request.GET.get("layout", "a4")
    if layout not in documents.LAYOUTS:
        raise Http404
    return pdf_response(documents.signboards_pdf([post], layout), f"signboard-{post.code}-{layout}.pdf",
                        f"{post.name}公示牌.pdf")


# The media list of named posts -----------------------------------------------------------

def named_posts(request):
    qs = (VanguardPost.objects.filter(status=VanguardPost.Status.NAMED)
          .select_related("centre", "window", "window__unit", "unit", "department", "project", "named_by")
          .prefetch_related(HOLDERS).order_by("centre", "unit__name", "window__number", "name"))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(post_holders__person__name__icontains=q)).distinct()
    unit = request.GET.get("unit", "").strip()
    if unit.isdigit():
        qs = qs.filter(Q(unit_id=unit) | Q(window__unit_id=unit))
    window = request.GET.get("window", "").strip()
    if window:
        qs = qs.filter(Q(window__number__icontains=window) | Q(window__name__icontains=window))
    return qs


@require_GET
def named_list(request):
    qs = named_posts(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    units = Unit.objects.filter(Q(posts__status="named") | Q(windows__posts__status="named")).distinct().order_by(
        "name")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "posts/public/named_list.html", {
        "page": page, "units": units, "query": query.urlencode(), "q": request.GET.get("q", ""),
        "unit": request.GET.get("unit", ""), "window": request.GET.get("window", ""),
    })


def _download(data, content_type, ascii_name, name):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


@require_GET
def named_xlsx(request):
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(exports.named_posts_xlsx(named_posts(request)), exports.XLSX,
                     f"vanguard-posts-{stamp}.xlsx", f"共产党员先锋岗名单{stamp}.xlsx")


@require_GET
def named_docx(request):
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(exports.named_posts_docx(named_posts(request)), exports.DOCX,
                     f"vanguard-posts-{stamp}.docx", f"共产党员先锋岗名单{stamp}.docx")
