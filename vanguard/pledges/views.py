"""Staff pages of pledges (member, secretary, office) and of target responsibility
letters. Thin: parse, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core.paginators import CappedPaginator
from vanguard.core.params import page_param, year_param
from vanguard.core.permissions import office_centre
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.upload_checks import CONTENT_TYPES, EXTENSIONS, sniff
from vanguard.org.models import Person

from . import documents, selectors, services
from .forms import (
    JudgeForm,
    LetterForm,
    PledgeForm,
    ProgressForm,
    ReviewForm,
    SignForm,
    TargetProgressForm,
    TargetsForm,
)
from .models import Comment, Letter, Pledge, Progress, Target
from .permissions import is_branch_secretary, is_office, is_owner, is_reviewer


def apply_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _person(user):
    person_id = scope_for(user).person_id
    return Person.objects.filter(pk=person_id).select_related("branch").first() if person_id else None


@login_required
def home(request):
    year = year_param(request)
    person = _person(request.user)
    mine = []
    if person is not None:
        mine = list(Pledge.objects.filter(person=person, year=year).annotate(
            progress_count=Count("progress")).order_by("deadline", "pk"))
    context = {"year": year, "person": person, "mine": mine, "reviewer": is_reviewer(request.user),
               "wall_branch": person.branch_id if person and person.branch_id else None,
               "office": bool(scope_for(request.user).centres(Role.OFFICE)) or scope_for(request.user).is_admin}
    if context["reviewer"]:
        visible = Pledge.objects.visible_to(request.user).filter(year=year)
        context["queue"] = visible.aggregate(
            submitted=Count("pk", filter=Q(status=Pledge.Status.SUBMITTED)),
            due=Count("pk", filter=Q(status=Pledge.Status.APPROVED, result="")))
        context["branches"] = list(services.branches_of(request.user).order_by("path")[:50])
    return render(request, "pledges/home.html", context)


@login_required
def make(request):
    person = _person(request.user)
    people = None
    if is_reviewer(request.user):
        people = Person.objects.visible_to(request.user).members().filter(branch__isnull=False)
    elif person is None or not person.is_party_member:
        raise PermissionDenied(_("Only a party member registered with a branch makes pledges."))
    form = PledgeForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = services.make_pledge(request.user, data.get("person") or person, year=data["year"],
                                          what=data["what"], deadline=data["deadline"], measure=data["measure"])
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Your pledge is made; the branch will review it."))
            return redirect("pledges:detail", pk=pledge.pk)
    return render(request, "pledges/make.html", {"form": form}, status=400 if form.errors else 200)


def _visible_pledge(request, pk):
    return get_object_or_404(Pledge.objects.visible_to(request.user).select_related("person", "branch", "unit"),
                             pk=pk)


def _progress_form(pledge, form, shown):
    """The progress form, its chooser filled with the member's own records when it shows."""
    form = form or ProgressForm()
    if shown and pledge.status == Pledge.Status.APPROVED:
        form.fields["life_record"].widget.choices = [("", "—"), *selectors.life_choices(pledge)]
    return form


def _detail(request, pledge, status=200, **forms):
    secretary = is_branch_secretary(request.user, pledge.branch)
    owner = is_owner(request.user, pledge)
    progress = list(pledge.progress.select_related("confirmed_by", "meeting", "activity__kind").order_by("day", "pk"))
    for item in progress:
        item.life_words = selectors.life_summary(item)
    context = {
        "pledge": pledge, "secretary": secretary, "owner": owner,
        "progress": progress,
        "comments": list(pledge.comments.order_by("-created_at")[:100]) if secretary else [],
        "review_form": forms.get("review_form") or ReviewForm(),
        "progress_form": _progress_form(pledge, forms.get("progress_form"), owner or secretary),
        "judge_form": forms.get("judge_form") or JudgeForm(),
        "revise_form": forms.get("revise_form") or PledgeForm(initial={
            "year": pledge.year, "what": pledge.what, "deadline": pledge.deadline, "measure": pledge.measure}),
    }
    return render(request, "pledges/detail.html", context, status=status)


