"""Use cases of honours. Each is one transaction, checks who acts, writes the audit
trail, and refuses bad input with a Chinese ValidationError naming the field,
nothing half-applied.

The selection workflow: open_selection -> nominate (evidence filled from the data)
-> [score_nomination | issue_vote_codes + cast_vote] -> review_nomination /
judge_standards -> start_notice (公示, N working days, official holidays skipped)
-> file_objection (public; becomes a case) -> resolve_objection -> award_selection
(not before the notice ended; honours, certificates, boards)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit, system
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.workdays import WorkingCalendar
from vanguard.org.models import Floor, Organization, Person, Unit, Window
from vanguard.posts.models import VanguardPost

from . import evidence
from .models import (
    HONOUR_CANDIDATES,
    STANDARDS,
    Ballot,
    BrandPhoto,
    CandidateKind,
    Holding,
    Honour,
    HonourKind,
    Medal,
    MedalScheme,
    Nomination,
    Objection,
    PanelScore,
    Selection,
    ServiceBrand,
    StoryLink,
    Team,
    VoteCode,
)

Status = Selection.Status
State = Nomination.State
CANDIDATE_MODELS = {"person": Person, "branch": Organization, "window": Window, "post": VanguardPost, "unit": Unit,
                    "team": Team, "brand": ServiceBrand}
DEFAULT_QUOTAS = {HonourKind.MODEL_WINDOW: 100, HonourKind.SERVICE_BRAND: 10, HonourKind.SERVICE_MODEL: 10}


def _office(actor, centre_id):
    require(is_office_of(actor, centre_id), _("Only the party-building office may manage honours."))


def _actor_user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, limit=None):
    value = (value or "").strip()
    return value[:limit] if limit else value


# Teams, brands, stories ----------------------------------------------------------------

@transaction.atomic
def create_team(actor, centre, *, name, unit=None, floor=None, description="", members=()):
    _office(actor, centre.pk)
    name = _text(name, 100)
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    if Team.objects.filter(centre=centre, name=name).exists():
        raise ValidationError({"name": _("A team of this name already exists.")})
    members = list(members)
    for obj, field in ((unit, "unit"), (floor, "floor")):
        if obj is not None and obj.centre_id != centre.pk:
            raise ValidationError({field: _("It belongs to another service centre.")})
    if any(p.centre_id != centre.pk for p in members):
        raise ValidationError({"members": _("It belongs to another service centre.")})
    team = Team.objects.create(centre=centre, name=name, unit=unit, floor=floor, description=_text(description))
    team.members.set(members)
    audit.record_create(actor, team, verb=audit.Event.TEAM_CREATED)
    return team


@transaction.atomic
def create_brand(actor, unit, *, name, description, photos=()):
    """A service brand: a named practice of a unit. The office or the unit's liaison."""
    scope = scope_for(actor)
    require(is_office_of(actor, unit.centre_id) or scope.covers_unit(unit.pk, Role.LIAISON),
            _("Only the party-building office or the unit may describe its service brand."))
    name, description = _text(name, 60), _text(description)
    errors = {}
    if not name:
        errors["name"] = _("Give the brand a name.")
    elif ServiceBrand.objects.filter(centre_id=unit.centre_id, name=name).exists():
        errors["name"] = _("A service brand of this name already exists.")
    if not description:
        errors["description"] = _("Describe the practice.")
    if len(photos) > 6:
        errors["photos"] = _("At most 6 photos.")
    if errors:
        raise ValidationError(errors)
    from vanguard.core.upload_checks import check_photo

    for photo in photos:  # every photo checked before anything is stored
        check_photo(photo, field="photos")
    brand = ServiceBrand.objects.create(centre_id=unit.centre_id, unit=unit, name=name, description=description)
    for photo in photos:
        BrandPhoto.objects.create(brand=brand, image=photo)
    audit.record_create(actor, brand, verb=audit.Event.BRAND_CREATED)
    return brand


@transaction.atomic
def link_story(actor, lesson, *, person=None, team=None):
    """Link an exemplar story (a column's lesson) to the person or team it honours."""
    _office(actor, lesson.centre_id)
    if lesson.column_id is None:
        raise ValidationError({"lesson": _("Only a story of a column honours someone.")})
    if (person is None) == (team is None):
        raise ValidationError({"person": _("Choose either a person or a team.")})
    subject = person or team
    if subject.centre_id != lesson.centre_id:
        raise ValidationError({"person" if person else "team": _("It belongs to another service centre.")})
    link, created = StoryLink.objects.get_or_create(lesson=lesson, person=person, team=team)
    if created:
        audit.record_create(actor, link, verb=audit.Event.STORY_LINKED, centre_id=lesson.centre_id)
    return link


