"""The home page says what to do now, per role: each app's `todo_items(user)`
(core/todo.py), one click from where it is done, and a few key figures; its
query count per role is fixed, whatever the amount of data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.assessment.conftest import MONTH, fill, make_scheme
from tests.messaging.files import pdf_upload
from tests.posts.conftest import make_post
from tests.ratings.conftest import import_one, rate
from vanguard.assessment import services as assessment
from vanguard.core import todo
from vanguard.messaging import services_docs as docs
from vanguard.posts import services as post_services
from vanguard.ratings.models import RectificationCase

URL = reverse("home")
ROLES = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member", "outsider"]


def items_of(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response.context["items"]


def test_every_room_with_a_todo_module_is_asked():
    names = {module.__name__ for module in todo.providers()}
    assert {"vanguard.assessment.todo", "vanguard.ratings.todo", "vanguard.surveys.todo",
            "vanguard.messaging.todo", "vanguard.posts.todo"} <= names


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


@pytest.fixture
def busy(world):
    """A month being scored, an appeal-free centre with an overdue and a due case,
    a circulated document."""
    make_scheme(world)
    period = assessment.open_period(world.office, world.centre, MONTH)
    post_services.disclose_post(world.office, make_post(world))
    overdue = rate(import_one(world), 1).case
    due = rate(import_one(world), 1).case
    today = timezone.localdate()
    RectificationCase.objects.filter(pk=overdue.pk).update(verify_due=today - datetime.timedelta(days=3))
    RectificationCase.objects.filter(pk=due.pk).update(verify_due=today + datetime.timedelta(days=1))
    circular = docs.circulate(world.office, docs.upload_circular(
        world.office, world.centre, title="关于深入学习党章的通知", issuer="区委组织部", number="区组通〔2026〕12号",
        file=pdf_upload()), [world.branch1])
    return {"period": period, "overdue": overdue, "due": due, "circular": circular}


@pytest.mark.django_db
class TestWhatToDo:
    def test_a_scorer_sees_the_cells_left_and_their_due_date(self, world, busy, login):
        period = busy["period"]
        period.scoring_due = timezone.localdate() + datetime.timedelta(days=5)
        period.save(update_fields=["scoring_due"])
        items = items_of(login(world.scorer))
        scoring = [i for i in items if reverse("assessment:grid", args=[period.pk]) in i.url]
        assert len(scoring) == 1 and scoring[0].url.endswith("?part=work")
        needed = period.scheme.indicators.filter(part="work", auto_source="").count()
        assert scoring[0].count > 0 and scoring[0].count % needed == 0
        assert scoring[0].due == period.scoring_due and not scoring[0].overdue
        # The grid is one click away and opens.
        assert login(world.scorer).get(scoring[0].url).status_code == 200

    def test_scoring_everyone_clears_the_item(self, world, busy, login):
        period = busy["period"]
        people = list(world.branch1_members) + list(world.branch2_members)
        fill(world, period, people, part="party", actor=world.office)
        items = items_of(login(world.secretary))
        assert not [i for i in items if "grid" in i.url]

    def test_the_handler_sees_cases_due_and_overdue(self, world, busy, login):
        items = items_of(login(world.handler))
        overdue = [i for i in items if i.overdue]
        assert [i.count for i in overdue] == [1]
        assert any(i.count == 1 and i.due == busy["due"].verify_due for i in items)
        # One click: the case list filtered to what is due shows exactly those cases.
        page = login(world.handler).get(overdue[0].url)
        assert {c.pk for c in page.context["page"].object_list} == {busy["overdue"].pk, busy["due"].pk}

    def test_overdue_comes_first_on_the_page(self, world, busy, login):
        items = items_of(login(world.office))
        assert items[0].overdue
        page = login(world.office).get(URL).content.decode()
        assert 'id="todo"' in page and "已超期" in page

    def test_a_member_sees_a_document_to_sign_until_signing_it(self, world, busy, login):
        client = login(world.member)
        items = items_of(client)
        assert [i.url for i in items] == [reverse("messaging:circular-detail", args=[busy["circular"].pk])]
        assert "签阅" in items[0].text
        docs.sign_circular(world.member, busy["circular"])
        assert items_of(client) == []
        assert "目前没有等您办理的事项" in client.get(URL).content.decode()

    def test_the_office_decides_appeals_and_reads_key_figures(self, world, login):
        make_scheme(world)
        period = assessment.open_period(world.office, world.centre, MONTH)
        fill(world, period, list(world.branch1_members) + list(world.branch2_members))
        period = assessment.publish_period(world.office, period)
        assessment.submit_appeal(world.member, period, "P01 扣分有误")
        client = login(world.office)
        items = items_of(client)
        appeals = [i for i in items if i.url == reverse("assessment:appeals")]
        assert [i.count for i in appeals] == [1]
        figures = client.get(URL).context["figures"]
        assert any(f.url == reverse("assessment:results", args=[period.pk]) for f in figures)

    def test_the_outsider_sees_nothing_of_another_centre(self, world, busy, login):
        assert items_of(login(world.outsider)) == []

    def test_a_liaison_reads_cases_but_has_nothing_to_do(self, world, busy, login):
        assert items_of(login(world.liaison)) == []


# The query count of the home page per role: fixed, and the same with more data.
# (Each includes the header's one COUNT of unread notices, notices/context_processors.py.)
# Each room's to-do and key figures add a fixed number, whatever the data (the second half of the
# test): life 1 (leave and activities awaiting approval; for a secretary also the branches, the
# centre's cadence and, in a period's last week, the meetings held), cases 1-2 (the queue's counts
# by status; the office's key figure), pledges 1-4 (review queue, progress to confirm, comments to
# moderate, the key figure from the pre-aggregated PledgeStat), honours 1 (selections to act on).
HOME_QUERIES = {"admin": 27, "office": 30, "secretary": 23, "scorer": 13, "liaison": 10, "handler": 11,
                "member": 12, "outsider": 26}


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_home_query_count_per_role(world, busy, login, who):
    client = login(getattr(world, who))
    client.get(URL)  # session, scope and catalogues warmed
    first = _count(client)
    assert first <= HOME_QUERIES[who], f"{who}: {first} queries"
    # More of everything: not one query more.
    for _ in range(3):
        rate(import_one(world), 1)
        docs.circulate(world.office, docs.upload_circular(
            world.office, world.centre, title="又一份通知", issuer="区委组织部", number=f"区组通〔2026〕{_ + 20}号",
            file=pdf_upload()), [world.branch1, world.branch2])
    assert _count(client) == first
