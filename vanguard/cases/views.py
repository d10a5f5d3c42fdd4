"""Staff pages of cases: the list (the office's whole centre, a unit's queue), one case
with the actions the user's role allows, entering a call or a letter, turning a rating's
or an evaluation's comment into a case, the figures and the centre's rules."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import year_param
from vanguard.core.permissions import office_centre
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.upload_checks import CONTENT_TYPES, EXTENSIONS, sniff
from vanguard.org.models import ServiceCentre, Unit
from vanguard.pledges.breaches import case_pledge_options

from . import selectors, services
from .forms import EntryForm, RulesForm
from .models import Callback, Case, CaseAttachment, Kind, Source, Status

STAFF_ROLES = (Role.OFFICE, Role.HANDLER, Role.LIAISON)


def _require_staff(user):
    if not scope_for(user).has_role(*STAFF_ROLES):
        raise PermissionDenied(_("You are not allowed to do this."))


def _entry_centre(user):
    """The centre a user enters cases for: the office's, else the handler's unit's."""
    scope = scope_for(user)
    centres = scope.centres(Role.OFFICE, Role.HANDLER)
    if scope.is_admin and not centres:
        return ServiceCentre.objects.order_by("pk").first()
    return ServiceCentre.objects.filter(pk__in=centres).order_by("pk").first()


@login_required
def home(request):
    _require_staff(request.user)
    params = request.GET.copy()
    handler_only = not scope_for(request.user).has_role(Role.OFFICE) and selectors.acting_units(request.user)
    if handler_only and "queue" not in params and not params.get("status"):
        params["queue"] = "1"  # a unit's handler starts from what the unit must do now
    qs = selectors.case_list(request.user, params)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {
        "page": page, "params": params, "statuses": Status.choices, "kinds": Kind.choices, "sources": Source.choices,
        "today": timezone.localdate(), "can_enter": _entry_centre(request.user) is not None
        and scope_for(request.user).has_role(Role.OFFICE, Role.HANDLER),
        "is_office": scope_for(request.user).has_role(Role.OFFICE)})


def _date(value, field):
    day = parse_date(value or "") if value and len(value) <= 10 else None
    if day is None:
        raise ValidationError({field: _("Enter a valid date such as 2026-10-01.")})
    return day


def _unit(user, value):
    if not str(value or "").isdigit():
        return None
    return Unit.objects.visible_to(user).filter(pk=int(value)).first()


ACTIONS = {
    "dispatch": lambda u, c, p: services.dispatch_case(u, c, unit=_unit(u, p.get("unit")), note=p.get("note")),
    "accept": lambda u, c, p: services.accept_case(u, c),
    "return": lambda u, c, p: services.return_case(u, c, reason=p.get("reason")),
    "supervise": lambda u, c, p: services.supervise_case(u, c, due=_date(p.get("due"), "due"), note=p.get("note")),
    "ask_extension": lambda u, c, p: services.ask_extension(u, c, days=p.get("days"), reason=p.get("reason")),
    "grant_extension": lambda u, c, p: services.decide_extension(u, c, grant=True, note=p.get("note")),
    "refuse_extension": lambda u, c, p: services.decide_extension(u, c, grant=False, note=p.get("note")),
    "answer": lambda u, c, p: services.answer_case(
        u, c, answer=p.get("answer"), action_taken=p.get("action_taken"),
        upheld={"yes": True, "no": False}.get(p.get("upheld")), broken_pledge=p.get("broken_pledge")),
    "call_back": lambda u, c, p: services.call_back(u, c, result=p.get("result"), note=p.get("note")),
    "redo": lambda u, c, p: services.decide_case(u, c, redo=True, note=p.get("note")),
    "decide_close": lambda u, c, p: services.decide_case(u, c, redo=False, note=p.get("note")),
    "close": lambda u, c, p: services.close_case(u, c, note=p.get("note")),
}


@login_required
def detail(request, pk):
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related(
        "unit", "post", "window", "person", "centre", "repeat_of"), pk=pk)
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action"))
        if action is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                action(request.user, case, request.POST)
                messages.success(request, _("Saved."))
            except ValidationError as e:
                for message in e.messages:
                    messages.error(request, message)
        return redirect("cases:case", pk=case.pk)
    user = request.user
    steps = list(case.steps.select_related("unit").order_by("at", "pk"))
    return render(request, "cases/detail.html", {
        "case": case, "steps": steps, "attachments": list(case.attachments.all()),
        "show_contact": services.can_see_contact(user, case),
        "is_office": services.is_office(user, case.centre_id),
        "is_handler": case.unit_id is not None and services.is_handler(user, case.unit_id),
        "callbacks": Callback.choices, "today": timezone.localdate(), "pledge_field": case_pledge_options(case),
        "units": Unit.objects.filter(centre_id=case.centre_id).order_by("name")[:500],
        "default_supervision_due": case.due or timezone.localdate() + datetime.timedelta(days=3)})


