"""Pages of honours: the office's selections and medals, the nominating branches'
and units' nominations, and the public pages (the roll, a floor's board, a public
notice with its objection form, the vote page, a team's page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import page_param, year_param
from vanguard.core.permissions import is_office_of, office_centre
from vanguard.core.ratelimit import public_limit
from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window
from vanguard.posts.models import VanguardPost

from . import documents, selectors, services
from .forms import CandidateForm, HolderForm
from .models import (
    STANDARDS,
    CandidateKind,
    Honour,
    HonourKind,
    Medal,
    MedalScheme,
    Nomination,
    Objection,
    Selection,
    ServiceBrand,
    Team,
)

CANDIDATE_QS = {"person": Person, "branch": Organization, "window": Window, "post": VanguardPost, "unit": Unit,
                "team": Team, "brand": ServiceBrand}
CHOOSER = {"person": "person", "branch": "organization", "window": "window", "post": "post", "unit": "unit",
           "team": "team", "brand": "brand"}


def _errors(request, error):
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


def _staff(user):
    """Office, secretaries and unit liaisons use these pages; others get 403."""
    from vanguard.core.roles import Role
    from vanguard.core.scoping import scope_for

    scope = scope_for(user)
    if not (scope.is_admin or scope.centres(Role.OFFICE, Role.SECRETARY, Role.LIAISON)):
        raise PermissionDenied(_("Only the office, branches and units take part in selections."))
    return scope


def _office_centre(user):
    return office_centre(user, message=_("Only the party-building office may manage honours."))


def _date(raw, field):
    value = parse_date(raw or "") if raw else None
    if raw and value is None:
        raise ValidationError({field: _("Give a date as YYYY-MM-DD.")})
    return value


@login_required
def home(request):
    _staff(request.user)
    year = year_param(request)
    selections = (Selection.objects.visible_to(request.user).select_related("centre").order_by("-year", "-pk"))
    office = office_centre(request.user, required=False)
    schemes = MedalScheme.objects.visible_to(request.user).filter(centre=office) if office else []
    if request.method == "POST":
        centre = _office_centre(request.user)
        try:
            selection = services.open_selection(
                request.user, centre, title=request.POST.get("title", ""), year=request.POST.get("year"),
                honour=request.POST.get("honour", ""), candidate_kind=request.POST.get("candidate_kind") or None,
                quota=request.POST.get("quota") or None, max_nominations=request.POST.get("max_nominations") or None,
                criteria=request.POST.get("criteria", ""),
                nominate_until=_date(request.POST.get("nominate_until"), "nominate_until"),
                notice_days=request.POST.get("notice_days") or 5,
                panel_scoring=bool(request.POST.get("panel_scoring")), public_vote=bool(request.POST.get("public_vote")),
                half=request.POST.get("half") or 0)
        except ValidationError as e:
            _errors(request, e)
        else:
            return redirect("honours:selection", pk=selection.pk)
    # A page of 50, newest first: a city's administrator sees its 50 centres' selections, 300 a year.
    page = CappedPaginator(selections, 50).get_page(page_param(request))
    return render(request, "honours/home.html", {
        "selections": page.object_list, "page": page, "schemes": schemes, "office": office, "year": year,
        "honours": HonourKind.choices, "kinds": CandidateKind.choices, "today": timezone.localdate(),
        "floors": Floor.objects.visible_to(request.user).filter(centre=office) if office else [],
    })


@login_required
@require_safe
def archive(request):
    _staff(request.user)
    year = year_param(request)
    selections, honours = selectors.archive(request.user, year)
    # A page of the year's honours: a city's administrator reads thousands (its 50 centres' boards).
    page = CappedPaginator(honours.only("kind", "name", "certificate_number", "awarded_on"), 100).get_page(
        page_param(request))
    return render(request, "honours/archive.html", {"year": year, "selections": selections, "page": page,
                                                    "honours": page.object_list,
                                                    "office": office_centre(request.user, required=False)})


def _selection(request, pk):
    return get_object_or_404(Selection.objects.visible_to(request.user).select_related("centre"), pk=pk)


@login_required
def selection_detail(request, pk):
    _staff(request.user)
    selection = _selection(request, pk)
    office = is_office_of(request.user, selection.centre_id)
    nominations = services.ranking(selection) if office else list(
        selection.nominations.filter(created_by=request.user))
    rejected = list(selection.nominations.filter(state=Nomination.State.REJECTED)) if office else []
    for n in nominations:
        n.standard_rows = [(label, n.standards.get(key) or {}) for key, label in STANDARDS] if n.standards else []
    return render(request, "honours/selection.html", {
        "selection": selection, "office": office, "nominations": nominations, "rejected": rejected,
        "standards": STANDARDS, "objections": selection.objections.select_related("nomination") if office else [],
        "codes": selection.vote_codes.filter(used=False)[:500] if office else [],
        "codes_total": selection.vote_codes.count() if office else 0,
        "form": CandidateForm(model=CANDIDATE_QS[selection.candidate_kind], chooser=CHOOSER[selection.candidate_kind],
                              user=request.user, centre_id=selection.centre_id),
        "may_nominate": services.may_nominate(request.user, selection),
        "honours": selection.honours.all() if selection.status == Selection.Status.AWARDED else [],
    })


@login_required
@require_POST
def nominate(request, pk):
    _staff(request.user)
    selection = _selection(request, pk)
    model = CANDIDATE_QS[selection.candidate_kind]
    raw = request.POST.get("candidate", "")
    # Any candidate the user can see: the service says which are outside the selection's scope.
    candidate = model.objects.visible_to(request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
    try:
        if candidate is None:
            raise ValidationError({"candidate": _("Choose the candidate.")})
        services.nominate(request.user, selection, candidate=candidate, reasons=request.POST.get("reasons", ""))
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Nominated."))
    return redirect("honours:selection", pk=selection.pk)


@login_required
@require_POST
def selection_action(request, pk):
    selection = _selection(request, pk)
    action = request.POST.get("action")
    today = timezone.localdate()
    try:
        if action == "close":
            services.close_nominations(request.user, selection)
        elif action == "codes":
            services.issue_vote_codes(request.user, selection, count=request.POST.get("count") or 0)
        elif action == "notice":
            services.start_notice(request.user, selection,
                                  start=_date(request.POST.get("start"), "start") or today)
        elif action == "award":
            services.award_selection(request.user, selection, today=today)
        else:
            raise Http404
    except ValidationError as e:
        _errors(request, e)
    return redirect("honours:selection", pk=selection.pk)


@login_required
@require_POST
def nomination_action(request, pk):
    nomination = get_object_or_404(Nomination.objects.visible_to(request.user).select_related("selection"), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "approve":
            services.review_nomination(request.user, nomination, approve=True, note=request.POST.get("note", ""))
        elif action == "reject":
            services.review_nomination(request.user, nomination, approve=False, note=request.POST.get("note", ""))
        elif action == "score":
            services.score_nomination(request.user, nomination, score=request.POST.get("score", ""))
        elif action == "standards":
            services.judge_standards(request.user, nomination, {
                key: {"met": {"1": True, "0": False}.get(request.POST.get(f"met_{key}")),
                      "note": request.POST.get(f"note_{key}", "")} for key, _label in STANDARDS})
        else:
            raise Http404
    except ValidationError as e:
        _errors(request, e)
    return redirect("honours:selection", pk=nomination.selection_id)


@login_required
@require_POST
def objection_action(request, pk):
    objection = get_object_or_404(Objection.objects.visible_to(request.user).select_related("selection"), pk=pk)
    try:
        services.resolve_objection(request.user, objection, upheld=request.POST.get("upheld") == "1",
                                   answer=request.POST.get("answer", ""))
    except ValidationError as e:
        _errors(request, e)
    return redirect("honours:selection", pk=objection.selection_id)


def _pdf(data, name):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_safe
def certificate(request, pk):
    honour = get_object_or_404(Honour.objects.visible_to(request.user).select_related("centre"), pk=pk)
    return _pdf(documents.certificate_pdf(honour), f"certificate-{honour.pk}.pdf")


# Medals ---------------------------------------------------------------------------------

@login_required
def medals(request):
    centre = _office_centre(request.user)
    if request.method == "POST":
        try:
            scheme = services.create_medal_scheme(
                request.user, centre, name=request.POST.get("name", ""), count=request.POST.get("count") or 10,
                holder_kind=request.POST.get("holder_kind", ""), cadence=request.POST.get("cadence", ""),
                rule=request.POST.get("rule", ""), min_ratings=request.POST.get("min_ratings") or 0)
        except ValidationError as e:
            _errors(request, e)
        else:
            return redirect("honours:medal-scheme", pk=scheme.pk)
    return render(request, "honours/medals.html", {
        "office": centre, "schemes": MedalScheme.objects.visible_to(request.user).filter(centre=centre),
        "holder_kinds": MedalScheme.HolderKind.choices, "cadences": MedalScheme.Cadence.choices,
        "rules": MedalScheme.Rule.choices})


@login_required
def medal_scheme(request, pk):
    scheme = get_object_or_404(MedalScheme.objects.visible_to(request.user), pk=pk)
    office = is_office_of(request.user, scheme.centre_id)
    if not office:
        raise PermissionDenied(_("Only the party-building office may manage honours."))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rotate":
                services.rotate_medals(request.user, scheme, period=services.period_of(scheme, timezone.localdate()))
            else:
                medal = get_object_or_404(Medal.objects.filter(scheme=scheme), pk=request.POST.get("medal") or 0)
                model = Window if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else Organization
                raw = request.POST.get("holder", "")
                holder = model.objects.visible_to(request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
                services.award_medal(request.user, medal, holder=holder, reason=request.POST.get("reason", ""))
        except ValidationError as e:
            _errors(request, e)
        return redirect("honours:medal-scheme", pk=scheme.pk)
    return render(request, "honours/medal_scheme.html", {
        "scheme": scheme, "medals": scheme.medals.all(), "current": selectors.current_medals(scheme=scheme),
        "history": selectors.medal_history(scheme, limit=500),
        "form": HolderForm(model=Window if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else Organization,
                           chooser="window" if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else "organization",
                           user=request.user, centre_id=scheme.centre_id)})


# Exemplars and service brands ------------------------------------------------------------------

@login_required
def exemplars(request):
    """The story columns, their stories told apart as teams' and people's, and (office) linking a
    story to the team or person it honours; teams are made here."""
    _staff(request.user)
    from vanguard.messaging.models import Column, Lesson

    office = office_centre(request.user, required=False)
    if request.method == "POST":
        centre = _office_centre(request.user)
        try:
            if request.POST.get("action") == "team":
                members = list(Person.objects.visible_to(request.user).filter(
                    centre=centre, pk__in=[v for v in request.POST.getlist("team-candidate") if v.isdigit()]))
                unit_raw = request.POST.get("unit", "")
                services.create_team(request.user, centre, name=request.POST.get("name", ""),
                                     unit=Unit.objects.visible_to(request.user).filter(
                                         centre=centre, pk=int(unit_raw)).first() if unit_raw.isdigit() else None,
                                     description=request.POST.get("description", ""), members=members)
            else:
                raw = request.POST.get("lesson", "")
                lesson = get_object_or_404(Lesson.objects.visible_to(request.user).filter(column__isnull=False),
                                           pk=int(raw) if raw.isdigit() else 0)
                person_raw = request.POST.get(f"c{lesson.column_id}-candidate", "")
                team_raw = request.POST.get("team", "")
                person = (Person.objects.visible_to(request.user).filter(pk=int(person_raw)).first()
                          if person_raw.isdigit() else None)
                team = Team.objects.visible_to(request.user).filter(pk=int(team_raw)).first() if team_raw.isdigit() \
                    else None
                services.link_story(request.user, lesson, person=person, team=team)
        except ValidationError as e:
            _errors(request, e)
        return redirect("honours:exemplars")
    columns = []
    for column in Column.objects.visible_to(request.user).order_by("name")[:50]:
        teams, people = selectors.column_subjects(column)
        columns.append({"column": column, "teams": teams, "people": people,
                        "stories": list(column.lessons.order_by("-send_at")[:100]) if office else [],
                        "form": CandidateForm(model=Person, chooser="person", user=request.user, centre_id=office.pk,
                                              prefix=f"c{column.pk}") if office else None})
    return render(request, "honours/exemplars.html", {
        "columns": columns, "office": office,
        "teams": Team.objects.visible_to(request.user).filter(centre=office) if office else [],
        "form": CandidateForm(model=Person, chooser="person", user=request.user, centre_id=office.pk,
                              prefix="team") if office else None})


@login_required
def brands(request):
    """Service brands: a unit (its liaison) or the office describes a practice with photos."""
    from vanguard.core.roles import Role

    scope = _staff(request.user)
    office = office_centre(request.user, required=False)
    units = (Unit.objects.visible_to(request.user).filter(centre=office) if office
             else Unit.objects.filter(pk__in=scope.units(Role.LIAISON)))
    if request.method == "POST":
        raw = request.POST.get("unit", "")
        unit = units.filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            if unit is None:
                raise ValidationError({"unit": _("Choose the unit.")})
            services.create_brand(request.user, unit, name=request.POST.get("name", ""),
                                  description=request.POST.get("description", ""),
                                  photos=request.FILES.getlist("photos"))
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("Saved."))
        return redirect("honours:brands")
    return render(request, "honours/brands.html", {
        "brands": ServiceBrand.objects.visible_to(request.user).select_related("unit").prefetch_related("photos")
        .order_by("name")[:200], "units": units[:200], "office": office})


@login_required
@require_safe
def person_honours(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    return render(request, "honours/person.html", {
        "person": person, "honours": selectors.honours_of(person=person),
        "stories": selectors.stories_of(person=person),
        "teams": person.honour_teams.all()})


# Public pages ---------------------------------------------------------------------------------

def _public_centre(code):
    return get_object_or_404(ServiceCentre.objects.only("pk", "name", "code", "complaint_phone"), code=code)


@require_safe
def public_roll(request, code):
    centre = _public_centre(code)
    board = selectors.board(centre, year=year_param(request, default=selectors.roll_year(centre)))
    if request.GET.get("format") == "pdf":
        return _pdf(documents.board_pdf(board), "roll.pdf")
    notices = selectors.public_notices(centre)
    floors = Floor.objects.filter(centre=centre).order_by("number")
    return render(request, "honours/public/roll.html", {"board": board, "centre": centre, "notices": notices,
                                                        "floors": floors})


@require_safe
def public_floor(request, pk):
    floor = selectors.public_floor(pk)
    if floor is None:
        raise Http404
    board = selectors.board(floor.centre, year=year_param(request, default=selectors.roll_year(floor.centre)),
                            floor=floor)
    if request.GET.get("format") == "pdf":
        return _pdf(documents.board_pdf(board), f"floor-{floor.pk}.pdf")
    return render(request, "honours/public/roll.html", {"board": board, "centre": floor.centre, "floor": floor})


@public_limit("honours-objection")
def public_notice(request, code):
    selection = get_object_or_404(Selection.objects.select_related("centre"), public_code=code,
                                  status__in=[Selection.Status.NOTICE, Selection.Status.AWARDED])
    listed = selectors.notice_list(selection)
    errors, done = {}, False
    if request.method == "POST":
        raw = request.POST.get("nomination", "")
        nomination = next((n for n in listed if str(n.pk) == raw), None)
        try:
            services.file_objection(selection, content=request.POST.get("content", ""), nomination=nomination,
                                    contact_name=request.POST.get("contact_name", ""),
                                    contact_mobile=request.POST.get("contact_mobile", ""))
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"content": e.messages}
        else:
            done = True
    today = timezone.localdate()
    return render(request, "honours/public/notice.html", {
        "selection": selection, "listed": listed, "errors": errors, "done": done,
        "open": selection.status == Selection.Status.NOTICE and selection.notice_starts <= today
        <= selection.notice_ends}, status=400 if errors else 200)


@public_limit("honours-vote", methods=("GET", "POST"))
def public_vote(request, code):
    code_row = services.find_vote_code(code)
    problem = services.vote_code_problem(code_row)
    if code_row is None:
        raise Http404
    selection = code_row.selection
    nominations = list(selection.nominations.exclude(state=Nomination.State.REJECTED).only("pk", "name", "reasons",
                                                                                          "selection_id"))
    errors, done = [], False
    if request.method == "POST" and not problem:
        try:
            services.cast_vote(code, nomination_ids=request.POST.getlist("nomination"))
        except ValidationError as e:
            errors = e.messages
        else:
            done = True
    return render(request, "honours/public/vote.html", {
        "selection": selection, "nominations": nominations, "problem": "" if done else problem, "errors": errors,
        "done": done}, status=400 if errors else 200)


@require_safe
def public_team(request, pk):
    team = get_object_or_404(Team.objects.select_related("centre", "unit"), pk=pk)
    return render(request, "honours/public/team.html", {
        "team": team, "members": team.members.filter(is_active=True).only("name"),
        "stories": selectors.stories_of(team=team), "honours": selectors.honours_of(team=team)})

