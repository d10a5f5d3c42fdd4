"""Honours' use cases: the public notice (公示) in working days, objections (each becomes a case),
the award with its certificates, and the ranking of a selection."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit, system
from vanguard.core.workdays import WorkingCalendar

from .base import (
    State,
    Status,
    _office,
    _text,
)
from .models import (
    Honour,
    Nomination,
    Objection,
    Selection,
)


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
