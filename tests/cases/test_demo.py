"""The cases demo: a year of cases in every state, routed to the demo centre's units."""

import pytest
from django.utils import timezone

from vanguard.cases.models import Case, CaseStep, Status
from vanguard.core.demo import DemoContext

from ..world_snapshot import WorldSnapshot


def _build_demo():
    from vanguard.cases import demo as cases_demo
    from vanguard.org.demo import build_centre
    from vanguard.posts import demo as posts_demo

    ctx = DemoContext(password="Demo-pass-99")
    build_centre(ctx)
    posts_demo.build(ctx)
    cases_demo.build(ctx)
    return ctx


@pytest.fixture(scope="module")
def _demo_snapshot(django_db_setup, django_db_blocker):
    """The centre, its posts and its year of cases, built once for this module's tests (each built the
    same demo again), kept as tests/world_snapshot.py keeps the world."""
    with django_db_blocker.unblock():
        return WorldSnapshot.capture(_build_demo)


@pytest.fixture
def ctx(db, _demo_snapshot):
    """That demo's rows written back in this test's own transaction (rolled back after it), and its context."""
    return _demo_snapshot.restore()


@pytest.mark.slow
def test_a_year_of_cases_in_every_state(ctx):
    cases = Case.objects.filter(centre=ctx.centre)
    assert cases.count() > 300
    assert set(cases.values_list("status", flat=True)) == set(Status.values)
    assert cases.filter(overdue_at__isnull=False).exists() and cases.filter(supervised_at__isnull=False).exists()
    assert cases.filter(round=2).exists() and cases.filter(extension="requested").exists()
    # Consistent with the centre: every unit is the centre's, the post's unit when about a post.
    assert not cases.exclude(unit__isnull=True).exclude(unit__centre=ctx.centre).exists()
    for case in cases.filter(post__isnull=False, post__window__isnull=False, unit__isnull=False).select_related(
            "post__window")[:50]:
        assert case.unit_id == (case.post.unit_id or case.post.window.unit_id)
    # Nothing in the future; every case has its history, starting with its receipt.
    now = timezone.now()
    assert not CaseStep.objects.filter(at__gt=now).exists() and not cases.filter(received_at__gt=now).exists()
    assert CaseStep.objects.filter(action="receive").count() == cases.count()
    handler_queue = cases.filter(unit__grants__user__username="handler", status="dispatched")
    assert handler_queue.exists()


@pytest.mark.slow
def test_a_closed_campaign_consistent_with_the_demos_units(ctx):
    from vanguard.cases import demo as cases_demo
    from vanguard.cases import selectors
    from vanguard.cases.models import Campaign

    campaign = Campaign.objects.get(centre=ctx.centre)
    assert campaign.status == Campaign.Status.CLOSED and campaign.closed_at <= timezone.now()
    units = set(campaign.units.values_list("pk", flat=True))
    assert units and units <= {u.pk for u in ctx.home_units}
    results = list(campaign.results.all())
    assert {r.unit_id for r in results} == units and min(r.rank for r in results if r.rank) == 1
    raised = Case.objects.filter(source="campaign", source_ref=campaign.ref)
    assert raised.count() == sum(r.issues for r in results) > 0
    assert set(raised.values_list("unit_id", flat=True)) <= units
    assert not raised.filter(received_at__date__gt=campaign.ends_on).exists()
    figures = selectors.campaign_figures(campaign)
    assert figures["reviewers"] == sum(cases_demo.REVIEWERS.values())
    assert figures["routed"] == raised.count() and 0 < figures["on_time"] <= figures["answered"] == raised.count()
    assert 0 < figures["satisfied"] <= figures["called_back"]