@login_required
def detail(request, pk):
    return _detail(request, _visible_pledge(request, pk))


def _act(request, pk, form_class, key, call, done, files=False):
    pledge = _visible_pledge(request, pk)
    form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    if form.is_valid():
        try:
            call(pledge, form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, done)
            return redirect("pledges:detail", pk=pledge.pk)
    return _detail(request, pledge, status=400, **{key: form})


@login_required
@require_POST
def review(request, pk):
    return _act(request, pk, ReviewForm, "review_form",
                lambda p, d: services.review_pledge(request.user, p, approve=d["decision"] == "approve",
                                                    reason=d["reason"]), _("The review is recorded."))


@login_required
@require_POST
def revise(request, pk):
    return _act(request, pk, PledgeForm, "revise_form",
                lambda p, d: services.revise_pledge(request.user, p, what=d["what"], deadline=d["deadline"],
                                                    measure=d["measure"]), _("The pledge goes back for review."))


@login_required
@require_POST
def progress(request, pk):
    return _act(request, pk, ProgressForm, "progress_form",
                lambda p, d: services.record_progress(request.user, p, text=d["text"], day=d["day"], photo=d["photo"],
                                                      link=d["link"], meeting=d["meeting"], activity=d["activity"]),
                _("The progress is recorded."), files=True)


@login_required
@require_POST
def judge(request, pk):
    return _act(request, pk, JudgeForm, "judge_form",
                lambda p, d: services.judge_pledge(request.user, p, stage=d["stage"], result=d["result"],
                                                   reason=d["reason"]), _("The judgement is recorded."))


@login_required
@require_POST
def confirm(request, pk):
    item = get_object_or_404(Progress.objects.visible_to(request.user).select_related("pledge__branch"), pk=pk)
    try:
        services.confirm_progress(request.user, item)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The progress is confirmed."))
    return redirect("pledges:detail", pk=item.pledge_id)


@login_required
def progress_photo(request, pk):
    item = get_object_or_404(Progress.objects.visible_to(request.user), pk=pk)
    if not item.photo:
        raise Http404
    try:
        handle = item.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = sniff(handle)
    if kind not in ("jpeg", "png"):
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind], filename=f"progress-{item.pk}{EXTENSIONS[kind]}")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def moderate(request, pk):
    comment = get_object_or_404(Comment.objects.visible_to(request.user).select_related("pledge__branch"), pk=pk)
    try:
        services.moderate_comment(request.user, comment, publish=request.POST.get("publish") == "1")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("pledges:queue")


@login_required
def queue(request):
    """The secretary's work: pledges to review, progress to confirm, comments to moderate, judgements due."""
    if not is_reviewer(request.user):
        raise PermissionDenied(_("Only a branch secretary or the office reviews pledges."))
    year = year_param(request)
    pledges = Pledge.objects.visible_to(request.user)

    def paged(rows, param):
        # Each list paged on its own (a city's office has thousands in each), oldest first.
        return CappedPaginator(rows, 25).get_page(page_param(request, param))

    # The pages' rows in the partial indexes' order, their pledges and people fetched for the page only
    # (joined in the ordering query, the planner hashed all 560,000 pledges of a city to show 25 comments).
    context = {
        "year": year,
        "submitted": paged(pledges.filter(status=Pledge.Status.SUBMITTED).order_by("created_at", "pk")
                           .prefetch_related("person", "branch"), "submitted_page"),
        "progress": paged(Progress.objects.visible_to(request.user).filter(confirmed_at__isnull=True)
                          .order_by("recorded_at", "pk").prefetch_related("pledge__person"), "progress_page"),
        "comments": paged(Comment.objects.visible_to(request.user).filter(status=Comment.Status.PENDING)
                          .order_by("created_at", "pk").prefetch_related("pledge__person"), "comments_page"),
        "due_url": selectors.list_url(year, state="due"),
    }
    # Counted up to the paginators' cap ("10000+"): a city has 250,000 pledges not yet judged until the year ends.
    due = CappedPaginator(pledges.filter(year=year, status=Pledge.Status.APPROVED, result=""), 25)
    context["due"] = f"{due.count}+" if due.count and due.capped else due.count
    return render(request, "pledges/queue.html", context)


