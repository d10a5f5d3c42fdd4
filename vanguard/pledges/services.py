"""Use cases of pledges and target responsibility letters. Each runs in one
transaction, checks who acts, writes the audit trail, and recounts the
pre-aggregated figures of the branch it touched (PledgeStat)."""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.core.system import actor_name, is_system
from vanguard.core.upload_checks import check_upload
from vanguard.org.models import Organization, Person

from .models import (
    Comment,
    Letter,
    Pledge,
    PledgeStat,
    PostPledge,
    PostPledgeBreach,
    Progress,
    Result,
    Target,
    TargetProgress,
)
from .permissions import is_branch_secretary, is_office, is_owner

Status = Pledge.Status
# Pledges a member may make in one year (a wall is a page, not a list without end).
MAX_PLEDGES_A_YEAR = 10
MIDYEAR, YEAR_END = "midyear", "year_end"
STAGES = (MIDYEAR, YEAR_END)


def _user(actor):
    return None if is_system(actor) else actor


def _text(value, field, message, max_length=None):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if max_length and len(value) > max_length:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": max_length}})
    return value


# Masking of personal numbers in public text ------------------------------------------

# An 18-digit resident ID number (last may be X) or a 15-digit old one; a mainland mobile.
ID_RE = re.compile(r"(?<!\d)(\d{6})(\d{8}|\d{6})(\d{3}[\dXx])(?![\dXx])")
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")


def mask_numbers(text):
    """Mobile and ID numbers in a comment masked before it is stored or shown:
    13812345678 -> 138****5678, 110105199001011234 -> 110105********1234."""
    text = ID_RE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


# Figures ------------------------------------------------------------------------------

def refresh_stats(year, branch_ids):
    """Recount PledgeStat for these branches in this year (one grouped query per call)."""
    branch_ids = sorted({b for b in branch_ids if b})
    if not branch_ids:
        return
    PledgeStat.objects.filter(year=year, branch_id__in=branch_ids).delete()
    rows = (Pledge.objects.filter(year=year, branch_id__in=branch_ids).order_by()
            .values("centre_id", "branch_id", "unit_id")
            .annotate(members=Count("person_id", distinct=True), made=Count("pk"),
                      approved=Count("pk", filter=Q(status=Status.APPROVED)),
                      kept=Count("pk", filter=Q(result=Result.KEPT)),
                      partly=Count("pk", filter=Q(result=Result.PARTLY)),
                      not_kept=Count("pk", filter=Q(result=Result.NOT_KEPT))))
    PledgeStat.objects.bulk_create([PledgeStat(year=year, **row) for row in rows])


def _touch_signboards(person_id):
    """Approved pledges show on the holder's signboards: a new version of each, so their cache renews."""
    from vanguard.posts.models import VanguardPost
    from vanguard.posts.signcache import forget_signboard

    posts = VanguardPost.objects.filter(post_holders__person_id=person_id)
    codes = list(posts.values_list("code", flat=True))
    if codes:
        VanguardPost.objects.filter(code__in=codes).update(updated_at=timezone.now())
        transaction.on_commit(lambda: [forget_signboard(c) for c in codes])


def _locked(pledge):
    return Pledge.objects.select_for_update().select_related("branch").get(pk=pledge.pk)


# Making and reviewing ------------------------------------------------------------------

def _check_fields(what, deadline, measure, year):
    errors = {}
    what = (what or "").strip()
    measure = (measure or "").strip()
    if not what:
        errors["what"] = _("Say what you pledge.")
    elif len(what) > 200:
        errors["what"] = _("At most %(n)s characters.") % {"n": 200}
    if not measure:
        errors["measure"] = _("Give a measurable result: how anyone can tell the pledge was kept.")
    elif len(measure) > 200:
        errors["measure"] = _("At most %(n)s characters.") % {"n": 200}
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("Give the date by which the pledge will be kept.")
    elif deadline.year != year:
        errors["deadline"] = _("The deadline must fall within %(year)s, the year of the pledge.") % {"year": year}
    if errors:
        raise ValidationError(errors)
    return what, measure


