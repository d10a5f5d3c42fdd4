"""Use cases of members' pledges (承诺—践诺—评诺): made, reviewed, kept with evidence,
judged, commented on the wall, imported from paper. Each runs in one transaction, checks
who acts, writes the audit trail, and recounts the pre-aggregated figures of the branch it
touched (PledgeStat).

The other use cases live beside this module and are re-exported here, so callers keep
importing `vanguard.pledges.services`: posts' pledges broken (`breaches`), target
responsibility letters (`letters`), the units' year-end assessment (`year_end`), and what
they share (`common`: masking, figures)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.core.system import is_system
from vanguard.core.upload_checks import check_upload
from vanguard.org.models import Organization, Person

from .breaches import record_post_pledge_breach
from .common import ID_RE, MOBILE_RE, _text, _touch_signboards, _user, mask_numbers, refresh_stats
from .letters import (
    SCAN_KINDS,
    can_track,
    create_letter,
    record_target_progress,
    send_letter,
    set_targets,
    sign_letter,
)
from .models import Comment, Pledge, Progress, Result
from .permissions import is_branch_secretary, is_office, is_owner
from .year_end import evidence_for, publish_letter_results, score_letter

__all__ = [
    "ID_RE", "MAX_PLEDGES_A_YEAR", "MIDYEAR", "MOBILE_RE", "PHOTO_KINDS", "SCAN_KINDS", "STAGES", "YEAR_END",
    "add_comment", "branches_of", "can_track", "confirm_progress", "create_letter", "evidence_for",
    "import_pledges", "judge_pledge", "make_pledge", "mask_numbers", "moderate_comment", "publish_letter_results",
    "record_post_pledge_breach", "record_progress", "record_target_progress", "refresh_stats", "review_pledge",
    "revise_pledge", "score_letter", "send_letter", "set_targets", "sign_letter",
]

Status = Pledge.Status
# Pledges a member may make in one year (a wall is a page, not a list without end).
MAX_PLEDGES_A_YEAR = 10
MIDYEAR, YEAR_END = "midyear", "year_end"
STAGES = (MIDYEAR, YEAR_END)


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


def _life_record(pledge, meeting, activity):
    """The meeting or activity a progress cites, among the member's own records of the pledge's
    year (a meeting they attended, an activity they took part in); (None, None) when none."""
    from . import selectors

    def key(value):
        value = getattr(value, "pk", value)
        if value in (None, ""):
            return None
        if not str(value).isdigit() or len(str(value)) > 12:
            return -1
        return int(value)

    meeting, activity = key(meeting), key(activity)
    if meeting is not None and activity is not None:
        raise ValidationError({"meeting": _("Cite one meeting or one activity, not both.")})
    if meeting is not None:
        found = selectors.member_meetings(pledge.person_id, pledge.year).filter(pk=meeting).first()
        if found is None:
            raise ValidationError({"meeting": _("Choose a meeting of %(year)s that the member attended.") % {
                "year": pledge.year}})
        return found, None
    if activity is not None:
        found = selectors.member_activities(pledge.person_id, pledge.year).filter(pk=activity).first()
        if found is None:
            raise ValidationError({"activity": _("Choose an approved activity of %(year)s the member took part "
                                                 "in.") % {"year": pledge.year}})
        return None, found
    return None, None


@transaction.atomic
def record_progress(actor, pledge, *, text, day=None, photo=None, link="", meeting=None, activity=None):
    """The member records what was done toward an approved pledge, with evidence: a photo, a
    meeting the member attended or an activity the member took part in (the life app's records,
    the member's own only), or another link."""
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
    meeting, activity = _life_record(pledge, meeting, activity)
    if photo:
        check_upload(photo, kinds=PHOTO_KINDS, field="photo")
    progress = Progress.objects.create(pledge=pledge, text=text, day=day, link=link, photo=photo or "",
                                       meeting=meeting, activity=activity, recorded_by=_user(actor))
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