# Selections ----------------------------------------------------------------------------

@transaction.atomic
def open_selection(actor, centre, *, title, year, honour, candidate_kind=None, quota=None, max_nominations=None,
                   criteria="", nominate_until, notice_days=5, panel_scoring=False, public_vote=False, half=0):
    _office(actor, centre.pk)
    errors = {}
    title = _text(title, 100)
    if not title:
        errors["title"] = _("Give the selection a title.")
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Give a valid year.")
    if honour not in HonourKind.values:
        errors["honour"] = _("Choose the honour.")
    allowed = HONOUR_CANDIDATES.get(honour, set(CandidateKind.values))
    if candidate_kind is None and len(allowed) == 1:
        candidate_kind = next(iter(allowed))
    if candidate_kind not in CandidateKind.values:
        errors["candidate_kind"] = _("Choose the kind of candidate.")
    elif candidate_kind not in allowed:
        errors["candidate_kind"] = _("This honour is not given to that kind of candidate.")
    if quota in (None, ""):
        quota = DEFAULT_QUOTAS.get(honour, 0)
    try:
        quota = int(quota)
        if quota < 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["quota"] = _("The number of places is at least 1.")
        quota = 1
    try:
        max_nominations = quota if max_nominations in (None, "") else int(max_nominations)
        if max_nominations < quota:
            raise ValueError
    except (TypeError, ValueError):
        errors["max_nominations"] = _("Nominations cannot be fewer than the places.")
    try:
        notice_days = int(notice_days)
        if not 1 <= notice_days <= 30:
            raise ValueError
    except (TypeError, ValueError):
        errors["notice_days"] = _("The public notice lasts 1 to 30 working days.")
    if int(half or 0) not in (0, 1, 2):
        errors["half"] = _("Choose the whole year or a half.")
    if not isinstance(nominate_until, datetime.date):
        errors["nominate_until"] = _("Give the date nominations close.")
    if errors:
        raise ValidationError(errors)
    selection = Selection.objects.create(
        centre=centre, title=title, year=year, half=int(half or 0), honour=honour, candidate_kind=candidate_kind,
        quota=quota, max_nominations=max_nominations, criteria=_text(criteria), nominate_until=nominate_until,
        notice_days=notice_days, panel_scoring=bool(panel_scoring), public_vote=bool(public_vote),
        created_by=_actor_user(actor))
    audit.record_create(actor, selection, verb=audit.Event.SELECTION_OPENED)
    return selection


def _candidate_centre(kind, candidate):
    return candidate.centre_id


def _candidate_floor(kind, c):
    if kind == "person":
        return c.window.floor_id if c.window_id else (c.branch.floor_id if c.branch_id else None)
    if kind == "branch":
        return c.floor_id
    if kind == "window":
        return c.floor_id
    if kind == "post":
        return c.window.floor_id if c.window_id else None
    if kind == "team":
        return c.floor_id
    return None


def _candidate_name(kind, c):
    if kind == "window":
        return f"{c.number} {c.name}".strip()
    if kind == "brand":
        return f"{c.name}（{c.unit.name}）"
    return str(c.name)


def _reach(actor, kind, c):
    """Which nominating body the actor nominates for, if the candidate lies within its scope; else None."""
    scope = scope_for(actor)
    if is_office_of(actor, c.centre_id):
        return _("Party-building office")
    branch_paths = scope.paths(Role.SECRETARY)
    if branch_paths:
        branch = {"person": lambda: c.branch, "branch": lambda: c,
                  "window": lambda: getattr(c.floor, "branch", None),
                  "post": lambda: getattr(c.window.floor, "branch", None) if c.window_id else None,
                  "team": lambda: getattr(c.floor, "branch", None) if c.floor_id else None}.get(kind, lambda: None)()
        if branch is not None and scope.covers_path(branch.path, Role.SECRETARY):
            own = Organization.objects.filter(path__in=branch_paths).order_by("depth").first()
            return own.name if own else branch.name
    units = set(scope.units(Role.LIAISON))
    if units:
        unit_id = {"person": lambda: c.unit_id, "window": lambda: c.unit_id, "unit": lambda: c.pk,
                   "post": lambda: c.unit_id or (c.window.unit_id if c.window_id else None),
                   "team": lambda: c.unit_id, "brand": lambda: c.unit_id}.get(kind, lambda: None)()
        if unit_id in units:
            return Unit.objects.get(pk=unit_id).name
    return None


