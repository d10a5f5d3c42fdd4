"""Public pages of pledges, no login: a branch's pledge wall (/w/<branch>/) and one
pledge with its published comments and a comment form (moderated, rate-limited).
They show what a signboard shows (name, job, the pledge) and nothing else, with the confirmed
progress (numbers masked) and the kind, date and topic of the meeting or activity it cites."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vanguard.core.params import year_param
from vanguard.core.ratelimit import public_limit
from vanguard.org.models import Organization

from . import selectors, services
from .forms import CommentForm
from .models import Pledge


def _branch(branch_id):
    branch = (Organization.objects.filter(pk=branch_id, kind__in=[Organization.Kind.BRANCH,
                                                                 Organization.Kind.GENERAL_BRANCH])
              .select_related("centre").only("name", "centre__name").first())
    if branch is None:
        raise Http404
    return branch


CACHE_SECONDS = 300


@require_safe
def wall(request, branch_id):
    """A hit costs one indexed query (the wall's version: its pledges' latest change) and the
    cache; a miss the branch and its pledges. Every change of a pledge or its comments moves the version."""
    year = year_param(request)
    version = selectors.wall_version(branch_id, year)
    key = f"pledges:wall:{branch_id}:{year}:{version}:{translation.get_language()}"
    html = cache.get(key)
    if html is None:
        branch = _branch(branch_id)
        pledges = selectors.wall_pledges(branch_id, year)
        kept = sum(1 for p in pledges if p.result == "kept")
        html = render_to_string("pledges/public/wall.html", {
            "branch": branch, "year": year, "pledges": pledges, "kept": kept,
            "judged": sum(1 for p in pledges if p.result)}, request=request)
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_http_methods(["GET", "POST"])
@public_limit("pledge-comment")
def wall_pledge(request, branch_id, pk):
    pledge = (Pledge.objects.public().filter(pk=pk, branch_id=branch_id).select_related("person", "branch")
              .only(*selectors.WALL_ONLY, "branch__name").first())
    if pledge is None:
        raise Http404
    form = CommentForm(request.POST or None)
    sent = request.GET.get("sent") == "1"
    if request.method == "POST" and form.is_valid():
        try:
            services.add_comment(request.user if request.user.is_authenticated else None, pledge,
                                 body=form.cleaned_data["body"], author_name=form.cleaned_data["author_name"])
        except ValidationError as e:
            form.add_error(None, e.messages)
        else:
            return redirect(f"{request.path}?sent=1")
    return render(request, "pledges/public/pledge.html", {
        "pledge": pledge, "comments": selectors.published_comments(pledge), "form": form, "sent": sent,
        "progress": selectors.public_progress(pledge),
        "thanks": _("Thank you: your comment will show once the branch has read it.") if sent else ""},
        status=400 if form.errors else 200)
