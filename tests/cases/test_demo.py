"""The cases demo: a year of cases in every state, routed to the demo centre's units."""

import pytest
from django.utils import timezone

from vanguard.cases.models import Case, CaseStep, Status
from vanguard.core.demo import DemoContext


@pytest.mark.slow
@pytest.mark.django_db
def test_a_year_of_cases_in_every_state():
    from vanguard.cases import demo as cases_demo
    from vanguard.org.demo import build_centre
    from vanguard.posts import demo as posts_demo

    ctx = DemoContext(password="Demo-pass-99")
    build_centre(ctx)
    posts_demo.build(ctx)
    cases_demo.build(ctx)
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
