"""Staff pages of evaluations (office) and the public answer page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vanguard.core.params import int_param
from vanguard.core.permissions import office_centre
from vanguard.core.ratelimit import public_limit
from vanguard.posts.models import VanguardPost

from . import documents, services
from .models import Decision, Evaluation, EvaluatorGroup, Invitation, Question


def _office_centre(user):
    return office_centre(user, message=_("Only the party-building office may manage evaluations."))


@login_required
def home(request):
    centre = _office_centre(request.user)
    evaluations = Evaluation.objects.visible_to(request.user).quarterly().select_related("centre")
    posts = VanguardPost.objects.visible_to(request.user).public().filter(centre=centre)
    if request.method == "POST":
        try:
            evaluation = services.create_evaluation(
                request.user, centre, title=request.POST.get("title", ""), year=int(request.POST.get("year") or 0),
                quarter=int(request.POST.get("quarter") or 0),
                posts=list(posts.filter(pk__in=request.POST.getlist("posts"))),
                threshold=request.POST.get("threshold") or 90, min_answers=int(request.POST.get("min_answers") or 10))
        except (ValidationError, ValueError) as e:
            for message in getattr(e, "messages", [str(e)]):
                messages.error(request, message)
        else:
            return redirect("surveys:evaluation", pk=evaluation.pk)
    today = timezone.localdate()
    return render(request, "surveys/home.html", {"evaluations": evaluations, "posts": posts, "year": today.year,
                                                 "quarter": (today.month - 1) // 3 + 1})


def _evaluation(request, pk):
    return get_object_or_404(Evaluation.objects.visible_to(request.user).quarterly(), pk=pk)


@login_required
def evaluation_detail(request, pk):
    evaluation = _evaluation(request, pk)
    return render(request, "surveys/evaluation.html", {
        "evaluation": evaluation, "questions": evaluation.questions.all(), "progress": services.progress(evaluation),
        "posts": evaluation.posts.all(), "results": evaluation.results.select_related("post"),
        "decisions": evaluation.decisions.select_related("post", "result"),
        "groups": EvaluatorGroup.Kind.choices, "kinds": Question.Kind.choices,
        "channels": Invitation.Channel.choices, "invitations": evaluation.invitations.select_related("group")[:200]})


@login_required
def evaluation_progress(request, pk):
    """The progress table alone, polled by the page while the evaluation is open."""
    evaluation = _evaluation(request, pk)
    return render(request, "surveys/_progress.html", {"progress": services.progress(evaluation)})


ACTIONS = {
    "open": lambda u, e, p: services.open_evaluation(u, e),
    "close": lambda u, e, p: services.close_evaluation(u, e),
    "question": lambda u, e, p: services.add_question(u, e, text=p.get("text"), kind=p.get("kind", "scale")),
    "group": lambda u, e, p: services.set_group(u, e, kind=p.get("kind"), quota=int(p.get("quota") or 0)),
    "invite": lambda u, e, p: services.issue_invitations(
        u, e, group=get_object_or_404(e.groups, kind=p.get("kind")), count=int(p.get("count") or 0),
        valid_days=int(p.get("valid_days") or 14), channel=p.get("channel", "slip")),
}


@login_required
@require_POST
def evaluation_action(request, pk):
    evaluation = _evaluation(request, pk)
    func = ACTIONS.get(request.POST.get("action"))
    if func is None:
        messages.error(request, _("Unknown action."))
    else:
        try:
            func(request.user, evaluation, request.POST)
            messages.success(request, _("Saved."))
        except (ValidationError, ValueError) as e:
            for message in getattr(e, "messages", [str(e)]):
                messages.error(request, message)
    return redirect("surveys:evaluation", pk=evaluation.pk)


@login_required
@require_POST
def decision_action(request, pk):
    decision = get_object_or_404(Decision.objects.visible_to(request.user), pk=pk)
    try:
        if request.POST.get("action") == "confirm":
            services.confirm_naming(request.user, decision,
                                    certificate_number=request.POST.get("certificate_number", ""))
            messages.success(request, _("The post has been named; its certificate can be printed."))
        else:
            services.dismiss_naming(request.user, decision, reason=request.POST.get("reason", ""))
            messages.success(request, _("The proposal was dismissed."))
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    return redirect("surveys:evaluation", pk=decision.evaluation_id)


@login_required
def slips(request, pk):
    evaluation = _evaluation(request, pk)
    invitations = evaluation.invitations.select_related("group").filter(used=False)
    if request.GET.get("group"):
        invitations = invitations.filter(group__kind=request.GET["group"])
    per_page = int_param(request, "per_page", 8, 1, 8)
    response = HttpResponse(documents.slips_pdf(evaluation, invitations[:400], per_page=per_page),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invitations-{evaluation.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@public_limit("answer", methods=("GET", "POST"))  # also bounds guessing codes
def answer(request, code):
    """Public: the questionnaire behind a one-time code. A refused submission comes back
    with every answer as it was given and each message beside its question."""
    invitation = services.find_invitation(code)
    problem = services.invitation_problem(invitation)
    if invitation is not None and invitation.evaluation.purpose == Evaluation.Purpose.CAMPAIGN:
        return redirect(invitation.public_path)  # a review campaign's questionnaire rates units
    if problem:
        return render(request, "surveys/public/message.html", {"message": problem}, status=400)
    evaluation = invitation.evaluation
    posts, scale, texts = services.form_for(evaluation)
    errors, general = {}, []
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        scores = {(p.pk, q.pk): data.get(services.score_field(p, q)) for p in posts for q in scale}
        text_answers = {q.pk: data.get(services.text_field(q), "") for q in texts}
        try:
            services.submit_answers(code, scores=scores, texts=text_answers)
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                errors = {field: " ".join(messages) for field, messages in e.message_dict.items()}
            else:
                general = e.messages
        else:
            return render(request, "surveys/public/thanks.html", {"evaluation": evaluation})
    from vanguard.ratings.models import Level

    choices = [(str(value), label) for value, label in Level.choices]
    post_rows = [{"post": p, "questions": [{
        "question": q, "name": services.score_field(p, q), "value": data.get(services.score_field(p, q), ""),
        "error": errors.get(services.score_field(p, q), "")} for q in scale]} for p in posts]
    text_rows = [{"question": q, "name": services.text_field(q), "value": data.get(services.text_field(q), ""),
                  "error": errors.get(services.text_field(q), "")} for q in texts]
    return render(request, "surveys/public/answer.html", {
        "evaluation": evaluation, "post_rows": post_rows, "text_rows": text_rows, "choices": choices,
        "dont_know": services.DONT_KNOW, "error_count": len(errors), "general_errors": general,
        "code": invitation.code}, status=400 if errors or general else 200)