@transaction.atomic
def make_pledge(actor, person, *, year, what, deadline, measure):
    """A member makes a pledge (for themselves), or the branch's secretary enters one from paper."""
    own = not is_system(actor) and scope_for(actor).person_id == person.pk
    if not own:
        require((person.branch_id is not None and is_branch_secretary(actor, person.branch))
                or is_office(actor, person.centre_id),
                _("Only the member, or the secretary of the member's branch, may enter a pledge."))
    if not person.is_party_member or person.branch_id is None:
        raise ValidationError({"person": _("Only a party member registered with a branch makes pledges.")})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the year of the pledge.")}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give the year of the pledge.")})
    what, measure = _check_fields(what, deadline, measure, year)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one member's pledges counted at a time
    if Pledge.objects.filter(person=person, year=year).count() >= MAX_PLEDGES_A_YEAR:
        raise ValidationError({"what": _("At most %(n)s pledges a year.") % {"n": MAX_PLEDGES_A_YEAR}})
    pledge = Pledge.objects.create(
        centre_id=person.centre_id, person=person, branch_id=person.branch_id, unit_id=person.unit_id, year=year,
        what=what, deadline=deadline, measure=measure, created_by=_user(actor),
        source=Pledge.Source.MEMBER if own else Pledge.Source.PAPER)
    audit.record_create(actor, pledge, verb=audit.Event.PLEDGE_MADE)
    refresh_stats(year, [pledge.branch_id])
    return pledge


@transaction.atomic
def revise_pledge(actor, pledge, *, what, deadline, measure):
    """The member revises a returned (or not yet reviewed) pledge; it goes back for review."""
    require(is_owner(actor, pledge) or is_branch_secretary(actor, pledge.branch),
            _("Only the member or the branch's secretary may revise this pledge."))
    pledge = _locked(pledge)
    if pledge.status == Status.APPROVED:
        raise ValidationError({"status": _("An approved pledge cannot be changed.")})
    before = audit.snapshot(pledge)
    pledge.what, pledge.measure = _check_fields(what, deadline, measure, pledge.year)
    pledge.deadline, pledge.status, pledge.return_reason = deadline, Status.SUBMITTED, ""
    pledge.save()
    audit.record_update(actor, pledge, before, verb=audit.Event.PLEDGE_REVISED)
    return pledge


def _require_secretary(actor, pledge):
    require(is_branch_secretary(actor, pledge.branch),
            _("Only the secretary of the member's branch may review, confirm or judge pledges."))


@transaction.atomic
def review_pledge(actor, pledge, *, approve, reason=""):
    """The branch approves a pledge, or returns it with a reason."""
    _require_secretary(actor, pledge)
    pledge = _locked(pledge)
    if pledge.status != Status.SUBMITTED:
        raise ValidationError({"status": _("This pledge is “%(status)s”; only a pledge awaiting review can be "
                                           "reviewed.") % {"status": pledge.get_status_display()}})
    before = audit.snapshot(pledge)
    if approve:
        pledge.status, pledge.return_reason = Status.APPROVED, ""
    else:
        pledge.status = Status.RETURNED
        pledge.return_reason = _text(reason, "reason", _("Give the reason for returning the pledge."), 1000)
    pledge.reviewed_by, pledge.reviewed_at = _user(actor), timezone.now()
    pledge.save()
    audit.record_update(actor, pledge, before,
                        verb=audit.Event.PLEDGE_APPROVED if approve else audit.Event.PLEDGE_RETURNED)
    refresh_stats(pledge.year, [pledge.branch_id])
    if approve:
        _touch_signboards(pledge.person_id)
    return pledge


# Keeping (践诺) ------------------------------------------------------------------------

PHOTO_KINDS = ("jpeg", "png")


