"""Pledge pages for members, secretaries and the office; the public wall; the signboard section;
access by owner, member and outsider; query counts bounded."""

import pytest
from django.urls import reverse

from vanguard.pledges import services
from vanguard.pledges.models import Comment, Pledge, Result
from vanguard.posts import services as post_services

from .conftest import deadline, make, this_year


def test_member_makes_a_pledge_on_the_page(login, world):
    client = login(world.member)
    assert client.get("/pledges/").status_code == 200
    assert client.get("/pledges/new/").status_code == 200
    response = client.post("/pledges/new/", {"year": this_year(), "what": "帮老人网上办事",
                                             "deadline": deadline().isoformat(), "measure": ""})
    assert response.status_code == 400
    assert "可衡量" in response.content.decode()
    assert not Pledge.objects.exists()
    response = client.post("/pledges/new/", {"year": this_year(), "what": "帮老人网上办事",
                                             "deadline": deadline().isoformat(), "measure": "20位"})
    pledge = Pledge.objects.get()
    assert response.status_code == 302 and pledge.person == world.member_person


def test_public_person_cannot_make(login, world):
    assert login(world.scorer).get("/pledges/new/").status_code == 403


@pytest.mark.parametrize("who, status", [("member", 200), ("secretary", 200), ("office", 200), ("liaison", 200),
                                         ("outsider", 404), ("scorer", 404)])
def test_detail_access(login, world, who, status):
    pledge = make(world)
    assert login(getattr(world, who)).get(f"/pledges/{pledge.pk}/").status_code == status


def test_review_is_for_the_secretary(login, world):
    pledge = make(world)
    assert login(world.member).post(f"/pledges/{pledge.pk}/review/", {"decision": "approve"}).status_code == 403
    assert login(world.outsider).post(f"/pledges/{pledge.pk}/review/", {"decision": "approve"}).status_code == 404
    response = login(world.secretary).post(f"/pledges/{pledge.pk}/review/", {"decision": "return", "reason": ""})
    assert response.status_code == 400 and "理由" in response.content.decode()
    assert login(world.secretary).post(f"/pledges/{pledge.pk}/review/", {"decision": "approve"}).status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.APPROVED


def test_progress_and_judgement_pages(login, world):
    pledge = services.review_pledge(world.secretary, make(world), approve=True)
    client = login(world.member)
    assert client.post(f"/pledges/{pledge.pk}/progress/", {"text": "帮了3位"}).status_code == 302
    assert client.post(f"/pledges/{pledge.pk}/judge/", {"stage": "year_end", "result": "kept",
                                                        "reason": "x"}).status_code == 403
    client = login(world.secretary)
    item = pledge.progress.get()
    assert client.post(f"/pledges/progress/{item.pk}/confirm/").status_code == 302
    response = client.post(f"/pledges/{pledge.pk}/judge/", {"stage": "year_end", "result": "kept", "reason": ""})
    assert response.status_code == 400
    assert client.post(f"/pledges/{pledge.pk}/judge/", {"stage": "year_end", "result": "kept",
                                                        "reason": "已兑现"}).status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).result == Result.KEPT


def test_queue_figures_and_list(login, world, django_assert_max_num_queries):
    for i in range(5):
        pledge = make(world, what=f"承诺{i}")
        if i:
            services.review_pledge(world.secretary, pledge, approve=True)
    client = login(world.secretary)
    assert client.get("/pledges/review/").status_code == 200
    assert login(world.member).get("/pledges/review/").status_code == 403
    client = login(world.office)
    with django_assert_max_num_queries(15):
        response = client.get(f"/pledges/figures/?year={this_year()}&by=unit")
    body = response.content.decode()
    assert "1名党员作出承诺，承诺事项5件，已兑现承诺0件" in body
    assert f"/pledges/list/?year={this_year()}&amp;unit={world.home_unit.pk}&amp;state=approved" in body
    with django_assert_max_num_queries(15):
        response = client.get(f"/pledges/list/?year={this_year()}&unit={world.home_unit.pk}&state=approved")
    assert response.status_code == 200 and response.content.decode().count("/pledges/") >= 4
    assert login(world.member).get("/pledges/figures/").status_code == 403


def test_figures_page_shows_a_page_of_branches_and_the_total_of_all(login, world, django_assert_max_num_queries):
    """A city's office reads 10,000 branches: the page shows 50 of them (in the roster's order), the total
    counts every one, and the next pages keep the grouping and the year."""
    from vanguard.org.models import Organization
    from vanguard.pledges.models import PledgeStat

    year = this_year()
    branches = Organization.objects.bulk_create([
        Organization(centre=world.centre, parent=world.root, name=f"城区{i:03d}党支部", kind=Organization.Kind.BRANCH)
        for i in range(105)])
    PledgeStat.objects.bulk_create([PledgeStat(year=year, centre=world.centre, branch=b, members=2, made=3, approved=3,
                                               kept=1) for b in branches])
    client = login(world.office)
    with django_assert_max_num_queries(15):
        first = client.get(f"/pledges/figures/?year={year}&by=branch").content.decode()
    assert "城区000党支部" in first and "城区049党支部" in first and "城区050党支部" not in first
    assert "210名党员作出承诺，承诺事项315件，已兑现承诺105件" in first
    assert f"?year={year}&amp;by=branch&amp;page=2" in first
    second = client.get(f"/pledges/figures/?year={year}&by=branch&page=3").content.decode()
    assert "城区104党支部" in second and "城区000党支部" not in second
    assert "210名党员作出承诺" in second


