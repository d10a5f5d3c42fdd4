"""Use cases of vanguard posts: one function each, taking the acting user, in one
transaction, writing both the post's own history (PostEvent) and the audit trail.
Pages, the API, the demo and later the quarterly evaluation all call these.

Lifecycle: draft -> disclosed -> named -> revoked; a revoked post is named again
only on a new evaluation."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.core.system import actor_name, is_system
from vanguard.core.upload_checks import check_photo, is_new_file
from vanguard.org.models import Organization

from .models import PLEDGE_MAX_LENGTH, KeyProject, PostEvent, PostHolder, PostStandard, VanguardPost, new_code
from .permissions import can_manage_posts
from .signcache import forget_signboard

Status = VanguardPost.Status
AUTHORITY_KINDS = (Organization.Kind.LEADING_GROUP, Organization.Kind.COMMITTEE)
MOBILE_RE = re.compile(r"^\+?(86)?1[3-9]\d{9}$")

POST_FIELDS = {"name", "kind", "window", "unit", "department", "project", "service_scope", "complaint_phone",
               "standard", "naming_authority", "pledge_work", "pledge_time", "pledge_quality", "pledge_attitude", "photo"}


def _denied_message():
    return _("Only the party-building office may manage vanguard posts.")


def _forget_signboard(post):
    code = post.code
    transaction.on_commit(lambda: forget_signboard(code))


def _event(actor, post, action, reason="", **details):
    _forget_signboard(post)
    PostEvent.objects.create(
        post=post, action=action, status_after=post.status, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor), reason=reason or "",
        details={k: audit._plain(v) for k, v in details.items()},
    )


def evaluation_ref(evaluation):
    """A stable text reference to the evaluation behind a decision ("surveys.evaluation:12")."""
    if evaluation is None:
        return ""
    if hasattr(evaluation, "_meta") and getattr(evaluation, "pk", None) is not None:
        return f"{evaluation._meta.label_lower}:{evaluation.pk}"
    return str(evaluation)[:60]


# Checks ----------------------------------------------------------------------------

def _normalise_holders(holders):
    """Accepts Person objects, (person, position) pairs or {"person", "position"} dicts."""
    result = []
    for item in holders or []:
        if isinstance(item, dict):
            result.append((item["person"], item.get("position", "") or ""))
        elif isinstance(item, tuple | list):
            result.append((item[0], item[1] if len(item) > 1 else ""))
        else:
            result.append((item, ""))
    return result


def _check_holders(centre, holders):
    if not holders:
        raise ValidationError({"holders": _("A vanguard post needs at least one holder.")})
    seen = set()
    for person, position in holders:
        if person.centre_id != centre.pk:
            raise ValidationError({"holders": _("%(name)s works in another service centre.") % {"name": person.name}})
        if person.pk in seen:
            raise ValidationError({"holders": _("%(name)s is listed twice.") % {"name": person.name}})
        seen.add(person.pk)
        if len(position) > 50:
            raise ValidationError({"holders": _("The position of %(name)s is longer than 50 characters.")
                                   % {"name": person.name}})
    _check_members([person for person, _position in holders])


def _check_members(people):
    """Everyone a 共产党员先锋岗 names as a holder is a party member (full or probationary)."""
    outsiders = [person.name for person in people if not person.is_party_member]
    if outsiders:
        raise ValidationError({"holders": _(
            "%(names)s: not a party member (full or probationary); only party members can hold a "
            "Communist Party member vanguard post.") % {"names": "、".join(outsiders)}})


def _check_post(post):
    errors = {}
    for field in VanguardPost.PLEDGE_FIELDS:
        value = (getattr(post, field) or "").strip()
        setattr(post, field, value)
        label = VanguardPost._meta.get_field(field).verbose_name
        if not value:
            errors[field] = _("“%(field)s” is required.") % {"field": label}
        elif len(value) > PLEDGE_MAX_LENGTH:
            errors[field] = _("“%(field)s” has %(length)s characters; a signboard holds at most %(max)s.") % {
                "field": label, "length": len(value), "max": PLEDGE_MAX_LENGTH}
    if not (post.window_id or post.unit_id or post.department_id or post.project_id):
        errors["window"] = _("Say where the post is: a window, a unit, a department or a key project.")
    for field in ("window", "unit", "department", "project", "standard", "naming_authority"):
        related = getattr(post, field)
        if related is not None and related.centre_id != post.centre_id:
            errors[field] = _("It belongs to another service centre.")
    authority = post.naming_authority
    if authority is not None and authority.centre_id == post.centre_id and authority.kind not in AUTHORITY_KINDS:
        errors["naming_authority"] = _("Choose a leading party group (党组) or a party committee (党委).")
    if post.department_id and post.department.kind != post.department.Kind.DEPARTMENT:
        errors["department"] = _("Choose a business department.")
    phone = re.sub(r"[\s\-]", "", post.complaint_phone or "")
    if phone and MOBILE_RE.match(phone):
        errors["complaint_phone"] = _("The complaint phone must be an office line, not a personal mobile number.")
    if post.standard_id and post.standard.post_kind != post.kind:
        errors["standard"] = _("This standard is for another kind of post.")
    if errors:
        raise ValidationError(errors)
    post.floor = post.window.floor if post.window_id else None
    try:
        post.full_clean(exclude=["code", "holders"])
    except ValidationError as e:
        raise ValidationError(e.message_dict) from e


def _set_holders(post, holders):
    PostHolder.objects.filter(post=post).delete()
    PostHolder.objects.bulk_create(
        PostHolder(post=post, person=person, position=position, sort_order=i)
        for i, (person, position) in enumerate(holders))


def _holder_names(holders):
    return [person.name for person, _position in holders]


# Posts -------------------------------------------------------------------------------

@transaction.atomic
def create_post(actor, centre, *, holders, **fields):
    require(can_manage_posts(actor, centre.pk), _denied_message())
    unknown = set(fields) - POST_FIELDS
    if unknown:
        raise TypeError(f"unknown post fields: {sorted(unknown)}")
    fields.setdefault("complaint_phone", centre.complaint_phone)
    if is_new_file(fields.get("photo")):
        check_photo(fields["photo"])
    holders = _normalise_holders(holders)
    post = VanguardPost(centre=centre, **fields)
    _check_holders(centre, holders)
    _check_post(post)
    for _attempt in range(5):
        post.code = new_code()
        if not VanguardPost.objects.filter(code=post.code).exists():
            break
    post.save()
    _set_holders(post, holders)
    audit.record_create(actor, post)
    _event(actor, post, PostEvent.Action.CREATE, holders=_holder_names(holders))
    return post


@transaction.atomic
def update_post(actor, post, *, holders=None, reason="", **changes):
    require(can_manage_posts(actor, post.centre_id), _denied_message())
    unknown = set(changes) - POST_FIELDS
    if unknown:
        raise TypeError(f"unknown post fields: {sorted(unknown)}")
    if is_new_file(changes.get("photo")):
        check_photo(changes["photo"])
    post = VanguardPost.objects.select_for_update().get(pk=post.pk)
    before = audit.snapshot(post)
    old_holders = list(post.post_holders.select_related("person"))
    for field, value in changes.items():
        setattr(post, field, value)
    if holders is not None:
        holders = _normalise_holders(holders)
        _check_holders(post.centre, holders)
    _check_post(post)
    post.save()
    details = audit.diff(before, audit.snapshot(post, fields=set(before)))
    if holders is not None:
        old = [(h.person_id, h.position) for h in old_holders]
        if old != [(p.pk, pos) for p, pos in holders]:
            _set_holders(post, holders)
            details["holders"] = [[h.person.name for h in old_holders], _holder_names(holders)]
    if details:
        audit.record(actor, audit.Action.UPDATE, post, details)
        _event(actor, post, PostEvent.Action.UPDATE, reason, changed=sorted(details))
    return post


@transaction.atomic
def disclose_post(actor, post, *, disclosed_on=None, reason=""):
    """Publish the post: its signboard goes live at /p/<code>/."""
    require(can_manage_posts(actor, post.centre_id), _denied_message())
    post = VanguardPost.objects.select_for_update().get(pk=post.pk)
    if post.status != Status.DRAFT:
        raise ValidationError({"status": _("Only a draft post can be disclosed; this post is “%(status)s”.")
                               % {"status": post.get_status_display()}})
    _check_members([h.person for h in post.post_holders.select_related("person")])
    before = audit.snapshot(post)
    post.status = Status.DISCLOSED
    post.disclosed_on = disclosed_on or timezone.localdate()
    post.save()
    audit.record_update(actor, post, before, verb="disclose")
    _event(actor, post, PostEvent.Action.DISCLOSE, reason, disclosed_on=post.disclosed_on)
    return post


def naming_authority_of(post):
    """The party committee that names this post: its own setting, else the centre's root."""
    if post.naming_authority_id:
        return post.naming_authority
    return Organization.objects.filter(centre_id=post.centre_id, parent__isnull=True).order_by("pk").first()


