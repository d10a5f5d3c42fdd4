"""Pages of the review campaign (评议活动): the office's list and creation, one campaign
(groups and quotas, opening, codes, SMS invitations, live progress, closing, results and
figures), the printed codes; the public questionnaire on a phone and its opt-out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vanguard.core.paginators import CappedPaginator
from vanguard.core.permissions import office_centre
from vanguard.core.ratelimit import public_limit
from vanguard.org.models import Unit
from vanguard.surveys import services as surveys
from vanguard.surveys.models import EvaluatorGroup

from . import campaigns, selectors
from .models import Campaign


def _office_centre(user):
    return office_centre(user, message=_("Only the party-building office may manage review campaigns."))


def _day(value):
    try:
        return parse_date(value) if value and len(value) <= 10 else None
    except ValueError:  # a well-formed but impossible date such as 2026-13-40
        return None


def _errors(request, error):
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


@login_required
def campaign_list(request):
    centre = _office_centre(request.user)
    units = Unit.objects.filter(centre=centre).order_by("name", "pk")
    if request.method == "POST":
        try:
            campaign = campaigns.create_campaign(
                request.user, centre, title=request.POST.get("title", ""),
                starts_on=_day(request.POST.get("starts_on")), ends_on=_day(request.POST.get("ends_on")),
                units=list(units.filter(pk__in=[v for v in request.POST.getlist("units") if v.isdigit()])),
                groups={kind: request.POST.get(f"quota_{kind}") or 0 for kind in EvaluatorGroup.Kind.values},
                recent_days=request.POST.get("recent_days") or 90)
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("The campaign is being prepared; open it when it starts."))
            return redirect("cases:campaign", pk=campaign.pk)
    page = CappedPaginator(selectors.campaign_list(request.user), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "cases/campaigns/list.html", {
        "page": page, "units": units, "groups": [(k, label, campaigns.DEFAULT_GROUPS.get(k, 0))
                                                 for k, label in EvaluatorGroup.Kind.choices],
        "today": today, "data": request.POST, "chosen": request.POST.getlist("units")})


def _campaign(request, pk):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user).select_related("evaluation", "centre"),
                                 pk=pk)
    return campaign


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    return render(request, "cases/campaigns/detail.html", {
        "campaign": campaign, "units": campaign.units.order_by("name"),
        "figures": selectors.campaign_figures(campaign), "results": selectors.campaign_results(campaign),
        "progress_rows": None, "groups": EvaluatorGroup.Kind.choices,
        "cases_url": f"/cases/?source=campaign&q={campaign.ref}"})


@login_required
def campaign_progress(request, pk):
    """The progress table alone (the quarterly evaluation's), polled while the campaign is open."""
    campaign = _campaign(request, pk)
    return render(request, "surveys/_progress.html", {"progress": surveys.progress(campaign.evaluation)})


ACTIONS = {
    "open": lambda u, c, p: campaigns.open_campaign(u, c),
    "close": lambda u, c, p: campaigns.close_campaign(u, c),
    "quota": lambda u, c, p: campaigns.set_quota(u, c, kind=p.get("kind"), quota=p.get("quota")),
    "codes": lambda u, c, p: campaigns.issue_codes(u, c, kind=p.get("kind"), count=p.get("count"),
                                                   valid_days=p.get("valid_days") or 14),
    "invite": lambda u, c, p: campaigns.invite_service_users(u, c, count=p.get("count"),
                                                             valid_days=p.get("valid_days") or 14),
}


@login_required
@require_POST
def campaign_action(request, pk):
    campaign = _campaign(request, pk)
    func = ACTIONS.get(request.POST.get("action"))
    if func is None:
        messages.error(request, _("Unknown action."))
    else:
        try:
            func(request.user, campaign, request.POST)
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("Saved."))
    return redirect("cases:campaign", pk=campaign.pk)


@login_required
def campaign_codes(request, pk):
    """The unused one-time codes of a group, printed as slips (the quarterly evaluation's)."""
    from vanguard.surveys import documents

    campaign = _campaign(request, pk)
    invitations = campaign.evaluation.invitations.select_related("group", "evaluation").filter(
        used=False, contact__isnull=True)
    if request.GET.get("group") in EvaluatorGroup.Kind.values:
        invitations = invitations.filter(group__kind=request.GET["group"])
    response = HttpResponse(documents.slips_pdf(campaign.evaluation, invitations[:400]),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="review-codes-{campaign.pk}.pdf"'
    return response


# Public ----------------------------------------------------------------------------------------

def _message(request, text, status=400):
    return render(request, "surveys/public/message.html", {"message": text}, status=status)


@require_http_methods(["GET", "POST"])
@public_limit("answer", methods=("GET", "POST"))  # also bounds guessing codes
def review(request, code):
    """Public: the campaign's questionnaire behind a one-time code, on a phone: a level for each
    unit and, for each, the issues to fix (each becomes a case for that unit)."""
    invitation = surveys.find_invitation(code)
    problem = surveys.invitation_problem(invitation)
    campaign = Campaign.objects.filter(evaluation_id=invitation.evaluation_id).first() if invitation else None
    if campaign is None:
        return _message(request, surveys.invitation_problem(None))
    if problem:
        return _message(request, problem)
    units, _rating, _issue = campaigns.questionnaire(campaign)
    data = request.POST if request.method == "POST" else {}
    errors, general = {}, []
    if request.method == "POST":
        try:
            campaigns.submit_review(
                code, levels={u.pk: data.get(campaigns.level_field(u)) for u in units},
                issues={u.pk: data.get(campaigns.issue_field(u), "") for u in units},
                contact_mobile=data.get("contact_mobile", ""))
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                errors = {field: " ".join(msgs) for field, msgs in e.message_dict.items()}
            else:
                general = e.messages
        else:
            return render(request, "cases/campaigns/thanks.html", {"campaign": campaign})
    from vanguard.ratings.models import Level

    rows = [{"unit": u, "name": campaigns.level_field(u), "value": data.get(campaigns.level_field(u), ""),
             "error": errors.get(campaigns.level_field(u), ""), "issue_name": campaigns.issue_field(u),
             "issue": data.get(campaigns.issue_field(u), ""), "issue_error": errors.get(campaigns.issue_field(u), "")}
            for u in units]
    return render(request, "cases/campaigns/review.html", {
        "campaign": campaign, "rows": rows, "choices": [(str(v), label) for v, label in Level.choices],
        "dont_know": campaigns.DONT_KNOW, "error_count": len(errors), "general_errors": general,
        "mobile": data.get("contact_mobile", ""), "mobile_error": errors.get("contact_mobile", ""),
        "code": invitation.code, "invited_by_sms": hasattr(invitation, "contact")},
        status=400 if errors or general else 200)


@require_http_methods(["GET", "POST"])
@public_limit("answer", methods=("GET", "POST"))
def review_stop(request, code):
    """Public: "no more review invitations" for the mobile an SMS invitation went to."""
    invitation = surveys.find_invitation(code)
    if invitation is None or not hasattr(invitation, "contact"):
        return _message(request, _("This link is not an SMS invitation."), status=404)
    if request.method == "POST":
        campaigns.opt_out(code)
        return _message(request, _("Done: this mobile will get no more review invitations."), status=200)
    return render(request, "cases/campaigns/stop.html", {"code": invitation.code})