def test_review_queue_pages_each_list_and_counts_the_due(login, world, django_assert_max_num_queries):
    """A city's office has thousands to review: each list shows 25, oldest first, paged by its own
    parameter that keeps the others; as many queries whatever the number."""

    def submitted(start, count):
        Pledge.objects.bulk_create([
            Pledge(centre=world.centre, person=world.member_person, branch=world.member_person.branch,
                   unit=world.member_person.unit, year=this_year(), what=f"待审承诺{i:02d}", deadline=deadline(),
                   measure="全年不少于10件") for i in range(start, start + count)])

    submitted(0, 2)
    client = login(world.office)
    client.get("/pledges/review/")
    with django_assert_max_num_queries(40) as captured:
        client.get("/pledges/review/")
    few = len(captured.captured_queries)
    submitted(2, 28)
    with django_assert_max_num_queries(few):
        first = client.get("/pledges/review/?progress_page=1").content.decode()
    assert "待审承诺00" in first and "待审承诺24" in first and "待审承诺25" not in first
    assert "?progress_page=1&amp;submitted_page=2" in first
    second = client.get("/pledges/review/?submitted_page=2").content.decode()
    assert "待审承诺29" in second and "待审承诺00" not in second


def test_public_wall_shows_approved_only_and_no_personal_data(client, world, django_assert_max_num_queries):
    approved = services.review_pledge(world.secretary, make(world, what="公开的承诺"), approve=True)
    make(world, person=world.secretary_person, what="待审核的承诺")
    for i in range(5):
        services.review_pledge(world.secretary, make(world, person=world.branch1_members[2], what=f"承诺{i}"),
                               approve=True)
    with django_assert_max_num_queries(3):
        response = client.get(f"/w/{world.branch1.pk}/")
    with django_assert_max_num_queries(1):  # cached: the wall's version only
        assert client.get(f"/w/{world.branch1.pk}/").content.decode() == response.content.decode()
    body = response.content.decode()
    assert response.status_code == 200
    assert "公开的承诺" in body and "待审核的承诺" not in body
    assert world.member_person.mobile not in body
    services.judge_pledge(world.secretary, approved, stage=services.YEAR_END, result="kept", reason="已兑现")
    assert "已兑现" in client.get(f"/w/{world.branch1.pk}/").content.decode()  # a change shows at once
    assert client.get(f"/w/{world.branch2.pk}/").status_code == 200
    assert client.get("/w/999999/").status_code == 404
    assert client.get(f"/w/{world.branch1.pk}/{approved.pk}/").status_code == 200
    assert client.get(f"/w/{world.branch2.pk}/{approved.pk}/").status_code == 404


def test_public_comment_masked_moderated_and_rate_limited(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATE_LIMITS = {"pledge-comment": (2, 600)}
    pledge = services.review_pledge(world.secretary, make(world), approve=True)
    url = f"/w/{world.branch1.pk}/{pledge.pk}/"
    response = client.post(url, {"body": "找他办事很快 13812345678", "author_name": ""})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "13812345678" not in comment.body and comment.status == Comment.Status.PENDING
    assert "138****5678" not in client.get(url).content.decode()  # not published yet
    services.moderate_comment(world.secretary, comment, publish=True)
    assert "138****5678" in client.get(url).content.decode()
    client.post(url, {"body": "再说一句"})
    assert client.post(url, {"body": "第三句"}).status_code == 429
    cache.clear()


def test_signboard_shows_approved_pledges(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.posts.conftest import make_post

    post = post_services.disclose_post(world.office, make_post(world))
    holder = post.post_holders.first().person
    pledge = make(world, person=holder, actor=world.secretary if holder.pk != world.member_person.pk else world.member,
                  what="签牌上的承诺")
    with CaptureQueriesContext(connection) as without:
        assert "签牌上的承诺" not in client.get(f"/p/{post.code}/").content.decode()
    services.review_pledge(world.secretary, pledge, approve=True)
    services.review_pledge(world.secretary, make(world, person=holder, actor=world.secretary, what="第二项"),
                           approve=True)
    # The pledges ride on the holders' query: a signboard with them costs no query more than without.
    with CaptureQueriesContext(connection) as with_pledges:
        body = client.get(f"/p/{post.code}/").content.decode()
    assert len(with_pledges) == len(without) <= 5
    assert "签牌上的承诺" in body and str(this_year()) in body
    assert f"/w/{holder.branch_id}/" in body and "第二项" not in body


def test_breach_in_post_history(login, world):
    from tests.posts.conftest import make_post

    post = post_services.disclose_post(world.office, make_post(world))
    services.record_post_pledge_breach(world.office, post, "attitude", "case", "投诉属实：态度生硬", ref="C-1")
    assert services.record_post_pledge_breach(world.office, post, "attitude", "case", "重复", ref="C-1") is None
    body = login(world.office).get(reverse("posts:post-detail", args=[post.pk])).content.decode()
    assert "投诉属实：态度生硬" in body
    assert post.pledge_breaches.count() == 1
