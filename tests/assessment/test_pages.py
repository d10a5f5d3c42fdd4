"""Every page: the owner (office), members of the scope by role, the outsider, the anonymous public."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from vanguard.assessment.scheme_data import indicator_rows

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_home_for_everyone_logged_in(client, world, period):
    url = reverse("assessment:home")
    for user in (world.office, world.secretary, world.scorer, world.liaison, world.member, world.outsider):
        assert _get(client, user, url).status_code == 200
    assert _get(client, None, url).status_code == 302


def test_home_shows_the_scorers_todo(client, world, period):
    from .conftest import fill

    fill(world, period, world.branch1_members[:1], actor=world.secretary, part="party")
    page = _get(client, world.secretary, reverse("assessment:home")).content.decode()
    assert "还剩 2 人（共 3 人）" in page or "2 of 3" in page


def test_period_page(client, world, period):
    url = reverse("assessment:period", args=[period.pk])
    for user in (world.office, world.secretary, world.scorer, world.member):
        assert _get(client, user, url).status_code == 200
    assert _get(client, world.outsider, url).status_code == 404
    assert _get(client, None, url).status_code == 302


def test_grid_by_role(client, world, period):
    url = reverse("assessment:grid", args=[period.pk])
    office = _get(client, world.office, url + "?part=work")
    assert office.status_code == 200 and "李党员" in office.content.decode()
    secretary = _get(client, world.secretary, url)
    body = secretary.content.decode()
    assert secretary.status_code == 200 and "李党员" in body and "张二层" not in body  # own branch only
    assert _get(client, world.secretary, url + "?part=work").status_code == 403
    scorer = _get(client, world.scorer, url + "?part=work")
    assert scorer.status_code == 200 and "李党员" in scorer.content.decode()
    assert "张二层" not in scorer.content.decode()  # window B01 has no supervising department
    assert _get(client, world.member, url).status_code == 403
    assert _get(client, world.liaison, url).status_code == 403
    assert _get(client, world.outsider, url).status_code == 404
    assert _get(client, None, url).status_code == 302


def test_grid_queries_do_not_grow_with_people(client, world, period, django_assert_max_num_queries):
    client.force_login(world.office)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("assessment:grid", args=[period.pk]) + "?part=party").status_code == 200


def test_template_download_by_role(client, world, period):
    url = reverse("assessment:template", args=[period.pk])
    assert _get(client, world.secretary, url).status_code == 200
    assert _get(client, world.member, url).status_code == 403
    assert _get(client, world.outsider, url).status_code == 404


def test_results_scoped(client, world, published):
    url = reverse("assessment:results", args=[published.pk])
    office = _get(client, world.office, url).content.decode()
    assert "张二层" in office and "李党员" in office
    member = _get(client, world.member, url).content.decode()
    assert "李党员" in member and "张二层" not in member and "王书记" not in member
    liaison = _get(client, world.liaison, url).content.decode()
    assert "李党员" in liaison and "张二层" not in liaison
    assert _get(client, world.outsider, url).status_code == 404


def test_result_detail(client, world, published):
    from vanguard.assessment.models import Result

    own = Result.objects.get(period=published, person=world.member_person)
    other = Result.objects.get(period=published, person=world.branch2_members[0])
    page = _get(client, world.member, reverse("assessment:result", args=[own.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "星级党员" in body and "P01" in body
    assert _get(client, world.member, reverse("assessment:result", args=[other.pk])).status_code == 404
    assert _get(client, world.liaison, reverse("assessment:result", args=[own.pk])).status_code == 200
    assert _get(client, world.outsider, reverse("assessment:result", args=[own.pk])).status_code == 404
    assert _get(client, None, reverse("assessment:result", args=[own.pk])).status_code == 302


def test_my_results(client, world, published):
    page = _get(client, world.member, reverse("assessment:mine"))
    assert page.status_code == 200 and published.label in page.content.decode()
    assert _get(client, world.outsider, reverse("assessment:mine")).status_code == 200


def test_notices_by_role(client, world, published):
    docx = reverse("assessment:notice-docx", args=[published.pk, world.home_unit.pk])
    pdf = reverse("assessment:notice-pdf", args=[published.pk, world.home_unit.pk])
    other = reverse("assessment:notice-docx", args=[published.pk, world.home_unit2.pk])
    assert _get(client, world.office, docx).status_code == 200
    assert _get(client, world.liaison, docx).status_code == 200
    assert _get(client, world.liaison, pdf).status_code == 200
    assert _get(client, world.liaison, other).status_code == 403
    assert _get(client, world.member, docx).status_code == 403
    assert _get(client, world.outsider, docx).status_code == 404
    assert _get(client, None, docx).status_code == 302


def test_notice_of_unpublished_month_is_404(client, world, period):
    url = reverse("assessment:notice-docx", args=[period.pk, world.home_unit.pk])
    assert _get(client, world.office, url).status_code == 404


def test_export(client, world, published):
    url = reverse("assessment:export", args=[published.pk])
    response = _get(client, world.office, url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert _get(client, world.outsider, url).status_code == 404
    assert _get(client, None, url).status_code == 302


def test_board_is_public_and_shows_the_floor_stars(client, world, published):
    response = _get(client, None, reverse("assessment:board", args=[world.floor1.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "李党员" in body and "张二层" not in body
    month = _get(client, None, reverse("assessment:board-month", args=[world.floor2.pk, published.label]))
    assert "张二层" in month.content.decode() and "13800000004" not in month.content.decode()
    assert _get(client, None, reverse("assessment:board-month", args=[world.floor2.pk, "bad"])).status_code == 404


def test_tally(client, world, published):
    page = _get(client, world.office, reverse("assessment:tally") + f"?year={published.month.year}")
    assert page.status_code == 200 and "李党员" in page.content.decode()
    assert "李党员" not in _get(client, world.outsider, reverse("assessment:tally") +
                                f"?year={published.month.year}").content.decode()
    assert _get(client, None, reverse("assessment:tally")).status_code == 302


def test_adjustments_page(client, world, period):
    url = reverse("assessment:adjustments", args=[period.pk])
    assert _get(client, world.office, url).status_code == 200
    assert _get(client, world.secretary, url).status_code == 200
    assert _get(client, world.member, url).status_code == 200
    client.force_login(world.member)
    assert client.post(url, {"person": world.member_person.pk, "kind": "bonus", "points": "2",
                             "source": "other", "reason": "x"}).status_code == 403
    assert _get(client, world.outsider, url).status_code == 404


def test_scheme_page(client, world, scheme):
    url = reverse("assessment:scheme", args=[scheme.pk])
    page = _get(client, world.member, url)
    assert page.status_code == 200
    html = page.content.decode()
    # A member reads the whole scheme: every indicator with its description (P03's names 三会一课).
    rows = indicator_rows()
    assert len(rows) == 56 and any("三会一课" in row["description"] for row in rows)
    for row in rows:
        assert all(escape(row[key]) in html for key in ("code", "name", "description")), row["code"]
    assert _get(client, world.outsider, url).status_code == 404


def test_workflow_steps_only_for_the_office(client, world, period):
    url = reverse("assessment:period-step", args=[period.pk, "start"])
    client.force_login(world.secretary)
    assert client.post(url).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url).status_code == 404
    client.force_login(world.office)
    assert client.post(url).status_code == 302
    period.refresh_from_db()
    assert period.status == "scoring"


def test_appeals_page(client, world, published):
    url = reverse("assessment:appeals")
    for user in (world.office, world.member, world.outsider):
        assert _get(client, user, url).status_code == 200
    assert _get(client, None, url).status_code == 302


def test_publish_page_lists_the_unscored_and_needs_confirmation(client, world, period):
    from vanguard.assessment.models import Result

    from .conftest import fill

    fill(world, period, world.branch1_members)
    url = reverse("assessment:period-step", args=[period.pk, "publish"])
    assert _get(client, world.secretary, url).status_code == 403
    assert _get(client, world.outsider, url).status_code == 404
    page = _get(client, world.office, url)
    body = page.content.decode()
    assert page.status_code == 200 and "张二层" in body and "赵二层" in body and "confirm_unscored" in body
    assert "二层党支部" in body  # which branch scores the missing part
    refused = client.post(url)
    assert refused.status_code == 400 and "未考核" in refused.content.decode()
    period.refresh_from_db()
    assert period.status == "open" and not Result.objects.filter(period=period).exists()
    done = client.post(url, {"confirm_unscored": "1"}, follow=True)
    assert "已公布" in done.content.decode() and "未考核 2 人" in done.content.decode()
    period.refresh_from_db()
    assert period.status == "publicity"


def test_finalise_page_says_what_will_happen(client, world, published):
    url = reverse("assessment:period-step", args=[published.pk, "finalise"])
    body = _get(client, world.office, url).content.decode()
    assert "5 条结果" in body
    assert _get(client, world.member, url).status_code == 403


def test_deciding_an_appeal_confirms_first_then_says_what_happened(client, world, published):
    from vanguard.assessment import services
    from vanguard.assessment.models import Appeal, Result

    p01 = published.scheme.indicators.get(code="P01")
    appeal = services.submit_appeal(world.member, published, "P01 扣分有误", indicator=p01)
    url = reverse("assessment:appeal-decide", args=[appeal.pk])
    client.force_login(world.office)
    first = client.post(url, {"uphold": "on", "points": "3", "answer": "经核实予以更正"})
    body = first.content.decode()
    assert first.status_code == 200 and "appeal-preview" in body and "5 分 → 3 分" in body
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OPEN  # nothing decided yet
    done = client.post(url, {"uphold": "on", "points": "3", "answer": "经核实予以更正", "confirmed": "1"},
                       follow=True).content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD
    changed = Result.objects.filter(period=published, version__gt=1).count()
    assert changed >= 1 and f"{changed} 条结果" in done
    client.force_login(world.secretary)
    assert client.post(url, {"answer": "x", "confirmed": "1"}).status_code == 403


def test_the_administrator_sees_the_months_of_one_centre_at_a_time(client, world, period):
    """50 centres' months on one page were the city administrator's 0.35 s: one centre at a time (the
    first by name without a choice, 别区 before 测试区); a user of one centre gets no centre field."""
    link = reverse("assessment:period", args=[period.pk])
    default = _get(client, world.admin, reverse("assessment:home")).content.decode()
    assert 'name="centre"' in default and link not in default
    chosen = _get(client, world.admin, reverse("assessment:home") + f"?centre={world.centre.pk}").content.decode()
    assert link in chosen
    assert 'name="centre"' not in _get(client, world.office, reverse("assessment:home")).content.decode()


def test_months_of_several_centres_are_one_line_of_the_administrator_s_home(client, world, period):
    """The city's administrator sees 50 centres' months: one line to the assessment's page (where a centre is
    chosen), not three centres' cells counted; the office of one centre still gets its cells to score."""
    import datetime
    from decimal import Decimal

    from vanguard.assessment import services
    from vanguard.assessment.models import Scheme
    from vanguard.assessment.todo import todo_items

    from .conftest import MONTH

    services.start_scoring(world.office, period)
    scheme = services.create_scheme(world.admin, world.other_centre, name="双百分考核", indicators=indicator_rows(),
                                    valid_from=datetime.date(2026, 1, 1), threshold=Decimal("150"),
                                    quota_kind=Scheme.QuotaKind.COUNT, quota_value=1)
    other = services.open_period(world.admin, world.other_centre, MONTH)
    services.start_scoring(world.admin, other)
    assert other.scheme_id == scheme.pk
    items = todo_items(world.admin)
    assert [i.count for i in items if i.url == reverse("assessment:home")] == [2]
    assert not any(reverse("assessment:grid", args=[period.pk]) in i.url for i in items)
    assert any(reverse("assessment:grid", args=[period.pk]) in i.url for i in todo_items(world.office))
    page = _get(client, world.admin, reverse("home")).content.decode()
    assert "2 个中心共有 2 个月正在评分" in page