def may_nominate(actor, selection):
    scope = scope_for(actor)
    return (is_office_of(actor, selection.centre_id)
            or selection.centre_id in scope.centres(Role.SECRETARY, Role.LIAISON))


@transaction.atomic
def nominate(actor, selection, *, candidate, reasons):
    require(may_nominate(actor, selection), _("Only the office, a branch or a unit may nominate."))
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status != Status.NOMINATING:
        raise ValidationError(_("Nominations for this selection are closed."))
    kind = selection.candidate_kind
    model = CANDIDATE_MODELS[kind]
    if not isinstance(candidate, model):
        raise ValidationError({"candidate": _("This selection takes a %(kind)s as candidate.") % {
            "kind": CandidateKind(kind).label}})
    if candidate.centre_id != selection.centre_id:
        raise ValidationError({"candidate": _("“%(name)s” is outside this selection's scope: another service "
                                              "centre.") % {"name": candidate}})
    if kind == "branch" and candidate.kind != Organization.Kind.BRANCH:
        raise ValidationError({"candidate": _("“%(name)s” is not a party branch.") % {"name": candidate}})
    if (selection.honour in (HonourKind.MEMBER,) and kind == "person" and not candidate.is_party_member):
        raise ValidationError({"candidate": _("“%(name)s” is not a party member.") % {"name": candidate}})
    if kind == "person" and not candidate.is_active:
        raise ValidationError({"candidate": _("“%(name)s” no longer works here.") % {"name": candidate}})
    body = _reach(actor, kind, candidate)
    if body is None:
        raise ValidationError({"candidate": _("“%(name)s” is outside the branch or unit you nominate for.") % {
            "name": candidate}})
    reasons = _text(reasons)
    if not reasons:
        raise ValidationError({"reasons": _("Give the reasons for the nomination.")})
    if Nomination.objects.filter(selection=selection, **{kind: candidate}).exists():
        raise ValidationError({"candidate": _("“%(name)s” has already been nominated.") % {"name": candidate}})
    in_play = selection.nominations.exclude(state=State.REJECTED).count()
    if in_play >= selection.max_nominations:
        raise ValidationError({"candidate": _("The selection is full: %(max)s nominations for %(quota)s places.") % {
            "max": selection.max_nominations, "quota": selection.quota}})
    nomination = Nomination.objects.create(
        selection=selection, name=_candidate_name(kind, candidate)[:120], floor_id=_candidate_floor(kind, candidate),
        nominated_by=body[:100], reasons=reasons, evidence=evidence.pack(selection, kind, candidate),
        standards=({k: {"figures": v, "met": None, "note": ""} for k, v in
                    evidence.standards_figures(candidate, selection.year).items()}
                   if selection.honour == HonourKind.RED_FLAG else {}),
        created_by=_actor_user(actor), **{kind: candidate})
    audit.record_create(actor, nomination, verb=audit.Event.NOMINATED, centre_id=selection.centre_id)
    return nomination


def _reviewable(selection):
    if selection.status not in (Status.NOMINATING, Status.REVIEW):
        raise ValidationError(_("The selection is in public notice or awarded; its list can no longer change."))


@transaction.atomic
def close_nominations(actor, selection):
    _office(actor, selection.centre_id)
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status != Status.NOMINATING:
        raise ValidationError(_("Nominations for this selection are closed."))
    if not selection.nominations.exists():
        raise ValidationError(_("Nobody has been nominated yet."))
    before = audit.snapshot(selection)
    selection.status = Status.REVIEW
    selection.save(update_fields=["status"])
    audit.record_update(actor, selection, before, verb=audit.Event.NOMINATIONS_CLOSED)
    return selection


