"""Use cases of document circulation (文件传阅) and booklets (口袋书)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import is_office_of, require
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.core.upload_checks import check_upload
from vanguard.org.models import Organization, Person

from .audience import compose, reachable
from .channels import backend_name
from .models import (
    Audience,
    Booklet,
    Broadcast,
    Chapter,
    Circular,
    CircularReminder,
    CircularSignature,
    ReadingRecord,
)
from .services import _kick, require_office

CLASSIFIED_MARKS = ("绝密", "机密", "秘密")


# Circulation ---------------------------------------------------------------------------------------


@transaction.atomic
def upload_circular(actor, centre, *, title, issuer, number, file, secrecy=Circular.Secrecy.NONE, summary=""):
    require_office(actor, centre.pk)
    marked = [m for m in CLASSIFIED_MARKS if m in f"{title}{number}"]
    if secrecy != Circular.Secrecy.NONE or marked:
        raise ValidationError({"secrecy": _(
            "Classified documents may not be circulated in this system: only non-classified documents "
            "(非密文件) may be uploaded. Pass classified documents through the confidential channel.")})
    kind = check_upload(file)
    circular = Circular(centre=centre, title=title, issuer=issuer, number=number, secrecy=secrecy, summary=summary,
                        file_kind=kind, file_size=file.size, original_name=file.name[:200], created_by=actor)
    circular.file.save(f"{kind}-{timezone.now():%Y%m%d%H%M%S}.{kind}", file, save=False)
    circular.full_clean()
    circular.save()
    audit.record_create(actor, circular)
    return circular


@transaction.atomic
def circulate(actor, circular, branches):
    """Send the document to these branches (added to those it already went to)."""
    require_office(actor, circular.centre_id)
    branches = list(branches)
    if not branches:
        raise ValidationError({"branches": _("Choose at least one branch.")})
    for branch in branches:
        if branch.centre_id != circular.centre_id or branch.kind not in (Organization.Kind.BRANCH,
                                                                          Organization.Kind.GENERAL_BRANCH):
            raise ValidationError({"branches": _("“%(name)s” is not a branch of this centre.") % {"name": branch}})
    circular.branches.add(*branches)
    if circular.circulated_at is None:
        circular.circulated_at = timezone.now()
        circular.save(update_fields=["circulated_at"])
    audit.record(actor, audit.Action.ACTION, circular, verb="circulate",
                 changes={"branches": [None, [b.name for b in branches]]})
    _notify_readers(actor, circular, branches)
    return circular


def _notify_readers(actor, circular, branches):
    """A notice in the inbox of each reader (with a login account) of the branches just added who
    has not signed yet."""
    from django.urls import reverse

    from vanguard.notices.services import notify

    q = Q(pk__in=[])
    for branch in branches:
        q |= Q(branch__path__startswith=branch.path)
    people = list(Person.objects.filter(q, centre=circular.centre_id, is_active=True, user__isnull=False)
                  .exclude(circular_signatures__circular=circular).only("pk", "name", "user_id", "centre_id"))
    if people:
        notify(actor, recipients=people, kind="sign", centre=circular.centre,
               title=_("Document to sign: %(title)s") % {"title": circular.title},
               body=_("%(issuer)s %(number)s. Please read and sign it.") % {"issuer": circular.issuer,
                                                                           "number": circular.number},
               url=reverse("messaging:circular-detail", args=[circular.pk]))


def readers(circular):
    """The people who must sign: members registered in the branches it went to."""
    q = Q(pk__in=[])
    for path in circular.branches.values_list("path", flat=True):
        q |= Q(branch__path__startswith=path)
    return Person.objects.filter(q, centre=circular.centre_id, is_active=True)


def can_sign(user, circular):
    person = getattr(user, "person", None) if user.is_authenticated else None
    return (person is not None and circular.circulated_at is not None
            and readers(circular).filter(pk=person.pk).exists())


@transaction.atomic
def sign_circular(actor, circular):
    require(can_sign(actor, circular), _("This document was not circulated to your branch."))
    person = actor.person
    try:
        with transaction.atomic():
            signature = CircularSignature.objects.create(circular=circular, person=person, branch=person.branch)
    except IntegrityError:
        raise ValidationError(_("You have already signed for this document.")) from None
    audit.record(actor, audit.Action.ACTION, circular, verb="sign", centre_id=circular.centre_id)
    return signature


def coverage(circular, branches=None):
    """Per branch: members, signed, percent, full (全覆盖). One query for all branches."""
    rows = []
    targets = list(branches if branches is not None else circular.branches.order_by("path"))
    people_ = readers(circular).filter(branch__isnull=False)
    signed_ids = set(circular.signatures.values_list("person_id", flat=True))
    by_branch = {}
    for pk, path in people_.values_list("pk", "branch__path"):
        for target in targets:
            if path.startswith(target.path):
                counts = by_branch.setdefault(target.pk, [0, 0])
                counts[0] += 1
                counts[1] += pk in signed_ids
                break
    for target in targets:
        total, signed = by_branch.get(target.pk, [0, 0])
        rows.append({"branch": target, "members": total, "signed": signed,
                     "percent": round(100 * signed / total) if total else 100, "full": signed == total})
    return rows


def unsigned(circular, branch):
    return readers(circular).filter(branch__path__startswith=branch.path).exclude(
        pk__in=circular.signatures.values("person_id")).order_by("name")


def can_remind(user, circular, branch):
    scope = scope_for(user)
    return is_office_of(user, circular.centre_id) or scope.covers_path(
        branch.path, Role.SECRETARY)


def _refuse_repeat_reminder(circular, branch):
    """The same people (this branch, a branch above it or one inside it) are reminded of a
    document at most once in REMINDER_INTERVAL_HOURS. The circular's row is locked so two
    clicks at once cannot both pass the check."""
    Circular.objects.select_for_update().filter(pk=circular.pk).first()
    hours = settings.REMINDER_INTERVAL_HOURS
    last = (CircularReminder.objects.filter(circular=circular, created_at__gte=timezone.now()
                                            - datetime.timedelta(hours=hours))
            .filter(Q(branch__path__in=_prefixes(branch.path)) | Q(branch__path__startswith=branch.path))
            .order_by("-created_at").first())
    if last is not None:
        raise ValidationError(_("These members were already reminded at %(time)s; a reminder can be sent again "
                                "%(hours)s hours after the last one.")
                              % {"time": timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M"),
                                 "hours": hours})


@transaction.atomic
def remind_unsigned(actor, circular, branch):
    """SMS to the members of the branch who have not signed yet (sent now)."""
    require(can_remind(actor, circular, branch), _("You may only remind the members of your own branch."))
    if not circular.branches.filter(path__in=_prefixes(branch.path)).exists():
        raise ValidationError(_("This document was not circulated to that branch."))
    _refuse_repeat_reminder(circular, branch)
    people_ = list(reachable(unsigned(circular, branch)).values_list("pk", flat=True))
    if not people_:
        raise ValidationError(_("Everyone in the branch with a mobile number has signed: nobody to remind."))
    text = compose(_("Please read and sign the circulated document “%(title)s” (%(number)s) in the system.")
                   % {"title": circular.title, "number": circular.number})
    broadcast = Broadcast.objects.create(
        centre_id=circular.centre_id, title=_("Reminder: %(title)s") % {"title": circular.title}, text=text,
        audience=Audience.PEOPLE, person_ids=people_, send_at=timezone.now(), channel=backend_name(),
        created_by=actor)
    reminder = CircularReminder.objects.create(circular=circular, branch=branch, broadcast=broadcast,
                                               people=len(people_), created_by=actor)
    audit.record(actor, audit.Action.ACTION, circular, verb="remind", changes={"people": [None, len(people_)]})
    _kick()
    return reminder


def _prefixes(path):
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


# Booklets -------------------------------------------------------------------------------------------


@transaction.atomic
def create_booklet(actor, centre, *, title, description="", file=None):
    require_office(actor, centre.pk)
    booklet = Booklet(centre=centre, title=title, description=description, created_by=actor)
    if file is not None:
        check_upload(file, kinds=("pdf",))
        booklet.file.save(f"booklet-{timezone.now():%Y%m%d%H%M%S}.pdf", file, save=False)
    booklet.full_clean()
    booklet.save()
    audit.record_create(actor, booklet)
    return booklet


@transaction.atomic
def add_chapter(actor, booklet, *, title, body, number=None):
    require_office(actor, booklet.centre_id)
    if number is None:
        number = (booklet.chapters.aggregate(n=Count("pk"))["n"] or 0) + 1
    chapter = Chapter(booklet=booklet, number=number, title=title, body=body)
    chapter.full_clean()
    chapter.save()
    audit.record_create(actor, chapter, verb="add chapter")
    return chapter


def record_reading(user, booklet, chapter=None):
    """A member opened the booklet (or one chapter). Staff without a person record leave no trace."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None or person.centre_id != booklet.centre_id:
        return None
    updated = ReadingRecord.objects.filter(booklet=booklet, chapter=chapter, person=person).update(
        times=F("times") + 1, last_read_at=timezone.now())
    if updated:
        return None
    try:
        with transaction.atomic():
            return ReadingRecord.objects.create(booklet=booklet, chapter=chapter, person=person)
    except IntegrityError:
        return None