@transaction.atomic
def record_progress(actor, pledge, *, text, day=None, photo=None, link=""):
    """The member records what was done toward an approved pledge, with evidence."""
    require(is_owner(actor, pledge) or is_branch_secretary(actor, pledge.branch),
            _("Only the member or the branch's secretary may record progress on this pledge."))
    pledge = _locked(pledge)
    if pledge.status != Status.APPROVED:
        raise ValidationError({"text": _("Progress can be recorded only on an approved pledge; this one is "
                                         "“%(status)s”.") % {"status": pledge.get_status_display()}})
    text = _text(text, "text", _("Say what has been done."), 1000)
    day = day or timezone.localdate()
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        raise ValidationError({"day": _("The day cannot be in the future.")})
    link = (link or "").strip()
    if len(link) > 300:
        raise ValidationError({"link": _("At most %(n)s characters.") % {"n": 300}})
    if photo:
        check_upload(photo, kinds=PHOTO_KINDS, field="photo")
    progress = Progress.objects.create(pledge=pledge, text=text, day=day, link=link, photo=photo or "",
                                       recorded_by=_user(actor))
    audit.record_create(actor, progress, verb=audit.Event.PLEDGE_PROGRESS, centre_id=pledge.centre_id)
    return progress


@transaction.atomic
def confirm_progress(actor, progress):
    pledge = progress.pledge
    _require_secretary(actor, pledge)
    progress = Progress.objects.select_for_update().get(pk=progress.pk)
    if progress.confirmed_at:
        raise ValidationError({"progress": _("This progress is confirmed already.")})
    before = audit.snapshot(progress)
    progress.confirmed_by, progress.confirmed_at = _user(actor), timezone.now()
    progress.save()
    audit.record_update(actor, progress, before, verb=audit.Event.PLEDGE_PROGRESS_CONFIRMED,
                        centre_id=pledge.centre_id)
    return progress


# Judging (评诺) ------------------------------------------------------------------------

@transaction.atomic
def judge_pledge(actor, pledge, *, stage, result, reason):
    """The branch judges a pledge at mid-year or year-end: kept, partly kept or not kept, with a reason."""
    _require_secretary(actor, pledge)
    pledge = _locked(pledge)
    if stage not in STAGES:
        raise ValidationError({"stage": _("Choose mid-year or year-end.")})
    if pledge.status != Status.APPROVED:
        raise ValidationError({"result": _("Only an approved pledge can be judged.")})
    if result not in Result.values:
        raise ValidationError({"result": _("Choose kept, partly kept or not kept.")})
    reason = _text(reason, "reason", _("Give the reason for the judgement."), 1000)
    before = audit.snapshot(pledge)
    if stage == MIDYEAR:
        pledge.midyear_result, pledge.midyear_reason = result, reason
    else:
        pledge.result, pledge.result_reason = result, reason
    pledge.judged_at = timezone.now()
    pledge.save()
    audit.record_update(actor, pledge, before, verb=audit.Event.PLEDGE_JUDGED)
    refresh_stats(pledge.year, [pledge.branch_id])
    if stage == YEAR_END:
        _touch_signboards(pledge.person_id)
    return pledge


# Comments on the wall ------------------------------------------------------------------

@transaction.atomic
def add_comment(actor, pledge, *, body, author_name=""):
    """The public (actor None) or a colleague comments on an approved pledge; published after moderation.
    Mobile and ID numbers are masked before anything is stored."""
    if not Pledge.objects.filter(pk=pledge.pk, status=Status.APPROVED).exists():
        raise ValidationError({"body": _("Only an approved pledge on the wall can be commented on.")})
    body = mask_numbers(_text(body, "body", _("Write a comment."), 500))
    author_name = mask_numbers((author_name or "").strip())
    if len(author_name) > 30:
        raise ValidationError({"author_name": _("At most %(n)s characters.") % {"n": 30}})
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) and not is_system(actor) else None
    comment = Comment.objects.create(pledge=pledge, body=body, author_name=author_name, author=user)
    audit.record_create(actor if user else None, comment, verb=audit.Event.PLEDGE_COMMENTED,
                        centre_id=pledge.centre_id)
    return comment


