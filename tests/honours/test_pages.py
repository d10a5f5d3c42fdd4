"""Pages and API of honours: access for the owner (office), members of the scope
(secretary, liaison nominating; member) and the outsider; the public pages (roll,
floor board, notice with objections, vote) with bounded queries and no personal data."""

import datetime

import pytest

from vanguard.honours import services
from vanguard.honours.models import HonourKind, Nomination, Objection, Selection

from .conftest import NOTICE_START, open_members_selection

pytestmark = pytest.mark.django_db


def _awarded(world, honour=HonourKind.MEMBER, candidate=None, **extra):
    selection = open_members_selection(world, honour=honour, title=f"2026年度{honour}", **extra)
    nomination = services.nominate(world.office, selection, candidate=candidate or world.member_person, reasons="好")
    services.review_nomination(world.office, nomination, approve=True)
    services.start_notice(world.office, selection, start=NOTICE_START)
    return services.award_selection(world.office, selection, today=datetime.date(2026, 10, 12))


def test_staff_home_access(login, world, selection):
    for user, status in ((world.office, 200), (world.secretary, 200), (world.liaison, 200), (world.member, 403),
                         (world.outsider, 200)):
        response = login(user).get("/honours/")
        assert response.status_code == status, user
        if user in (world.office, world.secretary):
            assert selection.title in response.content.decode()
        if user is world.outsider:
            assert selection.title not in response.content.decode()


def test_selection_page_access(login, world, selection):
    url = f"/honours/selections/{selection.pk}/"
    assert login(world.office).get(url).status_code == 200
    assert login(world.secretary).get(url).status_code == 200
    assert login(world.member).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404


def test_nominate_and_review_through_the_pages(login, world, selection):
    client = login(world.secretary)
    response = client.post(f"/honours/selections/{selection.pk}/nominate/",
                           {"candidate": world.member_person.pk, "reasons": "服务好"})
    assert response.status_code == 302
    nomination = Nomination.objects.get(selection=selection)
    # The secretary may not review: 403 before any message.
    assert client.post(f"/honours/nominations/{nomination.pk}/", {"action": "approve"}).status_code == 403
    assert login(world.outsider).post(f"/honours/nominations/{nomination.pk}/",
                                      {"action": "approve"}).status_code == 404
    office = login(world.office)
    assert office.post(f"/honours/nominations/{nomination.pk}/", {"action": "approve"}).status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).state == Nomination.State.APPROVED
    office.post(f"/honours/selections/{selection.pk}/action/", {"action": "notice", "start": "2026-09-29"})
    assert Selection.objects.get(pk=selection.pk).notice_ends == datetime.date(2026, 10, 10)


def test_public_notice_takes_objections(client, world, selection, settings, monkeypatch):
    nomination = services.nominate(world.office, selection, candidate=world.member_person, reasons="服务好")
    services.review_nomination(world.office, nomination, approve=True)
    today = datetime.date.today()
    services.start_notice(world.office, selection, start=today)
    page = client.get(selection.public_path)
    html = page.content.decode()
    assert page.status_code == 200 and "李党员" in html and "13800000002" not in html
    bad = client.post(selection.public_path, {"content": "  ", "nomination": nomination.pk})
    assert bad.status_code == 400 and "请填写异议内容" in bad.content.decode()
    assert not Objection.objects.exists()
    fine = Selection.objects.get(pk=selection.pk)
    if fine.notice_starts <= today:  # on a holiday the notice starts on the next working day
        ok = client.post(selection.public_path, {"content": "有群众反映其服务态度差", "nomination": nomination.pk})
        assert ok.status_code == 200 and Objection.objects.count() == 1


def test_public_vote_page(client, world):
    selection = open_members_selection(world, public_vote=True)
    nomination = services.nominate(world.office, selection, candidate=world.member_person, reasons="好")
    code = services.issue_vote_codes(world.office, selection, count=1)[0]
    assert client.get(f"/h/v/{code.code}/").status_code == 200
    assert client.post(f"/h/v/{code.code}/", {"nomination": [nomination.pk]}).status_code == 200
    again = client.post(f"/h/v/{code.code}/", {"nomination": [nomination.pk]})
    assert "该投票码已使用" in again.content.decode()
    assert client.get("/h/v/NOSUCHCODE/").status_code == 404
    assert Nomination.objects.get(pk=nomination.pk).votes == 1


