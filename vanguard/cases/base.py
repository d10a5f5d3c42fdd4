"""What the cases' use cases share: the centre's rules and working-day calendar, the
redaction of personal data from public text, who may act, and the writing of a case's steps
and audit rows."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.system import SYSTEM, actor_name, is_system
from vanguard.core.text import has_control
from vanguard.core.workdays import WorkingCalendar

from .models import Case, CaseRules, CaseStep

Step = CaseStep.Action

CONTENT_MAX = 2000


# Rules and calendar -------------------------------------------------------------------

def rules_for(centre):
    """The centre's case rules (an unsaved row of defaults when the office set none)."""
    centre_id = getattr(centre, "pk", centre)
    return CaseRules.objects.filter(centre_id=centre_id).first() or CaseRules(centre_id=centre_id)


def calendar():
    return WorkingCalendar()


# Personal data out of public text --------------------------------------------------------

MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text, names=()):
    """The citizen's words with mobiles, phone numbers, identity numbers, e-mail addresses
    and the names they gave replaced by a mark: what public pages show."""
    text = ID_RE.sub(_("[ID number removed]"), text or "")
    text = MOBILE_RE.sub(_("[phone removed]"), text)
    text = PHONE_RE.sub(_("[phone removed]"), text)
    text = EMAIL_RE.sub(_("[e-mail removed]"), text)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            text = text.replace(name, _("[name removed]"))
    return text


# Permissions ----------------------------------------------------------------------------

def is_office(user, centre_id):
    return is_office_of(user, centre_id)


def is_handler(user, unit_id):
    scope = scope_for(user)
    return scope.is_admin or (unit_id is not None and unit_id in scope.units(Role.HANDLER))


def can_see_contact(user, case):
    """The citizen's name and mobile: the handling unit's handlers and the office only."""
    return is_office(user, case.centre_id) or (case.unit_id is not None and is_handler(user, case.unit_id))


def _is_staff_of(user, centre_id):
    scope = scope_for(user)
    return scope.is_admin or centre_id in scope.centres(Role.OFFICE, Role.HANDLER)


def _require_office(actor, case, message=None):
    require(is_office(actor, case.centre_id), message or _("Only the party-building office may do this."))


def _require_handler(actor, case):
    require(case.unit_id is not None and is_handler(actor, case.unit_id),
            _("Only the responsible unit's case handlers may do this."))


# Steps and state -------------------------------------------------------------------------

def _user(actor):
    return actor if getattr(actor, "pk", None) and not is_system(actor) else None


def _log(actor, case, action, *, note="", public_note="", public=True, deadline=None, at=None):
    return CaseStep.objects.create(
        case=case, round=case.round, action=action, at=at or timezone.now(), actor=_user(actor),
        actor_name=actor_name(actor) if _user(actor) or is_system(actor) else "", unit_id=case.unit_id,
        note=note or "", public_note=public_note or "", public=public, deadline=deadline)


def _locked(case):
    return Case.objects.select_for_update().get(pk=case.pk)


def _expect(case, statuses, message=None):
    if case.status not in statuses:
        raise ValidationError({"status": message or _(
            "This case is “%(status)s”; this step is not possible now.") % {"status": case.get_status_display()}})


def _text(value, field, message, limit=CONTENT_MAX):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
    if has_control(value, multiline=True):
        raise ValidationError({field: _("Contains an invisible control character; retype the text without it.")})
    return value


def _optional(value, field, limit=CONTENT_MAX):
    value = (value or "").strip()
    if value:
        return _text(value, field, "", limit)
    return ""


def _save(actor, case, before, verb):
    case.save()
    audit.record_update(actor, case, before, verb=verb)
    return case



# Notices to units -----------------------------------------------------------------------

def _notice(case, subject, body):
    """Urgent: the unit's handlers (and liaison) in their inboxes and by SMS."""
    from vanguard.notices.services import notify

    notify(SYSTEM, recipients=[case.unit], kind="escalation", urgency="urgent", centre=case.centre,
           title=subject[:200], body=body, url=f"/cases/{case.pk}/")