@transaction.atomic
def moderate_comment(actor, comment, *, publish):
    pledge = comment.pledge
    _require_secretary(actor, pledge)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status != Comment.Status.PENDING:
        raise ValidationError({"status": _("This comment is moderated already.")})
    before = audit.snapshot(comment)
    comment.status = Comment.Status.PUBLISHED if publish else Comment.Status.REJECTED
    comment.moderated_by, comment.moderated_at = _user(actor), timezone.now()
    comment.save()
    Pledge.objects.filter(pk=pledge.pk).update(updated_at=timezone.now())  # the wall's count of comments
    audit.record_update(actor, comment, before, verb=audit.Event.PLEDGE_COMMENT_MODERATED,
                        centre_id=pledge.centre_id)
    return comment


# Importing pledges from paper ----------------------------------------------------------

@transaction.atomic
def import_pledges(actor, centre, rows):
    """Rows {mobile or name, year, what, deadline, measure}, all or nothing: every bad row is named."""
    errors, made = [], []
    people = Person.objects.visible_to(actor) if not is_system(actor) else Person.objects.all()
    for number, row in enumerate(rows, start=2):
        number = row.get("row", number)
        key = str(row.get("mobile") or "").strip()
        person = people.filter(centre=centre, mobile=key).first() if key else None
        if person is None:
            errors.append(_("Row %(row)s: no member with mobile “%(mobile)s” in your scope.") % {
                "row": number, "mobile": key})
            continue
        try:
            with transaction.atomic():
                made.append(make_pledge(actor, person, year=row.get("year"), what=row.get("what"),
                                        deadline=row.get("deadline"), measure=row.get("measure")))
        except ValidationError as e:
            errors.append(_("Row %(row)s: %(errors)s") % {"row": number, "errors": "；".join(e.messages)})
    if errors:
        raise ValidationError(errors)
    return made


# Posts' pledges ------------------------------------------------------------------------

@transaction.atomic
def record_post_pledge_breach(actor, post, pledge_code, source, reason, ref=""):
    """A post's signboard pledge found broken (a complaint upheld, a bad review rectified for
    that reason): recorded against the pledge and in the post's history. Called by the
    ratings rectification and the cases app; the same source and reference count once."""
    from vanguard.posts.models import PostEvent

    if pledge_code not in PostPledge.values:
        raise ValidationError({"pledge": _("Name one of the post's four pledges.")})
    if source not in PostPledgeBreach.Source.values:
        raise ValidationError({"source": _("Name where the finding comes from.")})
    reason = _text(reason, "reason", _("Give the reason the pledge counts as broken."), 1000)
    ref = (ref or "").strip()[:100]
    if ref and PostPledgeBreach.objects.filter(post=post, pledge=pledge_code, source=source, ref=ref).exists():
        return None
    breach = PostPledgeBreach.objects.create(post=post, pledge=pledge_code, source=source, reason=reason, ref=ref,
                                             recorded_by=_user(actor))
    audit.record_create(actor, breach, verb=audit.Event.POST_PLEDGE_BROKEN, centre_id=post.centre_id)
    label = PostPledge(pledge_code).label
    PostEvent.objects.create(
        post=post, action=PostEvent.Action.PLEDGE_BROKEN, status_after=post.status, actor=_user(actor),
        actor_name=actor_name(actor),
        reason=f"{label}：{reason}（{PostPledgeBreach.Source(source).label}{' ' + ref if ref else ''}）")
    return breach


# Target responsibility letters ---------------------------------------------------------

def _require_office(actor, centre_id):
    require(is_office(actor, centre_id), _("Only the party-building office may manage responsibility letters."))


