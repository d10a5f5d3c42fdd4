"""Public pages of ratings: the rating form reached from a QR code or SMS link,
and a post's satisfaction rate (which the posts signboard may show through
`post_satisfaction`)."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from vanguard.core.middleware import client_ip, current_ip
from vanguard.core.ratelimit import public_limit

from . import figures, services, signboard
from .models import ONLINE_CRITERIA, ONSITE_CRITERIA, REASONS, Level, Rating, Transaction

ONLINE_CHANNELS = {Rating.Channel.WEB, Rating.Channel.APP}


def post_satisfaction(post, today=None):
    """{rate, total, year, definition} of a post this year, for its signboard."""
    today = today or timezone.localdate()
    data = figures.period_figures("post", post.pk, "year", today)
    return {"rate": data["rate"], "total": data["total"], "year": today.year, "definition": figures.DEFINITION}


def _client_ip(request):
    return current_ip() or client_ip(request)


@require_http_methods(["GET", "POST"])
@public_limit("rate-view", methods=("GET",))
@public_limit("rate")
def rate(request, token):
    try:
        txn, channel = services.transaction_for_token(token)
    except ValidationError as e:
        return render(request, "ratings/public/message.html", {"message": e.messages[0]}, status=400)
    criteria = ONLINE_CRITERIA if channel in ONLINE_CHANNELS else ONSITE_CRITERIA
    # Highest level first, as the national form lists them; nothing is pre-selected.
    levels = [(value, label) for value, label in Level.choices]
    context = {"txn": txn, "levels": levels, "criteria": criteria, "reasons": REASONS, "errors": [],
               "data": request.POST}
    if hasattr(txn, "rating"):
        return render(request, "ratings/public/message.html",
                      {"message": ValidationError(_already()).messages[0]}, status=409)
    if request.method == "POST":
        try:
            services.rate_by_token(
                token, level=request.POST.get("level"),
                scores={k: request.POST.get(f"score_{k}") for k, _l in criteria if request.POST.get(f"score_{k}")},
                reasons=request.POST.getlist("reasons"), comment=request.POST.get("comment", ""),
                rater_name=request.POST.get("rater_name", ""), rater_phone=request.POST.get("rater_phone", ""),
                ip=_client_ip(request), device=request.COOKIES.get("vg_device", "")[:64],
                rater_user=request.user if request.user.is_authenticated else None)
        except ValidationError as e:
            context["errors"] = e.messages
            return render(request, "ratings/public/rate.html", context, status=400)
        return render(request, "ratings/public/thanks.html", {"txn": txn})
    return render(request, "ratings/public/rate.html", context)


def _already():
    from django.utils.translation import gettext

    return gettext("This transaction has already been rated. Thank you.")


def _public_post(request, code):
    from vanguard.posts.models import VanguardPost

    return VanguardPost.objects.public().select_related("centre").filter(code=code.upper()).first()


def _rate_context(post):
    today = timezone.localdate()
    data = figures.figures_for("post", post.pk, today.year)
    last_year = figures.period_figures("post", post.pk, "year", today - datetime.timedelta(days=366))
    return {"post": post, "year": data["year"], "months": data["months"], "last_year": last_year,
            "definition": figures.DEFINITION, "freshness": figures.freshness("post", post.pk), "today": today, "errors": {}, "data": {}, "code_sent": False}


VERIFIED_KEY = "vg_signboard_rate"


@require_http_methods(["GET", "POST"])
@public_limit("rate")  # bounds guessing transaction numbers and codes; SMS sends have their own limits
def post_rate(request, code):
    """The signboard's "scan to rate": the post's rate, and the way to rate one's own
    transaction here (by its number, or by the mobile given when served and an SMS code)."""
    post = _public_post(request, code)
    if post is None:
        from vanguard.posts.views_public import revoked_page

        return revoked_page(request, code)
    context = _rate_context(post)
    if request.method != "POST":
        return render(request, "ratings/public/post_rate.html", context)
    action, ip = request.POST.get("action"), _client_ip(request)
    context["data"] = request.POST
    try:
        if action == "number":
            txn = signboard.find_by_number(post, request.POST.get("number"), ip=ip)
            return redirect(services.rating_path(txn, Rating.Channel.QR))
        if action == "send":
            signboard.send_code(post, request.POST.get("mobile"), ip=ip)
            context["code_sent"] = True
        elif action == "verify":
            context["code_sent"] = True
            ids = signboard.verify_code(post, request.POST.get("mobile"), request.POST.get("code"))
            until = timezone.now() + datetime.timedelta(minutes=signboard.OTP["verified_minutes"])
            request.session[VERIFIED_KEY] = {"post": post.code, "ids": ids, "until": until.timestamp()}
            return redirect("ratings:rate-post-mine", code=post.code)
        else:
            raise ValidationError(gettext("Unknown action."))
    except ValidationError as e:
        context["errors"] = e.message_dict if hasattr(e, "error_dict") else {}
        context["general_errors"] = [] if hasattr(e, "error_dict") else e.messages
        return render(request, "ratings/public/post_rate.html", context, status=400)
    return render(request, "ratings/public/post_rate.html", context)


@require_http_methods(["GET"])
def post_rate_mine(request, code):
    """After the SMS code: the verified number's unrated recent transactions at this post."""
    post = _public_post(request, code)
    grant = request.session.get(VERIFIED_KEY) or {}
    if post is None or grant.get("post") != post.code or grant.get("until", 0) < timezone.now().timestamp():
        return redirect("ratings:rate-post", code=code.upper())
    txns = list(Transaction.objects.filter(pk__in=grant.get("ids", []), rated=False).select_related("window")
                .order_by("-accepted_at"))
    return render(request, "ratings/public/post_rate_mine.html", {
        "post": post, "rows": [(t, services.rating_path(t, Rating.Channel.QR)) for t in txns]})
