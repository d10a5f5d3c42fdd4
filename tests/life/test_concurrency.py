"""Two phones sign the same member in at the same moment: one sign-in is stored. Sign-ins of two
meetings of one centre do not queue on one audit chain's lock."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from vanguard.core import audit
from vanguard.core.models import AuditEntry
from vanguard.life import services
from vanguard.life.models import Attendance, MeetingKind, SignIn

from ..lock_race import assert_only_same_chain_waits


def _open_meeting(world):
    now = timezone.now()
    return services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.THEME_DAY, topic="主题党日",
                                 starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=1))


def test_a_sign_in_already_stored_is_answered_not_duplicated(world):
    meeting = _open_meeting(world)
    # The other phone's insert won: this one meets the unique constraint and answers "already".
    SignIn.objects.create(meeting=meeting, person=world.member_person, at=timezone.now(), method="qr")
    row, created = services.sign_in(world.member, meeting, services.signin_code(meeting))
    assert created is False
    assert SignIn.objects.filter(meeting=meeting).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_phones_at_the_same_moment(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers, so there is no real race to test; run on PostgreSQL.")
    meeting = _open_meeting(world)
    code = services.signin_code(meeting)
    barrier = threading.Barrier(2)
    outcomes = []

    def phone():
        try:
            barrier.wait()
            outcomes.append(services.sign_in(world.member, meeting, code)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=phone) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == [False, True]
    assert SignIn.objects.filter(meeting=meeting, person=world.member_person).count() == 1
    assert Attendance.objects.get(meeting=meeting, person=world.member_person).status == Attendance.Status.PRESENT
    assert AuditEntry.objects.filter(verb="signed in").count() == 1


@pytest.mark.django_db(transaction=True)
def test_sign_ins_of_two_meetings_of_one_centre_do_not_wait_for_each_other(world):
    """Each meeting's sign-ins append to the meeting's own audit chain, whose lock is held to the commit:
    while one sign-in's transaction is open, a sign-in at another meeting of the centre goes through at
    once, and the next one at the same meeting waits for it (its row links to the first)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time; the locks are PostgreSQL's.")
    first, second = _open_meeting(world), _open_meeting(world)

    def sign_in(meeting):
        assert services.sign_in(world.member, meeting.pk, services.signin_code(meeting))[1] is True

    # The holder's sign-in runs in a wider transaction: its COMMIT waits for that transaction's end.
    assert_only_same_chain_waits(lambda: services.sign_in(world.secretary, first.pk, services.signin_code(first)),
                                 sign_in, others=[second], same=first)
    entries = list(AuditEntry.objects.filter(verb="signed in").order_by("id"))
    assert {e.chain_key for e in entries} == {services.signin_chain(first.pk), services.signin_chain(second.pk)}
    held, later = (e for e in entries if e.chain_key == services.signin_chain(first.pk))
    assert later.prev_hash == held.hash and held.object_repr.startswith(world.secretary_person.name)
    assert audit.verify()[1] is None