@transaction.atomic
def create_letter(actor, centre, *, year, unit, kind=Letter.Kind.UNIT, leader=None, title="", targets=()):
    _require_office(actor, centre.pk)
    if unit is None or unit.centre_id != centre.pk:
        raise ValidationError({"unit": _("Choose a unit of this centre.")})
    if kind == Letter.Kind.LEADER:
        if leader is None or leader.centre_id != centre.pk:
            raise ValidationError({"leader": _("Choose the leader who signs this letter.")})
    else:
        leader = None
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the year of the letter.")}) from None
    query = Letter.objects.filter(year=year, unit=unit, kind=kind) if kind == Letter.Kind.UNIT \
        else Letter.objects.filter(year=year, leader=leader, kind=kind)
    if query.exists():
        raise ValidationError({"unit": _("This letter for %(year)s exists already.") % {"year": year}})
    who = leader.name if leader else unit.name
    title = (title or "").strip() or _("%(year)s target responsibility letter of %(who)s") % {
        "year": year, "who": who}
    letter = Letter.objects.create(centre=centre, year=year, kind=kind, unit=unit, leader=leader, title=title[:100],
                                   created_by=_user(actor))
    audit.record_create(actor, letter, verb=audit.Event.LETTER_DRAFTED)
    if targets:
        set_targets(actor, letter, targets)
    return letter


def _check_targets(targets):
    errors, total = [], 0
    for number, t in enumerate(targets, start=1):
        if t.get("section") not in Target.Section.values:
            errors.append(_("Target %(n)s: choose its section.") % {"n": number})
        if not (t.get("text") or "").strip():
            errors.append(_("Target %(n)s: say what the target is.") % {"n": number})
        if not (t.get("measure") or "").strip():
            errors.append(_("Target %(n)s: give its measure.") % {"n": number})
        if t.get("metric", Target.Metric.MANUAL) not in Target.Metric.values:
            errors.append(_("Target %(n)s: choose where its evidence comes from.") % {"n": number})
        try:
            weight = int(t.get("weight"))
        except (TypeError, ValueError):
            weight = 0
        if not 1 <= weight <= 100:
            errors.append(_("Target %(n)s: its weight is a whole number from 1 to 100.") % {"n": number})
        total += weight
    if not targets:
        errors.append(_("Give at least one target."))
    elif not errors and total != 100:
        errors.append(_("The weights add up to %(total)s; they must add up to 100.") % {"total": total})
    if errors:
        raise ValidationError({"targets": errors})


@transaction.atomic
def set_targets(actor, letter, targets):
    """Replace a drafted letter's targets; their weights must add up to 100."""
    _require_office(actor, letter.centre_id)
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError({"targets": _("Only a drafted letter's targets can be changed.")})
    targets = list(targets)
    _check_targets(targets)
    before = [f"{t.section}:{t.text}:{t.weight}" for t in letter.targets.all()]
    letter.targets.all().delete()
    made = Target.objects.bulk_create([Target(
        letter=letter, section=t["section"], text=t["text"].strip()[:200], measure=t["measure"].strip()[:200],
        weight=int(t["weight"]), metric=t.get("metric") or Target.Metric.MANUAL, order=i)
        for i, t in enumerate(targets)])
    audit.record(actor, audit.Action.UPDATE, letter,
                 {"targets": [before, [f"{t.section}:{t.text}:{t.weight}" for t in made]]},
                 verb=audit.Event.LETTER_TARGETS)
    return made


@transaction.atomic
def send_letter(actor, letter):
    _require_office(actor, letter.centre_id)
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != Letter.Status.DRAFT:
        raise ValidationError({"status": _("This letter is sent already.")})
    weights = sum(letter.targets.values_list("weight", flat=True))
    if weights != 100:
        raise ValidationError({"targets": _("The weights add up to %(total)s; they must add up to 100.") % {
            "total": weights}})
    before = audit.snapshot(letter)
    letter.status, letter.sent_at = Letter.Status.SENT, timezone.now()
    letter.save()
    audit.record_update(actor, letter, before, verb=audit.Event.LETTER_SENT)
    return letter


