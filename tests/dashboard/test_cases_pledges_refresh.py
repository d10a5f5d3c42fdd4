"""Feedback cases and pledges in the figures (issue 17: cases by kind and status, answered on
time, satisfied at call-back; pledges made, approved, kept), on the dashboard with their rows,
in the report and the API; and the incremental refresh (only changed centre-months rewritten)."""

import re

from django.urls import reverse
from django.utils import timezone

from tests.cases.conftest import complaint
from tests.pledges.conftest import make
from tests.ratings.conftest import import_one
from vanguard.cases import services as case_services
from vanguard.core.system import SYSTEM
from vanguard.dashboard import report, selectors, services
from vanguard.dashboard.models import Figure, SourceMark
from vanguard.pledges import services as pledge_services


def kpi(scope, month, key):
    return next(k for k in selectors.kpis(scope, month) if k["key"] == key)


def feedback_and_pledges(world):
    """A complaint answered and called back satisfied, a suggestion still open; two pledges,
    both approved, one judged kept at year's end, one not kept."""
    case = complaint(world, unit=world.home_unit, contact_name="刘女士", contact_mobile="13912345678",
                     person=world.member_person)
    case = case_services.accept_case(world.handler, case)
    case = case_services.answer_case(world.handler, case, answer="已当面解释并致歉。", upheld=True)
    case_services.call_back(world.office, case, result="satisfied")
    complaint(world, kind="suggestion", content="建议增加自助填表机。", unit=world.home_unit)
    kept = pledge_services.review_pledge(world.secretary, make(world), approve=True)
    pledge_services.judge_pledge(world.secretary, kept, stage="year_end", result="kept", reason="已完成")
    other = make(world, person=world.branch1_members[0], what="每周学习一次")
    other = pledge_services.review_pledge(world.secretary, other, approve=True)
    pledge_services.judge_pledge(world.secretary, other, stage="year_end", result="not_kept", reason="未完成")


def test_cases_and_pledges_are_figures_equal_to_their_rows(world):
    feedback_and_pledges(world)
    services.refresh_figures(SYSTEM, [world.centre])
    month = timezone.localdate().replace(day=1)
    centre = selectors.check_scope(world.office, f"centre:{world.centre.pk}")
    assert kpi(centre, month, "fb_received")["this"]["value"] == 2
    assert kpi(centre, month, "fb_complaints")["this"]["value"] == 1
    assert kpi(centre, month, "fb_on_time")["this"]["value"] == 100.0
    assert kpi(centre, month, "fb_satisfied")["this"]["value"] == 100.0
    assert kpi(centre, month, "pl_made")["this"]["value"] == 2
    assert kpi(centre, month, "pl_approved")["this"]["value"] == 2
    assert kpi(centre, month, "pl_kept")["this"]["value"] == 50.0
    unit = selectors.check_scope(world.office, f"unit:{world.home_unit.pk}")
    assert kpi(unit, month, "fb_received")["this"]["value"] == 2
    table = selectors.figure_table(centre, [month])
    for metric in ("fb_received", "fb_complaints", "fb_suggestions", "fb_closed", "fb_answered", "fb_on_time",
                   "fb_called_back", "fb_satisfied", "pl_made", "pl_approved", "pl_judged", "pl_kept"):
        for scope in (centre, unit, selectors.check_scope(world.office, f"person:{world.member_person.pk}")):
            _m, rows = selectors.rows(scope, metric, month)
            assert rows.count() == selectors.figure_table(scope, [month]).get((metric, month), (0, 0))[0], \
                (scope.code, metric)
        assert table.get((metric, month), (0, 0))[0] >= 1, metric