@transaction.atomic
def score_nomination(actor, nomination, *, score):
    """A panel member's score (0-100); the office sits on the panel."""
    selection = nomination.selection
    _office(actor, selection.centre_id)
    if not selection.panel_scoring:
        raise ValidationError(_("This selection has no panel scoring."))
    _reviewable(selection)
    try:
        score = Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if not 0 <= score <= 100:
            raise ValueError
    except (ValueError, ArithmeticError):
        raise ValidationError({"score": _("“%(name)s”: the score is between 0 and 100.") % {
            "name": nomination.name}}) from None
    PanelScore.objects.update_or_create(nomination=nomination, scorer=actor, defaults={"score": score})
    average = nomination.panel_scores.aggregate(a=Avg("score"))["a"]
    Nomination.objects.filter(pk=nomination.pk).update(
        panel_score=Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    audit.record(actor, audit.Action.UPDATE, nomination, {"score": [None, str(score)]}, verb=audit.Event.NOMINATION_SCORED,
                 centre_id=selection.centre_id)
    nomination.refresh_from_db()
    return nomination


@transaction.atomic
def issue_vote_codes(actor, selection, *, count, valid_days=14):
    _office(actor, selection.centre_id)
    if not selection.public_vote:
        raise ValidationError(_("This selection has no vote."))
    _reviewable(selection)
    try:
        count, valid_days = int(count), int(valid_days)
    except (TypeError, ValueError):
        raise ValidationError({"count": _("Issue 1 to 5000 codes.")}) from None
    if not 1 <= count <= 5000:
        raise ValidationError({"count": _("Issue 1 to 5000 codes.")})
    if not 1 <= valid_days <= 120:
        raise ValidationError({"valid_days": _("A code is valid for 1 to 120 days.")})
    until = timezone.now() + datetime.timedelta(days=valid_days)
    made = VoteCode.objects.bulk_create([VoteCode(selection=selection, valid_until=until) for _i in range(count)])
    audit.record(actor, audit.Action.CREATE, selection, {"vote_codes": [None, count]}, verb=audit.Event.VOTE_CODES_ISSUED)
    return made


def vote_code_problem(code_row, now=None):
    now = now or timezone.now()
    if code_row is None:
        return _("This vote code does not exist.")
    if code_row.used:
        return _("This vote code has already been used.")
    if code_row.selection.status not in (Status.NOMINATING, Status.REVIEW):
        return _("Voting in this selection has closed.")
    if code_row.valid_until < now:
        return _("This vote code has expired.")
    return ""


def find_vote_code(code):
    code = (code or "").strip().upper()
    return VoteCode.objects.select_related("selection").filter(code=code).first()


@transaction.atomic
def cast_vote(code, *, nomination_ids, now=None):
    """Anonymous: one vote per code, at most `quota` choices. The code is used up with
    a conditional UPDATE (used = false -> true), so of two submissions exactly one counts."""
    now = now or timezone.now()
    code_row = find_vote_code(code)
    problem = vote_code_problem(code_row, now)
    if problem:
        raise ValidationError({"code": problem})
    selection = code_row.selection
    try:
        ids = {int(i) for i in nomination_ids or ()}
    except (TypeError, ValueError):
        ids = set()
    if not ids:
        raise ValidationError({"nominations": _("Choose at least one candidate.")})
    if len(ids) > selection.quota:
        raise ValidationError({"nominations": _("Choose at most %(quota)s candidates.") % {"quota": selection.quota}})
    valid = set(selection.nominations.exclude(state=State.REJECTED).filter(pk__in=ids).values_list("pk", flat=True))
    if valid != ids:
        raise ValidationError({"nominations": _("Choose among the candidates of this selection.")})
    if not VoteCode.objects.filter(pk=code_row.pk, used=False).update(used=True):
        raise ValidationError({"code": _("This vote code has already been used.")})
    Ballot.objects.bulk_create([Ballot(selection=selection, nomination_id=i, voted_on=timezone.localdate(now))
                                for i in sorted(ids)])
    Nomination.objects.filter(pk__in=ids).update(votes=F("votes") + 1)
    # Anonymous: the audit row names the selection, never the code nor the choices.
    audit.record(None, audit.Action.CREATE, selection, {"ballots": [None, 1]}, verb=audit.Event.VOTE_CAST)
    return len(ids)


@transaction.atomic
def review_nomination(actor, nomination, *, approve, note=""):
    selection = nomination.selection
    _office(actor, selection.centre_id)
    _reviewable(selection)
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    note = _text(note, 300)
    if not approve and not note:
        raise ValidationError({"review_note": _("“%(name)s”: say why it did not pass.") % {"name": nomination.name}})
    if approve and selection.honour == HonourKind.RED_FLAG:
        unmet = [str(label) for key, label in STANDARDS if not (nomination.standards.get(key) or {}).get("met")]
        if unmet:
            raise ValidationError({"standards": _("“%(name)s”: the committee has not judged these standards met: "
                                                  "%(list)s.") % {"name": nomination.name, "list": "、".join(unmet)}})
    if approve:
        approved = selection.nominations.filter(state=State.APPROVED).exclude(pk=nomination.pk).count()
        if approved >= selection.quota:
            raise ValidationError({"state": _("All %(quota)s places are taken.") % {"quota": selection.quota}})
    before = audit.snapshot(nomination, ["state", "review_note"])
    nomination.state = State.APPROVED if approve else State.REJECTED
    nomination.review_note = note
    nomination.save(update_fields=["state", "review_note"])
    audit.record_update(actor, nomination, before, verb=audit.Event.NOMINATION_REVIEWED, centre_id=selection.centre_id)
    return nomination


@transaction.atomic
def judge_standards(actor, nomination, judgements):
    """The committee's judgement of a red-flag branch against the four standards:
    {standard: {"met": bool, "note": str}}. Every standard must be judged."""
    selection = nomination.selection
    _office(actor, selection.centre_id)
    _reviewable(selection)
    if selection.honour != HonourKind.RED_FLAG:
        raise ValidationError(_("Only a red-flag selection is judged against the four standards."))
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    errors, standards = {}, dict(nomination.standards)
    for key, label in STANDARDS:
        given = (judgements or {}).get(key)
        if not isinstance(given, dict) or given.get("met") not in (True, False):
            errors[f"standards_{key}"] = _("Judge “%(standard)s”: met or not.") % {"standard": label}
            continue
        note = _text(given.get("note"), 300)
        if given["met"] is False and not note:
            errors[f"standards_{key}"] = _("“%(standard)s”: say why it is not met.") % {"standard": label}
            continue
        entry = dict(standards.get(key) or {})
        entry.update({"met": given["met"], "note": note})
        standards[key] = entry
    if errors:
        raise ValidationError(errors)
    before = {"standards": nomination.standards}
    nomination.standards = standards
    nomination.save(update_fields=["standards"])
    audit.record(actor, audit.Action.UPDATE, nomination, audit.diff(before, {"standards": standards}),
                 verb=audit.Event.STANDARDS_JUDGED, centre_id=selection.centre_id)
    return nomination


@transaction.atomic
def start_notice(actor, selection, *, start=None):
    """The public notice (公示): from `start` (today) for `notice_days` working days,
    official holidays and weekends skipped (make-up workdays counted)."""
    _office(actor, selection.centre_id)
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status not in (Status.NOMINATING, Status.REVIEW):
        raise ValidationError(_("The public notice has already started."))
    approved = selection.nominations.filter(state=State.APPROVED).count()
    if not approved:
        raise ValidationError(_("Nobody has passed review: there is nothing to show in public notice."))
    if approved > selection.quota:
        raise ValidationError(_("More candidates passed review than there are places."))
    calendar = WorkingCalendar()
    first = calendar.add_working_days(start or timezone.localdate(), 0)
    before = audit.snapshot(selection)
    selection.notice_starts = first
    selection.notice_ends = calendar.add_working_days(first, selection.notice_days - 1)
    selection.status = Status.NOTICE
    selection.save(update_fields=["notice_starts", "notice_ends", "status"])
    audit.record_update(actor, selection, before, verb=audit.Event.NOTICE_STARTED)
    return selection


def _intake(objection, selection):
    """Hand the objection to the cases room when it is installed: a complaint for the office."""
    try:
        from vanguard.cases import services as case_services
    except ImportError:
        return None
    intake = getattr(case_services, "intake_case", None)
    if intake is None:
        return None
    about = f"【{selection.title}·公示异议】"
    if objection.nomination_id:
        about += f"（{objection.nomination.name}）"
    # No unit: an objection is the office's to verify (the office dispatches it if it must).
    case = intake(system.SYSTEM, centre=selection.centre, kind="complaint", content=about + objection.content,
                  source="objection", source_ref=f"honours.objection:{objection.pk}",
                  contact_name=objection.contact_name, contact_mobile=objection.contact_mobile,
                  anonymous=not (objection.contact_name or objection.contact_mobile))
    return getattr(case, "pk", None)


@transaction.atomic
def file_objection(selection, *, content, nomination=None, contact_name="", contact_mobile="", today=None):
    """The public's objection to a selection in public notice. Anyone; becomes a case."""
    today = today or timezone.localdate()
    content = _text(content, 2000)
    errors = {}
    if not content:
        errors["content"] = _("Write the objection.")
    if selection.status != Status.NOTICE or not (selection.notice_starts <= today <= selection.notice_ends):
        errors["content"] = _("This selection is not in public notice: objections are not accepted.")
    if nomination is not None and nomination.selection_id != selection.pk:
        errors["nomination"] = _("Choose a candidate of this selection.")
    contact_mobile = _text(contact_mobile)
    if contact_mobile and not (contact_mobile.isdigit() and len(contact_mobile) == 11):
        errors["contact_mobile"] = _("A mobile number has 11 digits.")
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(selection=selection, nomination=nomination, content=content,
                                         contact_name=_text(contact_name, 50), contact_mobile=contact_mobile)
    case_id = _intake(objection, selection)
    if case_id:
        objection.case_id = case_id
        objection.save(update_fields=["case_id"])
    audit.record(None, audit.Action.CREATE, objection, {"selection": [None, selection.pk]}, verb=audit.Event.OBJECTION_FILED,
                 centre_id=selection.centre_id)
    return objection


@transaction.atomic
def resolve_objection(actor, objection, *, upheld, answer):
    """The office's answer. Upheld: the candidate it names is taken off the list."""
    selection = objection.selection
    _office(actor, selection.centre_id)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.state != Objection.State.OPEN:
        raise ValidationError(_("This objection has already been answered."))
    answer = _text(answer)
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    if selection.status == Status.AWARDED:
        raise ValidationError(_("The selection has been awarded."))
    before = audit.snapshot(objection, ["state", "answer"])
    objection.state = Objection.State.UPHELD if upheld else Objection.State.DISMISSED
    objection.answer = answer
    objection.save(update_fields=["state", "answer"])
    if upheld and objection.nomination_id:
        Nomination.objects.filter(pk=objection.nomination_id).update(
            state=State.REJECTED, review_note=_("Objection upheld: %(answer)s") % {"answer": answer[:250]})
    audit.record_update(actor, objection, before, verb=audit.Event.OBJECTION_ANSWERED, centre_id=selection.centre_id)
    return objection


def certificate_number(selection, index):
    return f"HR-{selection.year}-{selection.pk:04d}-{index:03d}"


@transaction.atomic
def award_selection(actor, selection, *, today=None):
    """Award the candidates on the list once the public notice has ended (the day after its last
    working day at the earliest) and every objection is answered: honours and certificate numbers."""
    _office(actor, selection.centre_id)
    today = today or timezone.localdate()
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status == Status.AWARDED:
        raise ValidationError(_("This selection has already been awarded."))
    if selection.status != Status.NOTICE:
        raise ValidationError(_("A selection is awarded after its public notice."))
    if today <= selection.notice_ends:
        raise ValidationError({"awarded_on": _("The public notice runs until %(date)s: award from the next day.") % {
            "date": selection.notice_ends.isoformat()}})
    if selection.objections.filter(state=Objection.State.OPEN).exists():
        raise ValidationError(_("Answer every objection before the award."))
    winners = list(selection.nominations.filter(state=State.APPROVED).select_related(
        "person", "branch", "window", "post", "unit", "team", "brand").order_by("pk"))
    if not winners:
        raise ValidationError(_("Nobody is left on the list to award."))
    honours = [Honour(
        centre_id=selection.centre_id, selection=selection, nomination=n, kind=selection.honour,
        title=selection.title, year=selection.year, candidate_kind=selection.candidate_kind, name=n.name,
        detail=n.nominated_by, floor_id=n.floor_id, certificate_number=certificate_number(selection, i),
        awarded_on=today, **{selection.candidate_kind: getattr(n, selection.candidate_kind)})
        for i, n in enumerate(winners, start=1)]
    Honour.objects.bulk_create(honours)
    Nomination.objects.filter(pk__in=[n.pk for n in winners]).update(state=State.AWARDED)
    before = audit.snapshot(selection)
    selection.status, selection.awarded_on = Status.AWARDED, today
    selection.save(update_fields=["status", "awarded_on"])
    audit.record_update(actor, selection, before, verb=audit.Event.SELECTION_AWARDED)
    return selection


def ranking(selection):
    """Nominations in play, best first: panel score, then votes."""
    return list(selection.nominations.exclude(state=State.REJECTED).annotate(n_objections=Count("objections"))
                .order_by(F("panel_score").desc(nulls_last=True), "-votes", "pk"))


# Rotating medals -----------------------------------------------------------------------

@transaction.atomic
def create_medal_scheme(actor, centre, *, name, count=10, holder_kind=MedalScheme.HolderKind.WINDOW,
                        cadence=MedalScheme.Cadence.MONTH, rule=MedalScheme.Rule.SATISFACTION, min_ratings=30):
    _office(actor, centre.pk)
    errors = {}
    name = _text(name, 60)
    if not name:
        errors["name"] = _("Give the medals a name.")
    elif MedalScheme.objects.filter(centre=centre, name=name).exists():
        errors["name"] = _("Medals of this name already exist.")
    try:
        count = int(count)
        if not 1 <= count <= 200:
            raise ValueError
    except (TypeError, ValueError):
        errors["count"] = _("Between 1 and 200 medals.")
    if holder_kind not in MedalScheme.HolderKind.values:
        errors["holder_kind"] = _("Medals pass between windows or branches.")
    if cadence not in MedalScheme.Cadence.values:
        errors["cadence"] = _("Medals move monthly or quarterly.")
    if rule not in MedalScheme.Rule.values:
        errors["rule"] = _("Choose the rule.")
    try:
        min_ratings = int(min_ratings)
        if min_ratings < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["min_ratings"] = _("The minimum number of ratings cannot be negative.")
    if errors:
        raise ValidationError(errors)
    scheme = MedalScheme.objects.create(centre=centre, name=name, count=count, holder_kind=holder_kind,
                                        cadence=cadence, rule=rule, min_ratings=min_ratings)
    Medal.objects.bulk_create([Medal(scheme=scheme, number=i) for i in range(1, count + 1)])
    audit.record_create(actor, scheme, verb=audit.Event.MEDALS_CREATED)
    return scheme


def period_of(scheme, day):
    """The first day of the scheme's period (month or quarter) containing `day`."""
    if scheme.cadence == MedalScheme.Cadence.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def next_period(scheme, start):
    months = 3 if scheme.cadence == MedalScheme.Cadence.QUARTER else 1
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def previous_period(scheme, start):
    months = 3 if scheme.cadence == MedalScheme.Cadence.QUARTER else 1
    month = start.month - 1 - months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=1)


