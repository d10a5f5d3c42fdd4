"""Use cases of quarterly evaluations: prepare, open, invite, answer (anonymously),
close and decide (naming proposals, warnings, automatic revocation)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.notices import services as notices
from vanguard.notices.models import Urgency
from vanguard.org.models import Organization
from vanguard.posts import services as post_services
from vanguard.posts.models import VanguardPost
from vanguard.ratings.models import Notice
from vanguard.ratings.permissions import is_office

from .models import (
    AnswerItem,
    AnswerSheet,
    Decision,
    Evaluation,
    EvaluatorGroup,
    Invitation,
    PostResult,
    Question,
)

Status = Evaluation.Status
# Failures that count towards revocation: within this many days of the naming.
NAMING_VALIDITY_DAYS = getattr(settings, "VANGUARD_NAMING_VALIDITY_DAYS", 3 * 365)
DEFAULT_QUESTIONS = [
    ("总体满意度", Question.Kind.SCALE), ("服务效率", Question.Kind.SCALE), ("服务态度", Question.Kind.SCALE),
    ("亮身份、作表率情况", Question.Kind.SCALE), ("意见和建议", Question.Kind.TEXT),
]
DEFAULT_GROUPS = {EvaluatorGroup.Kind.DEPUTIES: 20, EvaluatorGroup.Kind.USERS: 60, EvaluatorGroup.Kind.PUBLIC: 40}


def _require_office(actor, centre_id):
    require(is_office(actor, centre_id), _("Only the party-building office may manage evaluations."))


def _draft(evaluation):
    if evaluation.status != Status.DRAFT:
        raise ValidationError(_("The evaluation has been opened; its questionnaire and posts can no longer change."))


@transaction.atomic
def create_evaluation(actor, centre, *, title, year, quarter, posts, windows=(), threshold=90, min_answers=10,
                      questions=None, groups=None):
    _require_office(actor, centre.pk)
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the evaluation a title.")
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("The quarter is 1, 2, 3 or 4.")
    if not (2000 <= int(year or 0) <= 2100):
        errors["year"] = _("Give a valid year.")
    try:
        threshold = Decimal(str(threshold))
        if not (0 < threshold <= 100):
            raise ValueError
    except (ValueError, ArithmeticError):
        errors["threshold"] = _("The threshold is a percentage between 0 and 100.")
    if int(min_answers or 0) < 1:
        errors["min_answers"] = _("At least one answer is needed per post.")
    posts = list(posts or [])
    if not posts:
        errors["posts"] = _("Choose the posts to evaluate.")
    elif any(p.centre_id != centre.pk or p.status == VanguardPost.Status.DRAFT for p in posts):
        errors["posts"] = _("Only disclosed, named or revoked posts of this centre can be evaluated.")
    if any(w.centre_id != centre.pk for w in windows):
        errors["windows"] = _("It belongs to another service centre.")
    if Evaluation.objects.filter(centre=centre, year=year, quarter=quarter).exists():
        errors["quarter"] = _("This quarter already has an evaluation.")
    if errors:
        raise ValidationError(errors)
    evaluation = Evaluation.objects.create(centre=centre, title=title, year=year, quarter=quarter,
                                           threshold=threshold, min_answers=min_answers,
                                           created_by=actor if getattr(actor, "pk", None) else None)
    evaluation.posts.set(posts)
    evaluation.windows.set(windows)
    for i, (text, kind) in enumerate(questions or DEFAULT_QUESTIONS):
        Question.objects.create(evaluation=evaluation, order=i, text=text, kind=kind)
    for kind, quota in (groups or DEFAULT_GROUPS).items():
        EvaluatorGroup.objects.create(evaluation=evaluation, kind=kind, quota=quota)
    audit.record_create(actor, evaluation, verb="create-evaluation")
    return evaluation


@transaction.atomic
def add_question(actor, evaluation, *, text, kind=Question.Kind.SCALE, required=True):
    _require_office(actor, evaluation.centre_id)
    _draft(evaluation)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Choose a scale or a text question.")})
    question = Question.objects.create(evaluation=evaluation, text=text[:200], kind=kind, required=required,
                                       order=evaluation.questions.count())
    audit.record_create(actor, question, centre_id=evaluation.centre_id)
    return question


@transaction.atomic
def set_group(actor, evaluation, *, kind, quota):
    _require_office(actor, evaluation.centre_id)
    if evaluation.status == Status.CLOSED:
        raise ValidationError(_("This evaluation is closed."))
    if kind not in EvaluatorGroup.Kind.values:
        raise ValidationError({"kind": _("Unknown evaluator group.")})
    if int(quota) < 0:
        raise ValidationError({"quota": _("The quota cannot be negative.")})
    group, _created = EvaluatorGroup.objects.update_or_create(evaluation=evaluation, kind=kind,
                                                              defaults={"quota": int(quota)})
    if group.invitations.count() > group.quota:
        raise ValidationError({"quota": _("More invitations than that have already been issued.")})
    audit.record(actor, audit.Action.UPDATE, evaluation, {kind: [None, int(quota)]}, verb="set-group")
    return group


@transaction.atomic
def open_evaluation(actor, evaluation):
    _require_office(actor, evaluation.centre_id)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _draft(evaluation)
    if not evaluation.questions.filter(kind=Question.Kind.SCALE).exists():
        raise ValidationError(_("The questionnaire needs at least one scale question."))
    if not evaluation.groups.filter(quota__gt=0).exists():
        raise ValidationError(_("Set at least one evaluator group with a quota."))
    before = audit.snapshot(evaluation)
    evaluation.status, evaluation.opened_on = Status.OPEN, timezone.localdate()
    evaluation.save()
    audit.record_update(actor, evaluation, before, verb="open")
    return evaluation


@transaction.atomic
def issue_invitations(actor, evaluation, *, group, count, valid_days=14, channel=Invitation.Channel.SLIP):
    _require_office(actor, evaluation.centre_id)
    if evaluation.status == Status.CLOSED:
        raise ValidationError(_("This evaluation is closed."))
    group = EvaluatorGroup.objects.select_for_update().get(pk=group.pk, evaluation=evaluation)
    count, valid_days = int(count), int(valid_days)
    if count < 1:
        raise ValidationError({"count": _("Issue at least one invitation.")})
    if not 1 <= valid_days <= 120:
        raise ValidationError({"valid_days": _("An invitation is valid for 1 to 120 days.")})
    if channel not in Invitation.Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    left = group.quota - group.invitations.count()
    if count > left:
        raise ValidationError({"count": _("Only %(left)s invitations are left in the quota of %(group)s.") % {
            "left": left, "group": group.get_kind_display()}})
    until = timezone.now() + datetime.timedelta(days=valid_days)
    made = Invitation.objects.bulk_create([Invitation(evaluation=evaluation, group=group, channel=channel,
                                                      valid_until=until) for _i in range(count)])
    audit.record(actor, audit.Action.CREATE, evaluation, {"invitations": [None, count], "group": [None, group.kind]},
                 verb="issue-invitations")
    return made


# Answering ------------------------------------------------------------------------------

def invitation_problem(invitation, now=None):
    """Why a code cannot be used now, or ""."""
    now = now or timezone.now()
    if invitation is None:
        return _("This invitation code does not exist.")
    if invitation.used:
        return _("This invitation code has already been used.")
    if invitation.evaluation.status == Status.CLOSED:
        return _("This evaluation has closed; answers are no longer accepted.")
    if invitation.evaluation.status != Status.OPEN:
        return _("This evaluation has not opened yet.")
    if invitation.valid_until < now:
        return _("This invitation code has expired.")
    return ""


def find_invitation(code):
    code = (code or "").strip().upper()
    return Invitation.objects.select_related("evaluation", "group").filter(code=code).first()


DONT_KNOW = "dont_know"


def score_field(post, question):
    """The form field (and error key) of one post's answer to one scale question."""
    return f"s_{post.pk}_{question.pk}"