def test_roll_and_floor_board_bounded_queries(client, world, django_assert_max_num_queries):
    _awarded(world)
    _awarded(world, honour=HonourKind.PARTY_WORKER, candidate=world.secretary_person)
    with django_assert_max_num_queries(6):
        roll = client.get(f"/h/{world.centre.code}/?year=2026")
    html = roll.content.decode()
    assert roll.status_code == 200 and "李党员" in html and "王书记" in html and "13800000002" not in html
    with django_assert_max_num_queries(4):
        board = client.get(f"/h/floor/{world.floor1.pk}/?year=2026")
    assert board.status_code == 200 and "李党员" in board.content.decode()
    other = client.get(f"/h/floor/{world.floor2.pk}/?year=2026").content.decode()
    assert "李党员" not in other
    assert client.get(f"/h/{world.centre.code}/?year=2026&format=pdf").content.startswith(b"%PDF")
    assert client.get("/h/floor/999999/").status_code == 404
    assert client.get(f"/h/{world.centre.code}/?year=abc").status_code == 200


def test_certificate_access(login, world):
    selection = _awarded(world)
    honour = selection.honours.get()
    url = f"/honours/certificates/{honour.pk}.pdf"
    assert login(world.office).get(url).content.startswith(b"%PDF")
    assert login(world.member).get(url).status_code == 200  # honours are public in the centre
    assert login(world.outsider).get(url).status_code == 404


def test_medal_pages_access(login, world):
    scheme = services.create_medal_scheme(world.office, world.centre, name="流动红旗", count=3)
    url = f"/honours/medals/{scheme.pk}/"
    assert login(world.office).get(url).status_code == 200
    assert login(world.member).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
    response = login(world.office).post(url, {"action": "award", "medal": scheme.medals.first().pk,
                                              "holder": world.window1.pk, "reason": "表现突出"})
    assert response.status_code == 302 and scheme.holdings.count() == 1


def test_api_selections(api, world, selection):
    assert api(world.office).get("/api/v1/honours/selections/").json()["count"] == 1
    assert api(world.outsider).get("/api/v1/honours/selections/").json()["count"] == 0
    assert api(world.outsider).get(f"/api/v1/honours/selections/{selection.pk}/").status_code == 404
    assert api(world.member).post(f"/api/v1/honours/selections/{selection.pk}/nominate/",
                                  {"candidate": world.member_person.pk, "reasons": "x"}).status_code == 404
    created = api(world.secretary).post(f"/api/v1/honours/selections/{selection.pk}/nominate/",
                                        {"candidate": world.member_person.pk, "reasons": "服务好"}, format="json")
    assert created.status_code == 201, created.content
    nomination = created.json()["id"]
    assert api(world.secretary).post(f"/api/v1/honours/nominations/{nomination}/review/",
                                     {"approve": True}, format="json").status_code == 403
    reviewed = api(world.office).post(f"/api/v1/honours/nominations/{nomination}/review/", {"approve": True},
                                      format="json")
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "approved"
    early = api(world.office).post(f"/api/v1/honours/selections/{selection.pk}/award/")
    assert early.status_code == 400
    opened = api(world.office).post("/api/v1/honours/selections/", {
        "title": "百佳窗口", "year": 2026, "honour": "model_window", "nominate_until": "2026-12-20"}, format="json")
    assert opened.status_code == 201 and opened.json()["quota"] == 100
    assert api(world.secretary).post("/api/v1/honours/selections/", {
        "title": "x", "year": 2026, "honour": "model_window", "nominate_until": "2026-12-20"},
        format="json").status_code == 403


def test_api_honours_and_medals(api, world):
    _awarded(world)
    scheme = services.create_medal_scheme(world.office, world.centre, name="流动红旗", count=2)
    services.award_medal(world.office, scheme.medals.first(), holder=world.window1, reason="表现突出")
    data = api(world.member).get("/api/v1/honours/honours/?year=2026").json()
    assert [h["name"] for h in data["results"]] == ["李党员"]
    assert api(world.outsider).get("/api/v1/honours/honours/").json()["count"] == 0
    history = api(world.office).get(f"/api/v1/honours/medals/{scheme.pk}/history/").json()
    assert history["results"][0]["reason"] == "表现突出"
    assert api(world.outsider).get(f"/api/v1/honours/medals/{scheme.pk}/history/").status_code == 404


