"""Progress (践诺) cites a meeting the member attended or a service activity the member took part
in, chosen among the member's own records of the pledge's year; the wall shows the record's
kind, date and topic, never the names in it. Service, page, API; owner, secretary, outsider."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.life.conftest import held_meeting
from vanguard.life import services as life
from vanguard.life.models import MeetingKind
from vanguard.pledges import services
from vanguard.pledges.models import Progress

from .conftest import make


def _day():
    # A day of this year before today (the pledge's year), at least a day back.
    today = timezone.localdate()
    return max(datetime.date(today.year, 1, 2), today - datetime.timedelta(days=5))


@pytest.fixture
def approved(world):
    return services.review_pledge(world.secretary, make(world), approve=True)


@pytest.fixture
def records(world):
    """A meeting the member attended, one the member missed, the member's activity, another's."""
    attended = held_meeting(world, day=_day(), marks={world.member_person: "present",
                                                      world.secretary_person: "present"})
    missed = held_meeting(world, kind=MeetingKind.LESSON, day=_day(), marks={world.member_person: "absent"})
    kinds = {k.code: k for k in life.activity_kinds(world.centre)}
    mine = life.record_activity(world.secretary, kind=kinds["cleanup"], date=_day(), hours=2,
                                description="楼道清扫，联系人王五13912345678", people=[world.member_person],
                                organization=world.branch1)
    theirs = life.record_activity(world.secretary, kind=kinds["cleanup"], date=_day(), hours=2,
                                  description="大扫除", people=[world.secretary_person], organization=world.branch1)
    return {"attended": attended, "missed": missed, "mine": mine, "theirs": theirs}


def test_progress_cites_only_the_members_own_records(world, approved, records):
    for bad in ({"meeting": records["missed"].pk}, {"activity": records["theirs"].pk}, {"meeting": "abc"},
                {"meeting": records["attended"].pk, "activity": records["mine"].pk}):
        with pytest.raises(ValidationError):
            services.record_progress(world.member, approved, text="参加学习", **bad)
    assert not Progress.objects.exists()  # nothing half-applied
    item = services.record_progress(world.member, approved, text="参加主题党日", meeting=records["attended"].pk)
    assert item.meeting_id == records["attended"].pk and item.activity_id is None
    item = services.record_progress(world.member, approved, text="参加大扫除", activity=records["mine"])
    assert item.activity_id == records["mine"].pk


def test_the_page_chooser_and_the_public_summary(login, world, approved, records, client):
    url = f"/pledges/{approved.pk}/"
    page = login(world.member).get(url).content.decode()
    assert f'value="m{records["attended"].pk}"' in page and f'value="a{records["mine"].pk}"' in page
    assert f'value="m{records["missed"].pk}"' not in page and f'value="a{records["theirs"].pk}"' not in page
    member = login(world.member)
    response = member.post(f"/pledges/{approved.pk}/progress/", {"text": "x", "life_record": f"a{records['theirs'].pk}"})
    assert response.status_code == 400 and not Progress.objects.exists()
    response = member.post(f"/pledges/{approved.pk}/progress/", {"text": "参加大扫除，清理楼道",
                                                                  "life_record": f"a{records['mine'].pk}"})
    assert response.status_code == 302
    item = Progress.objects.get()
    assert item.activity_id == records["mine"].pk
    staff = login(world.secretary).get(url).content.decode()
    assert f"/life/activities/{records['mine'].pk}/" in staff
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.outsider).post(f"/pledges/{approved.pk}/progress/", {"text": "x"}).status_code == 404
    # Confirmed, it shows on the public wall's page with the activity's kind and date, not its words.
    services.confirm_progress(world.secretary, item)
    client.logout()
    public = client.get(f"/w/{approved.branch_id}/{approved.pk}/").content.decode()
    assert "参加大扫除" in public and records["mine"].kind.name in public
    assert "王五" not in public and "13912345678" not in public and "楼道清扫" not in public


def test_the_api_lists_and_cites_the_members_records(world, approved, records):
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    listed = api(world.member).get(f"/api/v1/pledges/{approved.pk}/life-records/")
    assert listed.status_code == 200
    assert {(r["kind"], r["id"]) for r in listed.json()} == {("meeting", records["attended"].pk),
                                                           ("activity", records["mine"].pk)}
    for user in (world.secretary, world.office):  # those who may record progress for the member
        assert api(user).get(f"/api/v1/pledges/{approved.pk}/life-records/").status_code == 200
    assert api(world.liaison).get(f"/api/v1/pledges/{approved.pk}/life-records/").status_code == 403
    assert api(world.outsider).get(f"/api/v1/pledges/{approved.pk}/life-records/").status_code == 404
    bad = api(world.member).post(f"/api/v1/pledges/{approved.pk}/progress/",
                                 {"text": "学习", "meeting": records["missed"].pk}, format="json")
    assert bad.status_code == 400 and "meeting" in bad.json()
    made = api(world.member).post(f"/api/v1/pledges/{approved.pk}/progress/",
                                  {"text": "学习", "meeting": records["attended"].pk}, format="json")
    assert made.status_code == 201 and made.json()["meeting"] == records["attended"].pk
