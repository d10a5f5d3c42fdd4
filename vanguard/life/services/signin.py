"""A member's sign-in by the meeting's rotating QR code (one per member, however many phones)."""

import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from vanguard.core import audit, pipelines
from vanguard.core.audit_events import Event
from vanguard.core.hot_sql import Columns
from vanguard.core.scoping import scope_for

from ..models import (
    Attendance,
    Meeting,
    SignIn,
)

# The sign-in window: from this long before the meeting starts to its end.
SIGNIN_OPENS_BEFORE = datetime.timedelta(minutes=getattr(settings, "LIFE_SIGNIN_OPENS_MINUTES", 30))
# A code is valid for its own slot and the one after: 30 to 60 seconds.
CODE_SECONDS = getattr(settings, "LIFE_SIGNIN_CODE_SECONDS", 30)
# Sign-in --------------------------------------------------------------------------------------------


def _slot(moment):
    return int(moment.timestamp()) // CODE_SECONDS


def _mac(meeting_id, slot):
    return salted_hmac("vanguard.life.signin", f"{meeting_id}:{slot}").hexdigest()[:20]


def signin_code(meeting, now=None):
    """The code the meeting's QR shows now: signed with the meeting and the time slot."""
    slot = _slot(now or timezone.now())
    return f"{slot:x}-{_mac(getattr(meeting, 'pk', meeting), slot)}"


def signin_window(meeting):
    return meeting.starts_at - SIGNIN_OPENS_BEFORE, meeting.ends_at


def code_is_valid(meeting, code, now):
    """Is `code` the meeting's (a Meeting or its id) for this time slot or the one before?"""
    try:
        slot_hex, mac = (code or "").split("-", 1)
        slot = int(slot_hex, 16)
    except ValueError:
        return False
    current = _slot(now)
    return slot in (current, current - 1) and constant_time_compare(mac, _mac(getattr(meeting, "pk", meeting), slot))


def signin_chain(meeting_id):
    """The audit chain of a meeting's sign-ins, inside its centre's trail. A theme day signs in a
    whole centre within minutes; each sign-in's audit row appends to a chain, whose lock is held
    through the commit's disk write, so one chain per centre signed in one member per commit. Per
    meeting, the branches' meetings sign in side by side; verify() checks these chains like any."""
    return audit.object_chain("life.meeting", meeting_id)


def _person_of(actor):
    """The actor's person as the request already holds it (the API token reads it with the user)."""
    try:
        return actor.person
    except (AttributeError, ObjectDoesNotExist):
        return None


# One statement for a member's sign-in (PostgreSQL): the member's attendance row at a meeting whose
# window is open, the sign-in inserted (or nothing: the unique constraint keeps the first phone's), and
# the attendance marked present. It returns the attendance row (as read before the statement) and whether
# the sign-in was inserted, or nothing when there is no such row (not expected, window closed, a meeting
# the member cannot see): sign_in's slow path says why.
_SIGN_IN_AT_ONCE = """
WITH a AS (
    SELECT {attendance}, m.centre_id FROM life_attendance a JOIN life_meeting m ON m.id = a.meeting_id
    WHERE a.meeting_id = %(meeting)s AND a.person_id = %(person)s
      AND m.starts_at <= %(latest_start)s AND m.ends_at >= %(now)s),
s AS (
    INSERT INTO life_signin (meeting_id, person_id, at, method) SELECT %(meeting)s, %(person)s, %(now)s, %(qr)s FROM a
    ON CONFLICT (meeting_id, person_id) DO NOTHING RETURNING id),
u AS (
    UPDATE life_attendance SET status = %(present)s, signed_in_at = %(now)s,
        method = CASE WHEN method = '' THEN %(qr)s ELSE method END
    WHERE id = (SELECT id FROM a) AND status <> %(present)s AND EXISTS (SELECT 1 FROM s) RETURNING method)
SELECT a.*, EXISTS (SELECT 1 FROM s), (SELECT method FROM u) FROM a
"""
_AT_ONCE = []  # (sql, Columns): built once per process


def _at_once_sql():
    if not _AT_ONCE:
        columns = Columns(Attendance, "a")
        _AT_ONCE.append((_SIGN_IN_AT_ONCE.format(attendance=columns.sql()), columns))
    return _AT_ONCE[0]