def _holder_floor(scheme, holder):
    if scheme.holder_kind == MedalScheme.HolderKind.WINDOW:
        return holder.floor_id
    return holder.floor_id


def _label(scheme, period):
    if scheme.cadence == MedalScheme.Cadence.QUARTER:
        return _("%(year)s Q%(quarter)s") % {"year": period.year, "quarter": (period.month - 1) // 3 + 1}
    return _("%(year)s-%(month)02d") % {"year": period.year, "month": period.month}


def _forget_signboards(window_ids):
    """A shared cache keeps rendered signboards until told: forget those of the windows whose
    medals changed, once the change commits (a per-process cache reads the post's version)."""
    window_ids = {w for w in window_ids if w}
    if not window_ids:
        return
    from vanguard.posts.signcache import forget_signboard

    codes = list(VanguardPost.objects.filter(window_id__in=window_ids).values_list("code", flat=True))
    transaction.on_commit(lambda: [forget_signboard(code) for code in codes])


def _move(scheme, assignments, period, how, actor, today):
    """assignments: {medal: (holder, reason, rate, ratings)}; ends the medals' current holdings
    whose holder changes and opens the new ones, in medal order (no deadlock)."""
    current = {h.medal_id: h for h in Holding.objects.select_for_update().filter(scheme=scheme, ended_on=None)}
    field = scheme.holder_kind
    moved = []
    ending = [current[medal.pk].pk for medal in assignments if medal.pk in current]
    # Release the medals first, so a holder may pass from one medal number to another.
    if ending:
        Holding.objects.filter(pk__in=ending).update(ended_on=today)
    _forget_signboards([h.window_id for h in current.values() if h.pk in ending]
                       + [holder.pk for holder, *_rest in assignments.values() if field == "window"])
    for medal, (holder, reason, rate, ratings) in sorted(assignments.items(), key=lambda kv: kv[0].number):
        moved.append(Holding(scheme=scheme, medal=medal, period=period, started_on=today, how=how, reason=reason[:300],
                             rate=rate, ratings=ratings, decided_by=_actor_user(actor),
                             floor_id=_holder_floor(scheme, holder), **{field: holder}))
    Holding.objects.bulk_create(moved)
    return moved


@transaction.atomic
def rotate_medals(actor, scheme, *, period, today=None):
    """Move the medals by the rule for `period` (judged on the figures of the period before it):
    the windows or branches with the best satisfaction rate among those with at least
    `min_ratings` ratings; ties by more ratings. A holder that stays among the best keeps
    its medal; the medals of those that drop out pass to the new ones. Each holding
    says why."""
    _office(actor, scheme.centre_id)
    scheme = MedalScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.rule != MedalScheme.Rule.SATISFACTION:
        raise ValidationError(_("These medals move by decision, not by a rule."))
    period = period_of(scheme, period)
    if scheme.last_period and period <= scheme.last_period:
        raise ValidationError(_("The medals have already moved for %(period)s.") % {"period": _label(scheme, period)})
    judged = previous_period(scheme, period)
    from vanguard.ratings import figures

    stats = figures.period_ranking(scheme.centre_id, scheme.holder_kind, scheme.cadence, judged)
    model = Window if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else Organization
    qualified = [(k, s) for k, s in stats.items() if s["rate"] is not None and s["total"] >= scheme.min_ratings]
    qualified.sort(key=lambda ks: (-ks[1]["rate"], -ks[1]["total"], ks[0]))
    holders = model.objects.in_bulk([k for k, _s in qualified])
    qualified = [(k, s) for k, s in qualified if k in holders and holders[k].centre_id == scheme.centre_id]
    if scheme.holder_kind == MedalScheme.HolderKind.BRANCH:
        qualified = [(k, s) for k, s in qualified if holders[k].kind == Organization.Kind.BRANCH]
    best = qualified[:scheme.count]
    places = {k: i for i, (k, _s) in enumerate(best, start=1)}
    medals = list(scheme.medals.order_by("number"))
    field = f"{scheme.holder_kind}_id"
    current = {getattr(h, field): h for h in Holding.objects.filter(scheme=scheme, ended_on=None)}
    label = _label(scheme, judged)
    assignments, kept = {}, set()
    for key, _s in best:
        if key in current:
            kept.add(current[key].medal_id)
    free = [m for m in medals if m.pk not in kept]
    for key, s in best:
        reason = _("%(period)s: satisfaction rate %(rate)s%% over %(total)s ratings, place %(place)s of %(count)s "
                   "(rule: best rate with at least %(min)s ratings)") % {
            "period": label, "rate": s["rate"], "total": s["total"], "place": places[key],
            "count": len(qualified), "min": scheme.min_ratings}
        held = current.get(key)
        medal = next(m for m in medals if m.pk == held.medal_id) if held is not None else free.pop(0)
        assignments[medal] = (holders[key], reason, s["rate"], s["total"])
    # Medals nobody qualified for: vacant (their holding ends), said in the audit row.
    vacant = [m for m in medals if m not in assignments]
    today = today or timezone.localdate()
    if vacant:
        ending = Holding.objects.filter(scheme=scheme, ended_on=None, medal__in=vacant)
        _forget_signboards(ending.values_list("window_id", flat=True))
        ending.update(ended_on=today)
    moved = _move(scheme, assignments, period, Holding.How.RULE, actor, today)
    scheme.last_period = period
    scheme.save(update_fields=["last_period"])
    audit.record(actor, audit.Action.UPDATE, scheme, {"period": [None, period.isoformat()],
                                                       "holders": [None, [h.holder_name for h in moved]],
                                                       "vacant": [None, len(vacant)]}, verb=audit.Event.MEDALS_MOVED)
    return moved


@transaction.atomic
def award_medal(actor, medal, *, holder, reason, today=None):
    """Pass one medal by decision, with the reason."""
    scheme = medal.scheme
    _office(actor, scheme.centre_id)
    scheme = MedalScheme.objects.select_for_update().get(pk=scheme.pk)
    reason = _text(reason, 300)
    model = Window if scheme.holder_kind == MedalScheme.HolderKind.WINDOW else Organization
    if not isinstance(holder, model) or holder.centre_id != scheme.centre_id:
        raise ValidationError({"holder": _("Choose a %(kind)s of this centre.") % {
            "kind": scheme.get_holder_kind_display()}})
    if not reason:
        raise ValidationError({"reason": _("Say why the medal passes to “%(name)s”.") % {"name": holder}})
    today = today or timezone.localdate()
    field = scheme.holder_kind
    if Holding.objects.filter(scheme=scheme, ended_on=None, **{field: holder}).exclude(medal=medal).exists():
        raise ValidationError({"holder": _("“%(name)s” already holds one of these medals.") % {"name": holder}})
    period = period_of(scheme, today)
    if Holding.objects.filter(medal=medal, period=period).exists():
        # A second decision in the same period replaces the first one's holder from today on.
        ending = Holding.objects.filter(medal=medal, ended_on=None)
        _forget_signboards(ending.values_list("window_id", flat=True))
        ending.update(ended_on=today)
        period = today
    moved = _move(scheme, {medal: (holder, reason, None, None)}, period, Holding.How.DECISION, actor, today)
    audit.record_create(actor, moved[0], verb=audit.Event.MEDAL_PASSED, centre_id=scheme.centre_id)
    return moved[0]


def due_rotations(today=None):
    """(scheme, period) pairs whose period has begun and whose medals have not moved yet."""
    today = today or timezone.localdate()
    out = []
    for scheme in MedalScheme.objects.filter(active=True, rule=MedalScheme.Rule.SATISFACTION):
        period = period_of(scheme, today)
        if scheme.last_period is None or scheme.last_period < period:
            out.append((scheme, period))
    return out


def rotate_due(today=None):
    """The job at the turn of the month: every active scheme whose period began moves once."""
    done = []
    for scheme, period in due_rotations(today):
        done.append((scheme, rotate_medals(system.SYSTEM, scheme, period=period, today=today)))
    return done


def floor_of(floor_id):
    return Floor.objects.filter(pk=floor_id).first()
