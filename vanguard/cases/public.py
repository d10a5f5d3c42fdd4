"""Public pages of cases, no login: the form to file a case (from a post's signboard, or
about the centre) with an optional mobile proved by an SMS code, and the tracking page
by number, which shows what was asked (personal data removed) and each step's date and
outcome - never a name or a mobile."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vanguard.core.middleware import client_ip, current_ip
from vanguard.core.ratelimit import public_limit
from vanguard.org.models import ServiceCentre

from . import selectors, services, verification
from .models import Kind, Source, normalise_number

PUBLIC_KINDS = [(k, label) for k, label in Kind.choices]


def _ip(request):
    return current_ip() or client_ip(request)


def _public_post(code):
    from vanguard.posts.models import VanguardPost

    if not code:
        return None
    return (VanguardPost.objects.public().select_related("centre", "window", "unit").filter(code=code.upper())
            .first())


def _errors(e):
    if hasattr(e, "error_dict"):
        return dict(e.message_dict), []
    return {}, e.messages


@require_http_methods(["GET", "POST"])
@public_limit("case")
def file_case(request, code=None):
    """File a complaint, suggestion, request for help or praise. From a signboard the case is
    about that post; otherwise about the centre (the only one, or the one named by ?centre=)."""
    post = _public_post(code)
    if code and post is None:
        from vanguard.posts.views_public import revoked_page

        return revoked_page(request, code)
    centre = post.centre if post else _centre(request)
    if centre is None:
        raise Http404
    context = {"post": post, "centre": centre, "kinds": PUBLIC_KINDS, "data": request.POST, "errors": {},
               "general_errors": [], "code_sent": False, "photo_limit": services.PHOTO_MAX_FILES}
    if request.method != "POST":
        context["data"] = {"kind": request.GET.get("kind", Kind.COMPLAINT)}
        return render(request, "cases/public/file.html", context)
    action = request.POST.get("action")
    mobile = request.POST.get("contact_mobile", "").strip()
    wants_contact = request.POST.get("contact") == "mobile"
    try:
        if action == "send":
            verification.send_code(mobile, ip=_ip(request))
            context["code_sent"] = True
            return render(request, "cases/public/file.html", context)
        if action != "submit":
            raise ValidationError(_("Unknown action."))
        proof = None
        if wants_contact:
            context["code_sent"] = True
            if not mobile:
                raise ValidationError({"contact_mobile": _("Give your mobile number, or choose to stay anonymous.")})
            # The words are checked first, so a code is not spent on a form that cannot be filed.
            services.check_public_input(kind=request.POST.get("kind"), content=request.POST.get("content"))
            proof = verification.verify_code(mobile, request.POST.get("code"))
        case = services.intake_case(
            request.user, centre=centre, kind=request.POST.get("kind"), content=request.POST.get("content"),
            source=Source.SIGNBOARD, post=post, contact_name=request.POST.get("contact_name", "") if wants_contact
            else "", contact_mobile=mobile if wants_contact else "", anonymous=not wants_contact,
            photos=request.FILES.getlist("photos"), mobile_proof=proof)
    except ValidationError as e:
        context["errors"], context["general_errors"] = _errors(e)
        return render(request, "cases/public/file.html", context, status=400)
    request.session["vg_case_filed"] = case.number
    return redirect("cases:track", number=case.number)


def _centre(request):
    centres = ServiceCentre.objects.order_by("pk")
    wanted = request.GET.get("centre", "")
    if wanted:
        return centres.filter(code=wanted[:30]).first()
    first_two = list(centres[:2])
    return first_two[0] if len(first_two) == 1 else None


@require_http_methods(["GET"])
@public_limit("case-track", methods=("GET",))
def track(request, number):
    case, steps = selectors.public_case(number)
    if case is None:
        return render(request, "cases/public/lookup.html", {"error": _(
            "No case has this tracking number. Check the number and try again."), "number": number}, status=404)
    if case.number != number:
        return redirect("cases:track", number=case.number)
    just_filed = request.session.pop("vg_case_filed", None) == case.number
    return render(request, "cases/public/track.html", {"case": case, "steps": steps, "just_filed": just_filed})


@require_http_methods(["GET"])
@public_limit("case-track", methods=("GET",))
def lookup(request):
    raw = request.GET.get("number", "").strip()
    if not raw:
        return render(request, "cases/public/lookup.html", {})
    number = normalise_number(raw)
    if not number:
        return render(request, "cases/public/lookup.html", {"error": _(
            "A tracking number has 12 letters and digits, such as K7M2-9XQP-4RTA."), "number": raw[:40]}, status=400)
    return redirect("cases:track", number=number)