def _sign_in_at_once(actor, meeting_id, person, now):
    sql, columns = _at_once_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "meeting": meeting_id, "person": person.pk, "now": now, "latest_start": now + SIGNIN_OPENS_BEFORE,
            "qr": Attendance.Method.QR, "present": Attendance.Status.PRESENT})
        found = cursor.fetchone()
    if found is None:
        return None
    row, at = columns.read(found, 0)
    centre_id, inserted, method = found[at:]
    if not inserted:
        # Another phone signed this member in first. The row was read as the statement began: when that
        # phone's commit came while this statement waited on its sign-in, read the row it left.
        if row.status != Attendance.Status.PRESENT:
            return Attendance.objects.select_related("person").get(pk=row.pk), False
        Attendance.person.field.set_cached_value(row, person)
        return row, False
    if method is None:  # ticked by the secretary before: the sign-in is kept, nothing changes
        Attendance.person.field.set_cached_value(row, person)
        return row, False
    before = row.status
    row.status, row.signed_in_at, row.method = Attendance.Status.PRESENT, now, method
    Attendance.person.field.set_cached_value(row, person)
    # Last in the transaction: the meeting's audit chain is locked from here to the commit, and every
    # sign-in of the meeting waits for it (not those of the centre's other meetings: signin_chain).
    # On PostgreSQL the lock, the audit row and the COMMIT travel in one round trip
    # (pipelines.commit_with_last_writes), so it is held only while PostgreSQL runs them.
    # The row's text as str(row) gives it, without building the status's choices (get_status_display).
    audit.record(actor, audit.Action.ACTION, row, {"status": [before, row.status]}, verb=Event.SIGNED_IN,
                 centre_id=centre_id, chain_key=signin_chain(meeting_id), also=pipelines.commit_with_last_writes(),
                 object_repr=f"{person} {Attendance.Status.PRESENT.label}")
    return row, True


def sign_in(actor, meeting, code, now=None):
    """The member's phone signs in with the code scanned at the meeting (`meeting`: a Meeting the
    actor may see, or a meeting's id; an id the actor may not see raises Meeting.DoesNotExist).
    Returns (attendance, created): a second sign-in (another phone, a retry) stores nothing new.

    A member's sign-in with a valid code is one statement on PostgreSQL (_SIGN_IN_AT_ONCE: the
    attendance row it needs is the member's own, which is what makes the meeting visible to them),
    then, for the first, the audit row; a second phone's is that statement alone. Anything else, and SQLite, reads the meeting through visible_to and
    checks the window, the code and the list in turn, with a message for each."""
    now = now or timezone.now()
    meeting_id = getattr(meeting, "pk", meeting)
    person = _person_of(actor)
    if person is not None and connection.vendor == "postgresql" and code_is_valid(meeting_id, code, now):
        with transaction.atomic():
            done = _sign_in_at_once(actor, meeting_id, person, now)
            if done is not None:
                return done
    if not isinstance(meeting, Meeting):
        meeting = Meeting.objects.visible_to(actor).get(pk=meeting_id)
    person_id = scope_for(actor).person_id
    opens, closes = signin_window(meeting)
    if not (opens <= now <= closes):
        raise ValidationError({"code": _("Sign-in for this meeting is open from %(opens)s to %(closes)s.")
                               % {"opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                                  "closes": timezone.localtime(closes).strftime("%H:%M")}})
    if not code_is_valid(meeting, code, now):
        raise ValidationError({"code": _("This sign-in code has expired or belongs to another meeting: "
                                         "scan the code shown at the meeting again.")})
    with transaction.atomic():
        # The person comes along: the audit row names them (no second query).
        row = (Attendance.objects.filter(meeting=meeting, person_id=person_id).select_related("person").first()
               if person_id else None)
        if row is None:
            raise ValidationError({"code": _("You are not on the list of members expected at this meeting.")})
        try:
            with transaction.atomic():
                SignIn.objects.create(meeting=meeting, person_id=person_id, at=now, method=Attendance.Method.QR)
        except IntegrityError:
            return row, False
        if row.status == Attendance.Status.PRESENT:  # ticked by the secretary before
            return row, False
        before = row.status
        row.status, row.signed_in_at = Attendance.Status.PRESENT, now
        row.method = row.method or Attendance.Method.QR
        Attendance.objects.filter(pk=row.pk).update(status=row.status, signed_in_at=now, method=row.method)
        audit.record(actor, audit.Action.ACTION, row, {"status": [before, row.status]}, verb=Event.SIGNED_IN,
                     centre_id=meeting.centre_id, chain_key=signin_chain(meeting.pk))
        return row, True