@login_required
def attachment(request, pk, attachment_pk):
    """A case's photo, to the handling unit and the office only."""
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    if not services.can_see_contact(request.user, case):
        raise PermissionDenied
    item = get_object_or_404(CaseAttachment, pk=attachment_pk, case=case)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = sniff(handle)
    if kind not in ("jpeg", "png"):
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind], filename=f"case-{case.pk}-{item.pk}"
                                                                                f"{EXTENSIONS[kind]}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def enter(request):
    """Enter a phone call or a letter."""
    centre = _entry_centre(request.user)
    if centre is None or not scope_for(request.user).has_role(Role.OFFICE, Role.HANDLER):
        raise PermissionDenied(_("Only the office or a unit's case handler may enter a case."))
    form = EntryForm(request.POST or None, request.FILES or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.intake_case(
                request.user, centre=centre, kind=data["kind"], content=data["content"], source=data["source"],
                source_ref=data["source_ref"], post=data["post"], window=data["window"], person=data["person"],
                unit=data["unit"], contact_name=data["contact_name"], contact_mobile=data["contact_mobile"],
                anonymous=not (data["contact_name"] or data["contact_mobile"]), photos=data["photos"])
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
            return redirect("cases:case", pk=case.pk)
    return render(request, "cases/enter.html", {"form": form, "centre": centre},
                  status=400 if form.errors else 200)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _next(request):
    """Back where the button was (this site only), else the case list."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "cases:home"


@login_required
@require_POST
def from_rating(request, rating_pk):
    """The office turns a rating's comment into a case, with one click."""
    from vanguard.ratings.models import Rating

    rating = get_object_or_404(Rating.objects.visible_to(request.user), pk=rating_pk)
    try:
        case = services.case_from_rating(request.user, rating)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect(_next(request))
    messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
    return redirect("cases:case", pk=case.pk)


@login_required
@require_POST
def from_evaluation(request, item_pk):
    """The office turns an evaluation answer's comment into a case, with one click."""
    from vanguard.surveys.models import AnswerItem

    item = get_object_or_404(AnswerItem.objects.visible_to(request.user), pk=item_pk)
    try:
        case = services.case_from_evaluation(request.user, item)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        return redirect(_next(request))
    messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
    return redirect("cases:case", pk=case.pk)


@login_required
def figures(request):
    _require_staff(request.user)
    year = year_param(request, default=timezone.localdate().year)
    dimension = request.GET.get("by", "unit")
    if dimension not in selectors.DIMENSIONS:
        dimension = "unit"
    qs = selectors.case_list(request.user, {"year": year})
    return render(request, "cases/figures.html", {
        "year": year, "years": list(range(timezone.localdate().year - 3, timezone.localdate().year + 1)),
        "dimension": dimension, "total": selectors.figures(qs), "rows": selectors.figures_by(qs, dimension),
        "dimensions": [("unit", _("unit")), ("post", _("vanguard post")), ("person", _("person"))]})


@login_required
def rules(request):
    centre = office_centre(request.user, message=_("Only the party-building office sets the case rules."))
    current = services.rules_for(centre)
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rules(request.user, centre, **form.cleaned_data)
        except ValidationError as e:
            _add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:rules")
    return render(request, "cases/rules.html", {"form": form, "centre": centre},
                  status=400 if form.errors else 200)


@login_required
def comments(request):
    """The comments of ratings and evaluations, each with its one-click "turn into a case"
    (the office's; a comment already turned shows its case)."""
    from django.db.models import OuterRef, Subquery

    from vanguard.ratings.models import Rating
    from vanguard.surveys.models import AnswerItem

    scope = scope_for(request.user)
    if not scope.has_role(Role.OFFICE):
        raise PermissionDenied(_("Only the party-building office may turn this into a case."))
    which = "evaluations" if request.GET.get("from") == "evaluations" else "ratings"
    if which == "ratings":
        made = Case.objects.filter(source=Source.RATING_COMMENT, centre_id=OuterRef("centre_id"),
                                   source_ref=OuterRef("transaction__number")).values("pk")[:1]
        qs = (Rating.objects.visible_to(request.user).exclude(comment="").select_related("transaction", "unit", "post")
              .annotate(case_id=Subquery(made)).order_by("-rated_at", "-pk"))
    else:
        made = Case.objects.filter(source=Source.EVALUATION_COMMENT, source_ref=_item_id_text()).values("pk")[:1]
        qs = (AnswerItem.objects.visible_to(request.user).exclude(text="").select_related("sheet__evaluation", "post")
              .annotate(case_id=Subquery(made)).order_by("-sheet__answered_on", "pk"))
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/comments.html", {"page": page, "which": which, "kinds": Kind.choices})


def _item_id_text():
    """The answer item's id as text, to compare with a case's original number."""
    from django.db.models import CharField, OuterRef
    from django.db.models.functions import Cast

    return Cast(OuterRef("pk"), output_field=CharField())