def text_field(question):
    return f"t_{question.pk}"


def form_for(evaluation):
    posts = list(evaluation.posts.order_by("name", "pk"))
    questions = list(evaluation.questions.all())
    return posts, [q for q in questions if q.kind == Question.Kind.SCALE], [q for q in questions
                                                                           if q.kind == Question.Kind.TEXT]


def usable_invitation(code, now=None):
    """The invitation behind `code`, or a ValidationError saying why it cannot be used now."""
    invitation = find_invitation(code)
    problem = invitation_problem(invitation, now)
    if problem:
        raise ValidationError(problem)
    return invitation


def spend_invitation(invitation, now=None):
    """Use up the code and open an anonymous answer sheet; call inside the transaction that
    stores the sheet's items, after every check of the answers.

    The code is used up with a conditional UPDATE (used = false -> true): of two
    submissions at the same moment, exactly one sees a row to update."""
    now = now or timezone.now()
    evaluation = invitation.evaluation
    # FOR SHARE: closing (FOR UPDATE on the evaluation) waits for answers in flight, and vice versa.
    share = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {Evaluation._meta.db_table} WHERE id = %s AND status = %s{share}",
                       [evaluation.pk, Status.OPEN])
        still_open = cursor.fetchone()
    # Only the invitation's own columns in the WHERE (no join), so PostgreSQL re-checks them
    # after a concurrent UPDATE commits: the second submission finds used = true and updates nothing.
    won = still_open and Invitation.objects.filter(pk=invitation.pk, used=False, valid_until__gte=now).update(
        used=True)
    if not won:
        raise ValidationError(invitation_problem(find_invitation(invitation.code), now) or _(
            "This invitation code has already been used."))
    # No link to the invitation, the day only, a random key: nothing re-identifies the answer.
    return AnswerSheet.objects.create(evaluation=evaluation, group_kind=invitation.group.kind,
                                      answered_on=timezone.localdate(now))


