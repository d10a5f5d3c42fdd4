"""Every lookup of the life pages starts from visible_to: the owner (office), a member of the scope
(secretary, member) and the outsider (the office of another centre) for each one."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.life import services
from vanguard.life.models import MeetingFile

from .conftest import past_day


def _rows(client, name, query):
    return client.get(reverse(name) + "?" + query).content.decode()


@pytest.mark.parametrize("who, sees", [("office", True), ("secretary", True), ("outsider", False)])
def test_organization_filter_resolves_only_visible_organisations(world, login, meeting, who, sees):
    """?organization= names an organisation through visible_to: the outsider's filter by this centre's
    branch matches nothing (not every row under a path it could not see)."""
    client = login(getattr(world, who))
    query = f"from={past_day(30)}&organization={world.branch1.pk}"
    assert ("李党员" in _rows(client, "life:attendance-rows", query)) is sees
    page = client.get(reverse("life:meetings") + f"?organization={world.branch1.pk}").content.decode()
    assert ("学习二十大精神" in page) is sees


def test_member_filter_by_organisation_sees_only_own_rows(world, login, meeting):
    services.record_attendance(world.secretary, meeting, {p.pk: "present" for p in world.branch1_members})
    page = _rows(login(world.member), "life:attendance-rows", f"from={past_day(30)}&organization={world.branch1.pk}")
    assert world.member_person.name in page
    assert not any(p.name in page for p in world.branch1_members if p.pk != world.member_person.pk)


@pytest.mark.parametrize("who, own", [("member", True), ("secretary", True), ("outsider", False)])
def test_home_lists_only_own_attendance(world, login, meeting, who, own):
    page = login(getattr(world, who)).get(reverse("life:home")).content.decode()
    assert ("学习二十大精神" in page) is own


def test_meeting_detail_rows_and_files(world, login, meeting):
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
           b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    item = services.add_meeting_file(world.secretary, meeting, SimpleUploadedFile("照片.png", png),
                                     MeetingFile.Kind.PHOTO)
    url = reverse("life:meeting-file", args=[meeting.pk, item.pk])
    assert login(world.office).get(url).status_code == 200
    assert login(world.member).get(url).status_code == 200
    assert login(world.outsider).get(url).status_code == 404
    office_page = login(world.office).get(reverse("life:meeting-detail", args=[meeting.pk])).content.decode()
    member_page = login(world.member).get(reverse("life:meeting-detail", args=[meeting.pk])).content.decode()
    assert "照片.png" in office_page and "照片.png" in member_page
    others = [p.name for p in world.branch1_members if p.pk != world.member_person.pk]
    assert all(name in office_page for name in others)  # the secretary's and office's list of everyone
    assert not any(name in member_page for name in others)


@pytest.mark.parametrize("who, status", [("member", 200), ("secretary", 200), ("office", 403), ("outsider", 403)])
def test_own_activity_form_needs_own_person(world, login, who, status):
    assert login(getattr(world, who)).get(reverse("life:activity-create")).status_code == status


def test_group_activity_shows_a_member_only_their_part(world, login):
    kind = services.activity_kinds(world.centre).get(code="cleanup")
    activity = services.record_activity(world.secretary, kind=kind, date=past_day(2), hours=2, description="大扫除",
                                        people=world.branch1_members, organization=world.branch1)
    url = reverse("life:activity-detail", args=[activity.pk])
    names = [p.name for p in world.branch1_members]
    secretary_page = login(world.secretary).get(url).content.decode()
    assert all(name in secretary_page for name in names)
    member_page = login(world.member).get(url).content.decode()
    assert world.member_person.name in member_page
    assert not any(name in member_page for name in names if name != world.member_person.name)
    assert login(world.outsider).get(url).status_code == 404


@pytest.mark.parametrize("name", ["life:figures", "life:overdue", "life:board"])
def test_office_pages_list_only_visible_centres(world, login, name):
    """The outsider asking for this centre by ?centre= gets their own centre's page, never this one."""
    page = login(world.outsider).get(reverse(name) + f"?centre={world.centre.pk}").content.decode()
    assert world.other_centre.name in page and world.centre.name not in page
    page = login(world.office).get(reverse(name) + f"?centre={world.centre.pk}").content.decode()
    assert world.centre.name in page


def test_figures_kinds_are_the_centre_s(world, login):
    services.set_activity_kind(world.outsider, world.other_centre, code="riverwatch", name="河长巡河")
    assert "河长巡河" not in login(world.office).get(reverse("life:figures")).content.decode()
    assert "河长巡河" in login(world.outsider).get(reverse("life:figures")).content.decode()