def test_exemplar_columns_tell_teams_from_people(login, world, client):
    from vanguard.messaging import services as messaging

    column = messaging.create_column(world.office, world.centre, name="抗疫先锋", description="先进事迹")
    from django.utils import timezone

    send_at = timezone.now() + datetime.timedelta(days=1)
    team_story = messaging.create_lesson(world.office, world.centre, title="突击队", column=column,
                                         sms_text="综合窗口党员突击队坚守大厅。", send_at=send_at)
    person_story = messaging.create_lesson(world.office, world.centre, title="最美大白", column=column,
                                           sms_text="李党员下沉社区45天。", send_at=send_at)
    office = login(world.office)
    office.post("/honours/exemplars/", {"action": "team", "name": "综合窗口党员突击队",
                                        "team-candidate": [world.member_person.pk, world.secretary_person.pk]})
    from vanguard.honours.models import StoryLink, Team

    team = Team.objects.get(name="综合窗口党员突击队")
    assert set(team.members.values_list("pk", flat=True)) == {world.member_person.pk, world.secretary_person.pk}
    office.post("/honours/exemplars/", {"action": "link", "lesson": team_story.pk, "team": team.pk})
    office.post("/honours/exemplars/", {"action": "link", "lesson": person_story.pk,
                                        f"c{column.pk}-candidate": world.member_person.pk})
    assert StoryLink.objects.filter(team=team).count() == 1 and StoryLink.objects.filter(person__isnull=False).count() == 1
    html = office.get("/honours/exemplars/").content.decode()
    assert "1个团队、1名个人" in html
    # Shown on their pages: the team's public page and the person's honours page.
    assert "突击队" in client.get(f"/h/team/{team.pk}/").content.decode()
    assert "最美大白" in office.get(f"/honours/people/{world.member_person.pk}/").content.decode()
    # A secretary may read but not link; the outsider links nothing of this centre.
    assert login(world.secretary).post("/honours/exemplars/", {"action": "link", "lesson": team_story.pk,
                                                               "team": team.pk}).status_code == 403
    assert login(world.outsider).post("/honours/exemplars/", {"action": "link", "lesson": team_story.pk,
                                                              "team": team.pk}).status_code == 404
    assert login(world.member).get("/honours/exemplars/").status_code == 403


def test_brand_page_by_the_unit(login, world):
    from vanguard.honours.models import ServiceBrand

    liaison = login(world.liaison)
    assert liaison.get("/honours/brands/").status_code == 200
    liaison.post("/honours/brands/", {"unit": world.home_unit.pk, "name": "一窗通办", "description": "一次办结"})
    liaison.post("/honours/brands/", {"unit": world.home_unit2.pk, "name": "越权品牌", "description": "别的单位"})
    assert list(ServiceBrand.objects.values_list("name", flat=True)) == ["一窗通办"]
    assert login(world.member).get("/honours/brands/").status_code == 403


def test_no_honours_page_links_a_role_to_a_refusal(login, world, selection):
    """The tabs and links of the honours pages open for whoever sees them: a secretary's and a
    liaison's home used to link to the rotating medals, the office's page, which answered 403."""
    import re

    tabs = ("/honours/", "/honours/archive/", "/honours/exemplars/", "/honours/brands/")
    for user in (world.office, world.secretary, world.liaison, world.outsider):
        client = login(user)
        links = set()
        for tab in tabs:
            response = client.get(tab)
            assert response.status_code == 200, (user, tab)
            links |= set(re.findall(r'href="(/honours/[^"?#]*)"', response.content.decode()))
        assert ("/honours/medals/" in links) == (user in (world.office, world.outsider)), user
        for link in sorted(links):
            assert client.get(link).status_code == 200, (user, link)
    assert 'href="/honours/medals/"' in login(world.office).get("/honours/medals/").content.decode()


def test_archive_shows_a_page_of_honours_and_keeps_the_year(login, world, django_assert_max_num_queries):
    """A city's administrator reads thousands of a year's honours: a page of 100, the next page of the same year,
    in as many queries whatever the number."""
    from vanguard.honours.models import Honour

    def honours(start, count):
        Honour.objects.bulk_create([
            Honour(centre=world.centre, kind=HonourKind.MEMBER, title="2025年度优秀共产党员", year=2025,
                   candidate_kind="person", name=f"党员{i:03d}", certificate_number=f"HR-2025-T-{i:03d}",
                   awarded_on=datetime.date(2025, 12, 20)) for i in range(start, start + count)])

    honours(0, 5)
    client = login(world.office)
    client.get("/honours/archive/?year=2025")
    with django_assert_max_num_queries(30) as captured:
        client.get("/honours/archive/?year=2025")
    few = len(captured.captured_queries)
    honours(5, 100)
    with django_assert_max_num_queries(few):
        first = client.get("/honours/archive/?year=2025").content.decode()
    assert "党员000" in first and "党员099" in first and "党员100" not in first
    assert "?year=2025&amp;page=2" in first
    second = client.get("/honours/archive/?year=2025&page=2").content.decode()
    assert "党员104" in second and "党员000" not in second


def test_home_shows_a_page_of_selections(login, world):
    """A city's administrator sees 50 centres' selections: a page of 50, newest first, and the next page."""
    Selection.objects.bulk_create([
        Selection(centre=world.centre, title=f"评选{i:02d}", year=2026, honour=HonourKind.MEMBER,
                  candidate_kind="person", quota=1, max_nominations=2, nominate_until=datetime.date(2026, 11, 1))
        for i in range(55)])
    client = login(world.office)
    first = client.get("/honours/").content.decode()
    assert "评选54" in first and "评选05" in first and "评选04" not in first
    assert "?page=2" in first
    second = client.get("/honours/?page=2").content.decode()
    assert "评选04" in second and "评选00" in second and "评选54" not in second
