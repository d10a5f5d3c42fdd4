"""Target responsibility letters (目标责任书): drafted by the office with weighted targets,
sent, signed by the unit's leader (with the signed scan), and tracked quarterly."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.upload_checks import check_upload

from .common import _text, _user
from .models import Letter, Target, TargetProgress
from .permissions import is_office


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
