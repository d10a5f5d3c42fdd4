"""Pages of the notice inbox: the list, opening a notice (marks it read, follows its
link), marking all read, the recipient's preference, and the office's follow-up of
urgent notices (who has not read them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core.paginators import CappedPaginator
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for

from . import selectors, services
from .models import Notice, Preference, Recipient


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = CappedPaginator(selectors.inbox(request.user, unread_only=unread_only), 30).get_page(
        request.GET.get("page"))
    scope = scope_for(request.user)
    return render(request, "notices/inbox.html", {
        "page": page, "unread_only": unread_only,
        "is_office": scope.is_admin or bool(scope.centres(Role.OFFICE)),
        "preference": Preference.objects.filter(user=request.user).first(),
        "channels": Preference.Channel.choices,
    })


@login_required
def open_notice(request, pk):
    """Mark the recipient's row read and follow the notice's link (or show the notice)."""
    row = get_object_or_404(Recipient.objects.select_related("notice"), pk=pk, user_id=request.user.pk)
    if row.read_at is None:
        services.mark_read(request.user, [row.pk])
    url = row.notice.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return render(request, "notices/notice.html", {"row": row, "notice": row.notice})


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_read(request.user)
    messages.success(request, _("%(count)d notices marked read.") % {"count": count})
    return redirect("notices:inbox")


@login_required
@require_POST
def preference(request):
    try:
        services.set_preference(request.user, request.POST.get("channel", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("notices:inbox")


def _office_or_403(request):
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.centres(Role.OFFICE)):
        raise PermissionDenied(_("Only the party-building office follows up urgent notices."))


@login_required
def urgent_list(request):
    _office_or_403(request)
    page = CappedPaginator(selectors.urgent_for_office(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notices/urgent_list.html", {"page": page})


@login_required
def not_read(request, pk):
    _office_or_403(request)
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    if not services.can_follow_up(request.user, notice):
        raise PermissionDenied
    page = CappedPaginator(selectors.not_read(notice), 100).get_page(request.GET.get("page"))
    return render(request, "notices/not_read.html", {"notice": notice, "page": page})