def test_the_dashboard_links_cases_and_pledges_to_their_rows(world, login, client):
    feedback_and_pledges(world)
    services.refresh_figures(SYSTEM, [world.centre])
    login(world.office)
    html = client.get(reverse("dashboard:home") + f"?scope=centre:{world.centre.pk}").content.decode()
    # Counts link their number; rates link numerator and denominator ("pl_kept-1": the kept pledges).
    for metric, count in (("fb_received", 2), ("pl_made", 2), ("pl_kept-1", 1), ("pl_kept-2", 2)):
        link = re.search(rf'href="([^"]+)" data-figure="{metric}">[^<]*?(\d+)<', html)
        assert link and link.group(2) == str(count), metric
        rows = client.get(link.group(1).replace("&amp;", "&"))
        assert rows.status_code == 200 and f'data-row-count="{count}"' in rows.content.decode(), metric
        if metric == "fb_received":  # a choice is shown by its label
            assert "<td>投诉</td>" in rows.content.decode() and "<td>complaint</td>" not in rows.content.decode()
    # The outsider (another centre's office) sees none of it.
    login(world.outsider)
    assert client.get(reverse("dashboard:rows") + f"?metric=fb_received&scope=centre:{world.centre.pk}"
                      ).status_code == 403


def test_the_api_and_the_report_carry_them(world, login, client):
    feedback_and_pledges(world)
    services.refresh_figures(SYSTEM, [world.centre])
    login(world.office)
    data = client.get(reverse("api-figures") + f"?scope=centre:{world.centre.pk}").json()
    by_key = {f["key"]: f["this_month"]["value"] for f in data["figures"]}
    assert (by_key["fb_received"], by_key["fb_satisfied"], by_key["pl_made"], by_key["pl_kept"]) == (2, 100.0, 2,
                                                                                                     50.0)
    built = report.build(timezone.localdate().year, world.centre)
    titles = [str(s["title"]) for s in built["sections"]]
    assert any("承诺" in t for t in titles)
    assert report.value_of(built, "fb_received") == 2 and report.value_of(built, "pl_kept") == 1
    assert report.value_of(built, "pl_kept", "rate", "pl_judged") == 50.0


def marks(centre):
    return dict(SourceMark.objects.filter(centre=centre).values_list("month", "digest"))


def rows_of(centre):
    return dict(Figure.objects.filter(centre=centre).values_list("pk", "n"))


def test_a_changed_record_refreshes_its_figure_and_an_unchanged_centre_is_not_rewritten(world):
    month = timezone.localdate().replace(day=1)
    import_one(world)
    other = import_one(world, window="A01")
    from vanguard.ratings.models import Transaction

    Transaction.objects.filter(pk=other.pk).update(centre=world.other_centre)  # one matter in the other centre
    assert services.refresh_figures(SYSTEM) > 0
    mine, theirs = rows_of(world.centre), rows_of(world.other_centre)
    assert mine and theirs and marks(world.centre)

    # Nothing changed: nothing written.
    assert services.refresh_figures(SYSTEM) == 0
    assert rows_of(world.centre) == mine and rows_of(world.other_centre) == theirs

    # A new matter in one centre: that centre's month is recomputed, the other centre untouched.
    import_one(world)
    assert services.refresh_figures(SYSTEM) > 0
    centre = selectors.check_scope(world.admin, f"centre:{world.centre.pk}")
    assert kpi(centre, month, "accepted")["this"]["value"] == 2
    assert rows_of(world.other_centre) == theirs  # same ids: not deleted and inserted again
    assert set(rows_of(world.centre)) != set(mine)

    # A pledge edited (no new row, same count): its updated_at changes the digest.
    pledge = make(world)
    services.refresh_figures(SYSTEM)
    before = marks(world.centre)[month]
    pledge_services.revise_pledge(world.member, pledge, what="帮助更多老年人网上办事", deadline=pledge.deadline,
                                  measure=pledge.measure)
    services.refresh_figures(SYSTEM)
    assert marks(world.centre)[month] != before

    # --full rewrites everything, changed or not.
    services.refresh_figures(SYSTEM, full=True)
    assert not set(rows_of(world.other_centre)) & set(theirs)


def test_a_deleted_record_is_a_change_too(world):
    txn = import_one(world)
    services.refresh_figures(SYSTEM)
    month = timezone.localdate().replace(day=1)
    centre = selectors.check_scope(world.admin, f"centre:{world.centre.pk}")
    assert kpi(centre, month, "accepted")["this"]["value"] == 1
    txn.ratings.all().delete() if hasattr(txn, "ratings") else None
    from vanguard.ratings.models import Transaction

    Transaction.objects.filter(pk=txn.pk).delete()
    services.refresh_figures(SYSTEM)
    assert kpi(centre, month, "accepted")["this"]["value"] == 0
    assert month not in marks(world.centre)