@login_required
def pledge_list(request):
    year = year_param(request)
    qs = selectors.filter_pledges(Pledge.objects.visible_to(request.user).filter(year=year), request.GET)
    qs = qs.select_related("person", "branch", "unit").order_by("branch__path", "person__name", "pk")
    paginator = CappedPaginator(qs, 50)
    page = paginator.get_page(page_param(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "pledges/list.html", {"page": page, "year": year, "query": query.urlencode(),
                                                 "q": request.GET.get("q", "")})


@login_required
def figures_page(request):
    year = year_param(request)
    stats = selectors.stats_for(request.user)
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.has_role(Role.OFFICE, Role.SECRETARY, Role.LIAISON)):
        raise PermissionDenied(_("Only the office, secretaries and liaisons read the pledge figures."))
    group = request.GET.get("by") if request.GET.get("by") in ("centre", "unit", "branch") else "branch"
    total, _rows = selectors.figures(stats, year)
    # A page of the groups (a city's office reads 10,000 branches), the total over all of them.
    page = CappedPaginator(selectors.figure_rows(stats, year, group), 50).get_page(page_param(request))
    rows = selectors.figure_page(list(page), group)
    states = ("approved", "kept", "partly", "not_kept", "judged")
    for r in rows:
        r["url"] = {"all": selectors.list_url(year, **{group: r["key"]}),
                    **{s: selectors.list_url(year, **{group: r["key"]}, state=s) for s in states}}
    urls = {"all": selectors.list_url(year), **{s: selectors.list_url(year, state=s) for s in states}}
    return render(request, "pledges/figures.html", {"year": year, "total": total, "rows": rows, "group": group,
                                                    "urls": urls, "page": page})


# Letters -----------------------------------------------------------------------------

@login_required
def letters(request):
    year = year_param(request)
    centre = office_centre(request.user, required=False)
    qs = Letter.objects.visible_to(request.user).filter(year=year).select_related("unit", "leader").order_by(
        "kind", "rank", "unit__name", "pk")
    form = LetterForm(request.POST or None, centre=centre, user=request.user) if centre else None
    if request.method == "POST":
        if centre is None:
            raise PermissionDenied(_("Only the party-building office may manage responsibility letters."))
        if form.is_valid():
            d = form.cleaned_data
            try:
                letter = services.create_letter(request.user, centre, year=d["year"], unit=d["unit"],
                                                kind=d["kind"], leader=d["leader"], title=d["title"])
            except ValidationError as e:
                apply_errors(form, e)
            else:
                return redirect("pledges:letter", pk=letter.pk)
    page = CappedPaginator(qs, 100).get_page(page_param(request))
    return render(request, "pledges/letters.html", {"page": page, "year": year, "form": form, "centre": centre},
                  status=400 if form is not None and form.errors else 200)


def _visible_letter(request, pk):
    return get_object_or_404(Letter.objects.visible_to(request.user).select_related("unit", "leader", "centre"),
                             pk=pk)


def evidence_url(letter, target):
    """Where the numbers behind a target's score are listed."""
    from django.urls import reverse

    if target.metric == Target.Metric.PLEDGES_KEPT:
        if letter.leader_id:
            return selectors.list_url(letter.year, person=letter.leader_id, state="judged")
        return selectors.list_url(letter.year, unit=letter.unit_id, state="judged")
    if target.metric == Target.Metric.POSTS_KEPT:
        return reverse("posts:post-list") + f"?unit={letter.unit_id}"
    if target.metric in (Target.Metric.SATISFACTION, Target.Metric.BAD_REVIEWS):
        return reverse("ratings:home") + f"?unit={letter.unit_id}&year={letter.year}"
    if target.metric == Target.Metric.CASES_ON_TIME:
        who = f"person={letter.leader_id}" if letter.leader_id else f"unit={letter.unit_id}"
        return reverse("cases:home") + f"?{who}&year={letter.year}"
    if target.metric == Target.Metric.MEMBERS_RESULTS:
        return reverse("assessment:tally") + f"?year={letter.year}&centre={letter.centre_id}"
    return ""


