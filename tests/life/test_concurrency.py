"""Two phones sign the same member in at the same moment: one sign-in is stored."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from vanguard.core.models import AuditEntry
from vanguard.life import services
from vanguard.life.models import Attendance, MeetingKind, SignIn


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