@transaction.atomic
def submit_answers(code, *, scores, texts=None, now=None):
    """scores: {(post_id, question_id): 1..5 or DONT_KNOW}; texts: {question_id: text}.
    Bad answers raise one ValidationError keyed by form field (score_field/text_field),
    so a page shows each message beside its question; nothing is stored."""
    now = now or timezone.now()
    invitation = usable_invitation(code, now)
    evaluation = invitation.evaluation
    posts, scale, text_questions = form_for(evaluation)
    items, errors = [], {}
    for post in posts:
        for question in scale:
            field = score_field(post, question)
            value = scores.get((post.pk, question.pk))
            if value in (None, ""):
                if question.required:
                    errors[field] = _("“%(post)s”: answer “%(question)s”.") % {"post": post.name,
                                                                                 "question": question.text}
                continue
            if value == DONT_KNOW:
                items.append(AnswerItem(post=post, question=question, dont_know=True))
                continue
            value = scale_value(value)
            if value is None:
                errors[field] = _("“%(post)s”, “%(question)s”: choose a level from 1 to 5, or “Don't know”.") % {
                    "post": post.name, "question": question.text}
                continue
            items.append(AnswerItem(post=post, question=question, value=value))
    for question in text_questions:
        text = ((texts or {}).get(question.pk) or "").strip()
        if len(text) > 1000:
            errors[text_field(question)] = _("“%(question)s”: at most 1000 characters (now %(length)s).") % {
                "question": question.text, "length": len(text)}
        elif text:
            items.append(AnswerItem(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    sheet = spend_invitation(invitation, now)
    for item in items:
        item.sheet = sheet
    AnswerItem.objects.bulk_create(items)
    return sheet


def scale_value(value):
    """A level 1..5 from a form value, or None."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= 5 else None


def progress(evaluation):
    """Per evaluator group: quota, invitations issued and used, answers received."""
    issued = dict(evaluation.invitations.values_list("group__kind").annotate(n=Count("pk")))
    used = dict(evaluation.invitations.filter(used=True).values_list("group__kind").annotate(n=Count("pk")))
    answers = dict(evaluation.sheets.values_list("group_kind").annotate(n=Count("pk")))
    rows = []
    for group in evaluation.groups.all():
        row = {"group": group, "kind": group.kind, "label": group.get_kind_display(), "quota": group.quota,
               "issued": issued.get(group.kind, 0), "used": used.get(group.kind, 0),
               "answers": answers.get(group.kind, 0)}
        row["percent"] = round(row["answers"] * 100 / group.quota) if group.quota else 0
        rows.append(row)
    return rows


# Closing and decisions ---------------------------------------------------------------

def _branch_of(post):
    if post.floor_id:
        branch = Organization.objects.filter(floor_id=post.floor_id).first()
        if branch:
            return branch
    holder = post.post_holders.select_related("person__branch").filter(person__branch__isnull=False).first()
    return holder.person.branch if holder else None


def _unit_of(post):
    if post.unit_id:
        return post.unit
    if post.window_id:
        return post.window.unit
    return None


def _notify(actor, post, kind, subject, body, link):
    """The office's record (ratings.Notice) and the inbox notice to the post's unit, its branch
    and its holders (a revocation is urgent: it also goes out by SMS)."""
    unit, branch = _unit_of(post), _branch_of(post)
    for target in ({"unit": unit} if unit else None, {"organization": branch} if branch else None):
        if target:
            Notice.objects.create(centre_id=post.centre_id, kind=kind, subject=subject, body=body, link=link,
                                  **target)
    holders = [h.person for h in post.post_holders.select_related("person")]
    notices.notify(actor, recipients=[r for r in (unit, branch, *holders) if r is not None], kind=kind,
                   title=subject, body=body, url=f"/posts/{post.pk}/", centre=post.centre,
                   urgency=Urgency.URGENT if kind == Notice.Kind.REVOCATION else Urgency.NORMAL)


def compute_results(evaluation):
    """Each post's answers, satisfied answers and rate; one grouped query."""
    stats = {row["post"]: row for row in AnswerItem.objects.filter(
        sheet__evaluation=evaluation, post__isnull=False, value__isnull=False).values("post").annotate(
        sheets=Count("sheet", distinct=True), scale=Count("pk"), satisfied=Count("pk", filter=Q(value__gte=3)))}
    results = []
    for post in evaluation.posts.all():
        row = stats.get(post.pk, {"sheets": 0, "scale": 0, "satisfied": 0})
        rate = None
        if row["scale"]:
            rate = (Decimal(row["satisfied"] * 100) / Decimal(row["scale"])).quantize(Decimal("0.01"),
                                                                                     rounding=ROUND_HALF_UP)
        if row["sheets"] < evaluation.min_answers:
            outcome = PostResult.Outcome.INSUFFICIENT
        elif rate >= evaluation.threshold:
            outcome = PostResult.Outcome.PASS
        else:
            outcome = PostResult.Outcome.FAIL
        results.append(PostResult(evaluation=evaluation, post=post, answers=row["sheets"],
                                  satisfied=row["satisfied"], scale_answers=row["scale"], rate=rate, outcome=outcome))
    return results


@transaction.atomic
def close_evaluation(actor, evaluation, *, today=None):
    """Compute every post's result, then: a pass of a post not named -> naming
    proposal; a fail of a named post -> warning, or revocation when it is the
    second failure within the naming's validity."""
    _require_office(actor, evaluation.centre_id)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Status.OPEN:
        raise ValidationError(_("Only an open evaluation can be closed."))
    today = today or timezone.localdate()
    before = audit.snapshot(evaluation)
    evaluation.status, evaluation.closed_on = Status.CLOSED, today
    evaluation.save()
    results = PostResult.objects.bulk_create(compute_results(evaluation))
    audit.record_update(actor, evaluation, before, verb="close")
    link = f"/evaluations/{evaluation.pk}/"
    for result in results:
        post = VanguardPost.objects.select_related("window__unit", "unit").get(pk=result.post_id)
        rate = f"{result.rate}%" if result.rate is not None else "—"
        if result.outcome == PostResult.Outcome.PASS and post.status == VanguardPost.Status.DISCLOSED or (
                result.outcome == PostResult.Outcome.PASS and post.status == VanguardPost.Status.REVOKED):
            Decision.objects.create(evaluation=evaluation, result=result, post=post, kind=Decision.Kind.NAMING,
                                    state=Decision.State.PROPOSED, reason=_(
                                        "Passed %(evaluation)s with %(rate)s.") % {"evaluation": evaluation.title,
                                                                                   "rate": rate})
        elif result.outcome == PostResult.Outcome.FAIL and post.status == VanguardPost.Status.NAMED:
            since = max(post.named_on or today, today - datetime.timedelta(days=NAMING_VALIDITY_DAYS))
            failures = PostResult.objects.filter(
                post=post, outcome=PostResult.Outcome.FAIL, evaluation__status=Status.CLOSED,
                evaluation__closed_on__gte=since).select_related("evaluation").order_by("evaluation__closed_on")
            if failures.count() >= 2:
                names = "、".join(f.evaluation.title for f in failures)
                reason = _("Failed two evaluations since its naming (%(names)s); the latest rate was %(rate)s.") % {
                    "names": names, "rate": rate}
                post_services.revoke_post(actor, post, reason=reason, revoked_on=today, evaluation=evaluation)
                Decision.objects.create(evaluation=evaluation, result=result, post=post, kind=Decision.Kind.REVOCATION,
                                        state=Decision.State.DONE, reason=reason, decided_at=timezone.now(),
                                        decided_by=actor if getattr(actor, "pk", None) else None)
                _notify(actor, post, Notice.Kind.REVOCATION, _("Vanguard post revoked: %(post)s") % {"post": post.name},
                        reason, link)
            else:
                reason = _("Failed %(evaluation)s with %(rate)s; a second failure will revoke the title.") % {
                    "evaluation": evaluation.title, "rate": rate}
                Decision.objects.create(evaluation=evaluation, result=result, post=post, kind=Decision.Kind.WARNING,
                                        state=Decision.State.DONE, reason=reason, decided_at=timezone.now(),
                                        decided_by=actor if getattr(actor, "pk", None) else None)
                _notify(actor, post, Notice.Kind.WARNING, _("Warning to vanguard post: %(post)s") % {"post": post.name},
                        reason, link)
    return evaluation


def certificate_number_for(decision):
    centre = decision.evaluation.centre
    return f"{centre.code.upper()}-XFG-{decision.evaluation.period_label}-{decision.post_id:04d}"


@transaction.atomic
def confirm_naming(actor, decision, *, certificate_number=None, named_on=None):
    """The office confirms a naming proposal: the post is named through the posts
    service (its history records the evaluation), the certificate follows."""
    _require_office(actor, decision.evaluation.centre_id)
    decision = Decision.objects.select_for_update().select_related("evaluation__centre", "post").get(pk=decision.pk)
    if decision.kind != Decision.Kind.NAMING or decision.state != Decision.State.PROPOSED:
        raise ValidationError(_("This proposal has already been decided."))
    number = (certificate_number or "").strip() or certificate_number_for(decision)
    # Named by the party committee that owns the post (its naming authority), not always the root.
    post_services.name_post(actor, decision.post, named_on=named_on or timezone.localdate(),
                            certificate_number=number, evaluation=decision.evaluation, reason=decision.reason)
    decision.state, decision.decided_at, decision.certificate_number = Decision.State.DONE, timezone.now(), number
    decision.decided_by = actor if getattr(actor, "pk", None) else None
    decision.save()
    audit.record(actor, audit.Action.UPDATE, decision, {"state": ["proposed", "done"]}, verb="confirm-naming",
                 centre_id=decision.evaluation.centre_id)
    return decision


@transaction.atomic
def dismiss_naming(actor, decision, *, reason):
    _require_office(actor, decision.evaluation.centre_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal is dismissed.")})
    if decision.state != Decision.State.PROPOSED:
        raise ValidationError(_("This proposal has already been decided."))
    decision.state, decision.reason = Decision.State.DISMISSED, f"{decision.reason}\n{reason}".strip()
    decision.decided_at, decision.decided_by = timezone.now(), actor
    decision.save()
    audit.record(actor, audit.Action.UPDATE, decision, {"state": ["proposed", "dismissed"]}, verb="dismiss-naming",
                 centre_id=decision.evaluation.centre_id)
    return decision
