"""Public pages of ratings: the rating form reached from a QR code or SMS link,
and a post's satisfaction rate (which the posts signboard may show through
`post_satisfaction`)."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from vanguard.core.middleware import current_ip

from . import figures, services
from .models import ONLINE_CRITERIA, ONSITE_CRITERIA, REASONS, Level, Rating

ONLINE_CHANNELS = {Rating.Channel.WEB, Rating.Channel.APP}


def post_satisfaction(post, today=None):
    """{rate, total, year, definition} of a post this year, for its signboard."""
    today = today or timezone.localdate()
    data = figures.period_figures("post", post.pk, "year", today)
    return {"rate": data["rate"], "total": data["total"], "year": today.year, "definition": figures.DEFINITION}


def _client_ip(request):
    return current_ip() or request.META.get("REMOTE_ADDR")


@require_http_methods(["GET", "POST"])
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


def post_rate(request, code):
    from vanguard.posts.models import VanguardPost

    post = VanguardPost.objects.public().filter(code=code.upper()).first()
    if post is None:
        raise Http404
    today = timezone.localdate()
    data = figures.figures_for("post", post.pk, today.year)
    last_year = figures.period_figures("post", post.pk, "year", today - datetime.timedelta(days=366))
    return render(request, "ratings/public/post_rate.html", {
        "post": post, "year": data["year"], "months": data["months"], "last_year": last_year,
        "definition": figures.DEFINITION, "today": today})
