"""The office's rows at city scale: its centres as one condition (models.scope_q: no OR that keeps
PostgreSQL from driving a query by the centre), the same rows as before for the owner, a member and the
outsider, and the member's own rows kept when they lie outside the office's centres. The records pages'
shared filters (?person=, ?centre=), and the waiting leave counted for those who decide it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.world import grant
from vanguard.core.roles import Role
from vanguard.core.scoping import scope_for
from vanguard.life import services
from vanguard.life.models import Activity, ActivityParticipant, Attendance, Meeting, MeetingKind, SignIn
from vanguard.life.todo import todo_items

from .conftest import at, held_meeting, past_day

pytestmark = pytest.mark.django_db

MODELS = (Meeting, Attendance, SignIn, Activity, ActivityParticipant)


def _other_centre_meeting(world):
    """A held meeting in the other centre, its member's attendance recorded."""
    meeting = services.plan_meeting(world.admin, world.other_person.branch, kind=MeetingKind.LESSON,
                                    topic="别区党课", starts_at=at(past_day(4)))
    services.record_attendance(world.admin, meeting, {world.other_person.pk: "present"})
    return services.record_held(world.admin, meeting, minutes="记录")


def _count(page):
    return int(re.search(r"(\d+)条记录", page).group(1))


def test_office_rows_are_one_condition_by_centre(world):
    """The office's visible_to is `centre IN (...)` alone: no subtree and no OR (PostgreSQL then counts a
    city centre's year of records through the centre's index, not every centre's meetings)."""
    for model in MODELS:
        sql = str(model.objects.visible_to(world.office).query)
        assert " OR " not in sql, model
        assert "org_organization" not in sql.split("WHERE", 1)[1], model


def test_office_with_own_rows_in_its_centre_asks_once(world, django_assert_num_queries):
    """An office that is also a member of its centre: one condition still, once the request has asked
    (one query, then kept) that none of its own rows lies outside its centres."""
    meeting = held_meeting(world, marks=dict.fromkeys(world.branch1_members, "present"))
    office = grant(world.member, Role.OFFICE, organization=world.root)
    scope_for(office)  # the grants, read once a request whatever the page
    with django_assert_num_queries(1):
        sql = str(Attendance.objects.visible_to(office).query)
    with django_assert_num_queries(0):
        assert str(Attendance.objects.visible_to(office).query) == sql
        str(Meeting.objects.visible_to(office).query)
    assert " OR " not in sql
    rows = Attendance.objects.visible_to(office).filter(meeting=meeting)
    assert set(rows.values_list("person_id", flat=True)) == {p.pk for p in world.branch1_members}


def test_office_of_another_centre_keeps_its_own_rows_here(world):
    """The member of this centre who is the other centre's office: the other centre's rows and their own
    rows here (the OR kept: some of their own rows lie outside the office's centre), none of the others'."""
    held_meeting(world, marks=dict.fromkeys(world.branch1_members, "present"))
    theirs = _other_centre_meeting(world)
    user = grant(world.member, Role.OFFICE, organization=world.other_person.branch.parent)
    rows = Attendance.objects.visible_to(user)
    assert set(rows.values_list("person_id", flat=True)) == {world.member_person.pk, world.other_person.pk}
    meetings = set(Meeting.objects.visible_to(user).values_list("pk", flat=True))
    assert theirs.pk in meetings and len(meetings) == 2


@pytest.mark.parametrize("who, rows", [("office", 3), ("secretary", 3), ("member", 1), ("outsider", 1)])
def test_attendance_records_by_role(world, login, who, rows):
    """Branch 1's three members at a meeting here, the other centre's one member at a meeting there."""
    held_meeting(world, marks=dict.fromkeys(world.branch1_members, "present"))
    _other_centre_meeting(world)
    page = login(getattr(world, who)).get(reverse("life:attendance-rows") + f"?from={past_day(30)}").content.decode()
    assert _count(page) == rows
    assert (world.other_person.name in page) is (who == "outsider")
    assert (world.secretary_person.name in page) is (who in ("office", "secretary"))


def test_records_pages_filter_by_person_and_centre(world, login):
    sec, mem, other = world.branch1_members
    held_meeting(world, marks={sec: "present", mem: "present", other: "absent"})
    kind = services.activity_kinds(world.centre).get(code="cleanup")
    services.record_activity(world.secretary, kind=kind, date=past_day(2), hours=2, description="大扫除",
                             people=[sec, mem], organization=world.branch1)
    client = login(world.office)
    span = f"from={past_day(30)}"
    for name, everyone in (("life:attendance-rows", 3), ("life:activity-rows", 2)):
        url = reverse(name) + f"?{span}"
        assert _count(client.get(url).content.decode()) == everyone
        page = client.get(url + f"&person={mem.pk}").content.decode()
        assert _count(page) == 1 and mem.name in page and sec.name not in page
        assert _count(client.get(url + f"&centre={world.centre.pk}").content.decode()) == everyone
        assert _count(client.get(url + f"&centre={world.other_centre.pk}").content.decode()) == 0


def test_waiting_leave_counts_for_those_who_decide(world):
    meeting = services.plan_meeting(world.secretary, world.branch1, kind=MeetingKind.LESSON, topic="党课",
                                    starts_at=timezone.now() + datetime.timedelta(days=3))
    services.request_leave(world.member, meeting, "出差")
    for user, waiting in ((world.office, True), (world.secretary, True), (world.outsider, False)):
        with override("en"):
            texts = [str(item.text) for item in todo_items(user)]
        assert ("1 leave request waiting for approval" in texts) is waiting, texts
