"""Helpers the organisation's pages share: scoped lookups, the centres a user
may write in, and running a service on a valid form."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from vanguard.core import lookups

from ..forms import add_service_errors
from ..models import ServiceCentre


def visible_or_404(request, model, pk, *, select=(), queryset=None):
    """The object if the user can see it, else 404 (see vanguard.core.lookups: fails closed)."""
    return lookups.visible_or_404(request, queryset if queryset is not None else model, pk, select=select)


def writable_centres(user, allowed):
    """Centres the user can see and `allowed(user, centre_id)` lets them write in."""
    return [c for c in ServiceCentre.objects.visible_to(user).order_by("name") if allowed(user, c.pk)]


def require_centres(centres):
    if not centres:
        raise PermissionDenied
    return centres


def run_service(form, service, *args, **kwargs):
    """Call the service; its ValidationError goes onto the form. Returns the result or None."""
    try:
        return service(*args, **kwargs)
    except ValidationError as e:
        add_service_errors(form, e)
        return None


def form_page(request, form, *, title, cancel_url, crumbs=(), intro=""):
    return render(request, "org/form.html", {
        "form": form, "title": title, "cancel_url": cancel_url, "crumbs": crumbs, "intro": intro,
    })


def optional_url(*names):
    """The URL of the first of `names` that exists, or "" (for pages another app adds later)."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def login_redirect(request):
    return redirect_to_login(request.get_full_path())