SCAN_KINDS = ("pdf", "jpeg", "png")


@transaction.atomic
def sign_letter(actor, letter, *, signatory, signed_on, scan=None):
    """Record the signature: who signed, on which day, and the printed, signed scan."""
    _require_office(actor, letter.centre_id)
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status == Letter.Status.DRAFT:
        raise ValidationError({"status": _("The letter has not been sent yet; it cannot be signed before it is "
                                           "sent.")})
    if letter.status == Letter.Status.SIGNED:
        raise ValidationError({"status": _("The letter is signed already.")})
    signatory = _text(signatory, "signatory", _("Give the name of the signatory."), 50)
    if not isinstance(signed_on, datetime.date):
        raise ValidationError({"signed_on": _("Give the day the letter was signed.")})
    if signed_on > timezone.localdate() or signed_on < timezone.localdate(letter.sent_at):
        raise ValidationError({"signed_on": _("The day of signing lies between the day it was sent and today.")})
    if scan:
        check_upload(scan, kinds=SCAN_KINDS, field="scan")
    before = audit.snapshot(letter)
    letter.status, letter.signatory, letter.signed_on = Letter.Status.SIGNED, signatory, signed_on
    if scan:
        letter.signed_scan = scan
    letter.save()
    audit.record_update(actor, letter, before, verb=audit.Event.LETTER_SIGNED)
    return letter


def can_track(actor, letter):
    from vanguard.core.roles import Role
    from vanguard.core.scoping import scope_for

    return is_office(actor, letter.centre_id) or scope_for(actor).covers_unit(letter.unit_id, Role.LIAISON)


@transaction.atomic
def record_target_progress(actor, target, *, quarter, percent, note, evidence=None):
    """Quarterly progress on one target of a signed letter (the office or the unit's liaison)."""
    letter = Letter.objects.get(pk=target.letter_id)
    require(can_track(actor, letter), _("Only the office or the unit's liaison may record progress."))
    if letter.status != Letter.Status.SIGNED:
        raise ValidationError({"quarter": _("Progress is tracked once the letter is signed.")})
    try:
        quarter, percent = int(quarter), int(percent)
    except (TypeError, ValueError):
        raise ValidationError({"percent": _("Give the quarter (1–4) and how much is achieved (0–100).")}) from None
    if not 1 <= quarter <= 4:
        raise ValidationError({"quarter": _("Give the quarter (1–4) and how much is achieved (0–100).")})
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Give the quarter (1–4) and how much is achieved (0–100).")})
    note = _text(note, "note", _("Say what has been done."), 2000)
    if evidence:
        check_upload(evidence, kinds=("pdf", "docx", "jpeg", "png"), field="evidence")
    row, created = TargetProgress.objects.update_or_create(
        target=target, quarter=quarter,
        defaults={"percent": percent, "note": note, "recorded_by": _user(actor), **(
            {"evidence": evidence} if evidence else {})})
    audit.record(actor, audit.Action.CREATE if created else audit.Action.UPDATE, row,
                 {"quarter": [None, quarter], "percent": [None, percent], "note": [None, note]},
                 verb=audit.Event.LETTER_PROGRESS, centre_id=letter.centre_id)
    return row