def _evaluation_object(evaluation):
    """An evaluation given by its id (a form, the API) as the surveys' object, so the
    history names it the same way whichever way it came."""
    if evaluation in (None, "") or hasattr(evaluation, "_meta"):
        return evaluation
    from vanguard.surveys import reading

    try:
        found = reading.evaluation_by_pk(int(evaluation))
    except (TypeError, ValueError):
        found = None
    return found or evaluation


def _passed(post, evaluation):
    # surveys imports posts, so it is asked here, at call time: it decides what a pass is.
    from vanguard.surveys import reading

    return reading.passed(post, evaluation)


@transaction.atomic
def name_post(actor, post, *, named_on, certificate_number, organization=None, evaluation=None,
              override_reason="", reason=""):
    """Award the title (命名). `evaluation` is the quarterly evaluation the post passed
    (the surveys app decides whether it did). Without one, the office may still name
    the post with a written `override_reason`, which the certificate and the history
    state. `organization` defaults to the post's naming authority."""
    require(can_manage_posts(actor, post.centre_id), _("Only the party-building office may name a post."))
    post = VanguardPost.objects.select_for_update().get(pk=post.pk)
    evaluation = _evaluation_object(evaluation)
    ref = evaluation_ref(evaluation) if evaluation not in (None, "") else ""
    override_reason = (override_reason or "").strip()
    certificate_number = (certificate_number or "").strip()
    organization = organization if organization is not None else naming_authority_of(post)
    errors = {}
    if post.status == Status.DRAFT:
        errors["status"] = _("A draft post must be disclosed before it is named.")
    elif post.status == Status.NAMED:
        errors["status"] = _("This post is already named.")
    if not ref:
        if not override_reason:
            errors["override_reason"] = _(
                "This post has no passed quarterly evaluation chosen: choose the evaluation it passed, or "
                "write the reason why the office names it without one.")
        elif len(override_reason) > 500:
            errors["override_reason"] = _("The reason is longer than 500 characters.")
    elif not _passed(post, evaluation):
        errors["evaluation"] = _("This post did not pass the chosen evaluation; choose an evaluation it passed.")
    elif post.status == Status.REVOKED and ref in (post.naming_evaluation, post.revoking_evaluation):
        errors["evaluation"] = _("A revoked post can be named again only after a new evaluation.")
    if not certificate_number:
        errors["certificate_number"] = _("Give the certificate number of the naming.")
    elif len(certificate_number) > 40:
        errors["certificate_number"] = _("The certificate number is longer than 40 characters.")
    elif VanguardPost.objects.filter(centre_id=post.centre_id, certificate_number=certificate_number).exclude(
            pk=post.pk).exists():
        errors["certificate_number"] = _("Certificate number %(number)s is already used by another post.") % {
            "number": certificate_number}
    if organization is None:
        errors["organization"] = _("Say which party organisation names the post.")
    elif not isinstance(organization, Organization) or organization.centre_id != post.centre_id:
        errors["organization"] = _("It belongs to another service centre.")
    elif organization.kind not in AUTHORITY_KINDS:
        errors["organization"] = _("Choose a leading party group (党组) or a party committee (党委).")
    if not isinstance(named_on, datetime.date):
        errors["named_on"] = _("Give the date of the naming.")
    elif named_on > timezone.localdate():
        errors["named_on"] = _("The date of the naming cannot be in the future.")
    try:
        _check_members([h.person for h in post.post_holders.select_related("person")])
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(post)
    post.status = Status.NAMED
    post.named_by = organization
    post.named_on = named_on
    post.certificate_number = certificate_number
    post.naming_evaluation = ref
    post.naming_override_reason = "" if ref else override_reason
    post.revoked_on, post.revoked_reason, post.revoked_by, post.revoking_evaluation = None, "", None, ""
    post.save()
    audit.record_update(actor, post, before, verb="name")
    _event(actor, post, PostEvent.Action.NAME, reason or post.naming_override_reason, organization=organization.name,
           named_on=named_on, certificate_number=certificate_number, evaluation=ref,
           naming_override_reason=post.naming_override_reason)
    return post


