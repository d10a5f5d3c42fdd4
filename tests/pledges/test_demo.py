"""The pledges demo in Harbin's shape: about 1.55 pledges a member, about seven in ten kept,
every home unit's letter signed, with its leader's; a progress citing the member's own life record."""

import pytest

from vanguard.core.demo import DemoContext
from vanguard.pledges.models import Letter, Progress
from vanguard.pledges.selectors import figures, letter_figures, stats_for


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_year_in_harbins_shape():
    from vanguard.life import demo as life_demo
    from vanguard.org.demo import build_centre
    from vanguard.pledges import demo

    ctx = DemoContext(password="Demo-pass-99")
    build_centre(ctx)
    life_demo.build(ctx)
    demo.build(ctx)
    last = ctx.today.year - 1
    total, _rows = figures(stats_for(ctx.users["office"]), last)
    assert total["members"] == len([p for p in ctx.members if p.branch_id])
    assert 1.45 <= total["made"] / total["members"] <= 1.65  # Harbin: 479,000 / 310,000 = 1.55
    assert 0.6 <= total["kept"] / total["made"] <= 0.8  # Harbin: 342,000 / 479,000 = 0.71
    assert total["partly"] and total["not_kept"]
    signed = letter_figures(Letter.objects.filter(centre=ctx.centre), last)
    assert signed == {"units": len(ctx.home_units), "leaders": len(ctx.home_units)}
    assert not Letter.objects.filter(centre=ctx.centre, year=last, score__isnull=True).exists()
    assert Progress.objects.filter(pledge__person=ctx.users["member"].person).exclude(
        meeting=None, activity=None).exists()
    print(f"pledges demo {last}: {total['members']} members made {total['made']} pledges, {total['kept']} kept; "
          f"{signed['units']} units signed letters, with {signed['leaders']} leaders")