def _rate(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def evidence_for(target):
    """(achieved %, words) of one target from the data: pledges kept, posts not revoked,
    the satisfaction rate, or the latest quarterly progress entered."""
    letter = target.letter
    Metric = Target.Metric
    if target.metric == Metric.PLEDGES_KEPT:
        stats = PledgeStat.objects.filter(year=letter.year, unit_id=letter.unit_id).order_by()
        if letter.leader_id:
            stats = None
            rows = Pledge.objects.filter(year=letter.year, person_id=letter.leader_id).aggregate(
                approved=Count("pk", filter=Q(status=Status.APPROVED)), kept=Count("pk", filter=Q(result="kept")))
        else:
            rows = {"approved": 0, "kept": 0}
            for s in stats.values("approved", "kept"):
                rows["approved"] += s["approved"]
                rows["kept"] += s["kept"]
        rate = _rate(rows["kept"], rows["approved"])
        return rate, _("%(kept)s of %(approved)s approved pledges kept") % rows
    if target.metric == Metric.POSTS_KEPT:
        from vanguard.posts.models import VanguardPost

        posts = VanguardPost.objects.filter(Q(unit_id=letter.unit_id) | Q(window__unit_id=letter.unit_id))
        counts = posts.aggregate(named=Count("pk", filter=Q(status="named"), distinct=True),
                                 revoked=Count("pk", filter=Q(status="revoked"), distinct=True))
        rate = _rate(counts["named"], counts["named"] + counts["revoked"])
        return rate, _("%(named)s posts named, %(revoked)s revoked") % counts
    if target.metric == Metric.SATISFACTION:
        from vanguard.ratings import figures

        data = figures.period_figures("unit", letter.unit_id, "year", datetime.date(letter.year, 1, 1))
        rate = None if data["rate"] is None else Decimal(str(data["rate"]))
        return rate, _("satisfaction %(rate)s%% of %(total)s ratings") % {
            "rate": data["rate"] if data["rate"] is not None else "—", "total": data["total"]}
    latest = target.progress.order_by("-quarter").first()
    if latest is None:
        return None, _("no progress recorded")
    return Decimal(latest.percent), _("quarter %(q)s: %(percent)s%%") % {"q": latest.quarter,
                                                                        "percent": latest.percent}


@transaction.atomic
def score_letter(actor, letter):
    """The year-end score of a signed letter, recomputed from its evidence: each target's
    weight times its achievement; a target without evidence scores 0."""
    _require_office(actor, letter.centre_id)
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != Letter.Status.SIGNED:
        raise ValidationError({"status": _("Only a signed letter is scored.")})
    before = audit.snapshot(letter)
    total = Decimal("0")
    targets = list(letter.targets.select_related("letter"))
    for target in targets:
        achieved, words = evidence_for(target)
        target.achieved = achieved
        target.score = ((Decimal(target.weight) * (achieved or 0)) / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        target.evidence_note = str(words)[:200]
        total += target.score
    Target.objects.bulk_update(targets, ["achieved", "score", "evidence_note"])
    letter.score, letter.scored_at = total, timezone.now()
    letter.save()
    audit.record_update(actor, letter, before, verb=audit.Event.LETTER_SCORED)
    return letter


@transaction.atomic
def publish_letter_results(actor, centre, year):
    """Rank the scored units' letters of a year and publish them."""
    _require_office(actor, centre.pk)
    letters = list(Letter.objects.select_for_update().filter(centre=centre, year=year, kind=Letter.Kind.UNIT,
                                                              score__isnull=False).order_by("-score", "unit__name"))
    if not letters:
        raise ValidationError({"year": _("No scored letters of %(year)s to publish.") % {"year": year}})
    now, rank, previous = timezone.now(), 0, None
    for position, letter in enumerate(letters, start=1):
        if letter.score != previous:
            rank, previous = position, letter.score
        letter.rank, letter.published_at = rank, now
    Letter.objects.bulk_update(letters, ["rank", "published_at"])
    audit.record(actor, audit.Action.ACTION, centre, {"letters": [None, [lt.pk for lt in letters]]},
                 verb=audit.Event.LETTER_RESULTS_PUBLISHED)
    return letters


def branches_of(user):
    """Branches whose pledges this user reviews."""
    from vanguard.core.roles import Role
    from vanguard.core.scoping import scope_for

    scope = scope_for(user)
    qs = Organization.objects.filter(kind__in=[Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH])
    if scope.is_admin:
        return qs
    q = Q(centre__in=scope.centres(Role.OFFICE))
    for path in scope.paths(Role.SECRETARY):
        q |= Q(path__startswith=path)
    return qs.filter(q)