def _letter_page(request, letter, status=200, **forms):
    targets = list(letter.targets.prefetch_related("progress"))
    for t in targets:
        t.evidence_url = evidence_url(letter, t)
    lines = "\n".join(f"{t.section} | {t.text} | {t.measure} | {t.weight} | {t.metric}" for t in targets)
    context = {
        "letter": letter, "targets": targets, "office": is_office(request.user, letter.centre_id),
        "can_track": services.can_track(request.user, letter),
        "targets_form": forms.get("targets_form") or TargetsForm(initial={"lines": lines}),
        "sign_form": forms.get("sign_form") or SignForm(),
        "progress_form": forms.get("progress_form") or TargetProgressForm(),
        "weights": sum(t.weight for t in targets),
    }
    return render(request, "pledges/letter.html", context, status=status)


@login_required
def letter_detail(request, pk):
    return _letter_page(request, _visible_letter(request, pk))


def _letter_act(request, pk, form_class, key, call, done, files=False):
    letter = _visible_letter(request, pk)
    form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    if form.is_valid():
        try:
            call(letter, form)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, done)
            return redirect("pledges:letter", pk=letter.pk)
    return _letter_page(request, letter, status=400, **{key: form})


@login_required
@require_POST
def letter_targets(request, pk):
    return _letter_act(request, pk, TargetsForm, "targets_form",
                       lambda letter, f: services.set_targets(request.user, letter, f.targets()),
                       _("The targets are saved."))


@login_required
@require_POST
def letter_sign(request, pk):
    return _letter_act(request, pk, SignForm, "sign_form",
                       lambda letter, f: services.sign_letter(request.user, letter, **f.cleaned_data),
                       _("The signature is recorded."), files=True)


@login_required
@require_POST
def letter_progress(request, pk):
    def call(letter, form):
        d = form.cleaned_data
        target = get_object_or_404(Target, pk=d["target"], letter=letter)
        services.record_target_progress(request.user, target, quarter=d["quarter"], percent=d["percent"],
                                        note=d["note"], evidence=d["evidence"])

    return _letter_act(request, pk, TargetProgressForm, "progress_form", call, _("The progress is recorded."),
                       files=True)


@login_required
@require_POST
def letter_action(request, pk, action):
    letter = _visible_letter(request, pk)
    calls = {"send": (services.send_letter, _("The letter is sent.")),
             "score": (services.score_letter, _("The letter's year-end score is computed from its evidence."))}
    if action not in calls:
        raise Http404
    call, done = calls[action]
    try:
        call(request.user, letter)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect("pledges:letter", pk=letter.pk)


@login_required
@require_POST
def letters_publish(request):
    centre = office_centre(request.user, required=False)
    if centre is None:
        raise PermissionDenied(_("Only the party-building office may manage responsibility letters."))
    year = year_param(request)
    try:
        services.publish_letter_results(request.user, centre, year)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The units' results are published with their ranks."))
    return redirect(f"{request.path.rsplit('publish/', 1)[0]}?year={year}")


@login_required
def letter_document(request, pk, fmt):
    letter = _visible_letter(request, pk)
    if fmt == "pdf":
        return documents.download(documents.letter_pdf(letter), "application/pdf", letter, "pdf")
    if fmt == "docx":
        return documents.download(documents.letter_docx(letter), CONTENT_TYPES["docx"], letter, "docx")
    raise Http404


@login_required
def letter_scan(request, pk):
    letter = _visible_letter(request, pk)
    if not letter.signed_scan:
        raise Http404
    try:
        handle = letter.signed_scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = sniff(handle)
    if kind is None:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind], filename=f"letter-{letter.pk}{EXTENSIONS[kind]}")
    response["Cache-Control"] = "private, no-store"
    return response