@transaction.atomic
def revoke_post(actor, post, *, reason, revoked_on=None, evaluation=None):
    """Take the title away (撤销), e.g. after two failed evaluations."""
    require(can_manage_posts(actor, post.centre_id), _("Only the party-building office may revoke a post."))
    post = VanguardPost.objects.select_for_update().get(pk=post.pk)
    reason = (reason or "").strip()
    revoked_on = revoked_on or timezone.localdate()
    errors = {}
    if post.status not in (Status.DISCLOSED, Status.NAMED):
        errors["status"] = _("Only a disclosed or named post can be revoked; this post is “%(status)s”.") % {
            "status": post.get_status_display()}
    if not reason:
        errors["reason"] = _("Give the reason for the revocation.")
    if revoked_on > timezone.localdate():
        errors["revoked_on"] = _("The date of the revocation cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(post)
    post.status = Status.REVOKED
    post.revoked_on = revoked_on
    post.revoked_reason = reason
    post.revoked_by = actor if getattr(actor, "pk", None) else None
    post.revoking_evaluation = evaluation_ref(evaluation)
    post.save()
    audit.record_update(actor, post, before, verb="revoke")
    _event(actor, post, PostEvent.Action.REVOKE, reason, revoked_on=revoked_on, evaluation=post.revoking_evaluation)
    return post


# The standards library and key projects ------------------------------------------------

def _save(actor, obj, before=None):
    try:
        obj.full_clean()
    except ValidationError as e:
        raise ValidationError(e.message_dict) from e
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as e:
        raise ValidationError(_("An entry with the same name already exists.")) from e
    if before is None:
        audit.record_create(actor, obj)
    else:
        audit.record_update(actor, obj, before)
    return obj


@transaction.atomic
def create_standard(actor, centre, **fields):
    require(can_manage_posts(actor, centre.pk), _denied_message())
    return _save(actor, PostStandard(centre=centre, **fields))


@transaction.atomic
def update_standard(actor, standard, **changes):
    require(can_manage_posts(actor, standard.centre_id), _denied_message())
    before = audit.snapshot(standard)
    for field, value in changes.items():
        setattr(standard, field, value)
    return _save(actor, standard, before)


def _check_project(project, units):
    if (project.latitude is None) != (project.longitude is None):
        raise ValidationError({"latitude": _("Give both the latitude and the longitude, or neither.")})
    for unit in units or []:
        if unit.centre_id != project.centre_id:
            raise ValidationError({"units": _("%(name)s belongs to another service centre.") % {"name": unit.name}})


@transaction.atomic
def create_project(actor, centre, *, units=(), **fields):
    require(can_manage_posts(actor, centre.pk), _denied_message())
    project = KeyProject(centre=centre, **fields)
    _check_project(project, units)
    _save(actor, project)
    project.units.set(units)
    return project


@transaction.atomic
def update_project(actor, project, *, units=None, **changes):
    require(can_manage_posts(actor, project.centre_id), _denied_message())
    before = audit.snapshot(project)
    for field, value in changes.items():
        setattr(project, field, value)
    _check_project(project, units)
    _save(actor, project, before)
    if units is not None:
        project.units.set(units)
    return project


@transaction.atomic
def warn_post(actor, post, *, reason, **details):
    """Accountability (问责制): a warning in the post's history (e.g. the cases app's upheld
    complaints in a quarter reaching the centre's number). The post's status does not change;
    the office and the evaluation read the warning from the history. The system, or the office."""
    require(is_system(actor) or is_office_of(actor, post.centre_id), _denied_message())
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the warning.")})
    _event(actor, post, PostEvent.Action.WARN, reason, **details)
    audit.record(actor, audit.Action.ACTION, post, {"warning": [None, reason]}, verb="warn post",
                 centre_id=post.centre_id)
    return post
