"""Publishing: totals, ranks, stars, stored results; recomputation reproduces them."""

from decimal import Decimal

import pytest

from vanguard.assessment import compute, services
from vanguard.assessment.models import Adjustment, Result
from vanguard.assessment.scoring import Entry, save_scores


def _score_all(world, period, points_by_person):
    """Party part by the office: every indicator at its maximum minus `points_by_person[p]` off P01."""
    inds = list(period.scheme.indicators.all())
    entries = []
    for person, off in points_by_person.items():
        for ind in inds:
            pts = ind.maximum if ind.method != "add" else Decimal("0")
            if ind.code == "P01":
                pts -= off
            entries.append(Entry(person.pk, ind.pk, pts))
    save_scores(world.office, period, entries)


def test_publish_computes_totals_ranks_and_stars(world, period):
    b1 = world.branch1_members
    _score_all(world, period, {b1[0]: Decimal("2"), b1[1]: Decimal("0"), b1[2]: Decimal("1")})
    services.publish_period(world.office, period, confirm_unscored=True)
    results = {r.person_id: r for r in Result.objects.filter(period=period)}
    assert len(results) == 5  # every party member of the centre, scored or not
    best = results[b1[1].pk]
    assert best.is_star and best.reason == "star" and best.rank_branch == 1
    assert results[b1[2].pk].reason == "quota" and results[b1[2].pk].rank_branch == 2
    assert best.branch_size == 3 and best.rank_centre == 1
    # Nobody scored branch 2: not assessed, with no made-up points, total, rank or star.
    for person in world.branch2_members:
        r = results[person.pk]
        assert (r.party_points, r.work_points, r.total, r.rank_branch, r.rank_centre) == (None,) * 5
        assert r.reason == "unassessed" and not r.is_star and r.branch_size == 0 and not r.assessed
    period.refresh_from_db()
    assert period.status == "publicity" and period.publicity_ends


def test_publishing_with_unscored_members_needs_confirmation(world, period):
    """Refused (nothing changes) until the office confirms; the decision is audited."""
    from vanguard.core.models import AuditEntry

    b1 = world.branch1_members
    _score_all(world, period, {p: Decimal("0") for p in b1})
    services.start_scoring(world.office, period)
    for step in (services.close_scoring, services.publish_period):
        with pytest.raises(services.UnscoredRefused) as refused:
            step(world.office, period)
        assert "2" in refused.value.messages[0] and "未考核" in refused.value.messages[0]
        period.refresh_from_db()
        assert period.status == "scoring" and not Result.objects.filter(period=period).exists()
    services.publish_period(world.office, period, confirm_unscored=True)
    entry = AuditEntry.objects.get(verb="publication confirmed with members not assessed")
    assert entry.changes["members_not_assessed"] == [None, 2]
    assert Result.objects.filter(period=period, reason="unassessed").count() == 2


def test_unscored_list_names_part_and_responsible_scorer(world, period):
    from vanguard.assessment import previews

    b1 = world.branch1_members
    _score_all(world, period, {p: Decimal("0") for p in b1[1:]})
    # b1[0]: work part only, by the office: its party part is missing.
    save_scores(world.office, period, [Entry(b1[0].pk, i.pk, i.maximum)
                                       for i in period.scheme.indicators.filter(part="work")])
    data = previews.unscored(period)
    lines = {(line["person"].pk, line["part"]) for line in data["lines"]}
    assert (b1[0].pk, "party") in lines and (b1[0].pk, "work") not in lines
    assert data["count"] == 3 and data["by_part"] == {"party": 3, "work": 2}
    party_line = next(line for line in data["lines"] if line["person"] == b1[0])
    assert party_line["scope"] == b1[0].branch.name and "王书记" in party_line["scorers"]


def test_unscored_counts_equal_the_members_listed(world, period):
    """The set-based counts the services check equal the per-member list the office reads."""
    from vanguard.assessment import previews

    b1 = world.branch1_members
    _score_all(world, period, {p: Decimal("0") for p in b1[2:]})
    save_scores(world.office, period, [Entry(b1[0].pk, i.pk, i.maximum)
                                       for i in period.scheme.indicators.filter(part="work")])
    save_scores(world.office, period, [Entry(b1[1].pk, i.pk, i.maximum)
                                       for i in period.scheme.indicators.filter(part="party")[:1]])
    data = previews.unscored(period)
    summary = previews.unscored_summary(period)
    assert summary == {"members": data["count"], **data["by_part"]}
    assert summary == {"members": 4, "party": 3, "work": 3}


def test_recompute_reproduces_stored_results(world, period):
    b1 = world.branch1_members
    _score_all(world, period, {b1[0]: Decimal("2"), b1[1]: Decimal("0.5"), b1[2]: Decimal("1")})
    adj = services.create_adjustment(world.office, period, b1[1], kind=Adjustment.Kind.VETO,
                                     reason="有效投诉", source=Adjustment.Source.COMPLAINT)
    services.decide_adjustment(world.office, adj, approve=True)
    services.publish_period(world.office, period, confirm_unscored=True)
    assert compute.compute_rows(period, from_results=True) == compute.stored_rows(period)
    assert compute.compute_rows(period) == compute.stored_rows(period)
    vetoed = Result.objects.get(period=period, person=b1[1])
    assert vetoed.vetoed and not vetoed.is_star and vetoed.reason == "vetoed"


def test_indicator_ids_as_ranges():
    """Score rows are classified by indicator id with a comparison or two, not a join."""
    assert compute._id_in("x", [3, 1, 2]) == "(x BETWEEN 1 AND 3)"
    assert compute._id_in("x", [1, 2, 5, 7, 8]) == "(x BETWEEN 1 AND 2 OR x = 5 OR x BETWEEN 7 AND 8)"
    assert compute._id_in("x", [1, 3, 5, 7, 9]) == "x IN (1, 3, 5, 7, 9)"
    assert compute._id_in("x", []) == "(1 = 0)"


def test_partly_scored_member_keeps_defaults_of_missing_cells(world, period):
    """A member scored on some cells only: deduct cells left empty keep full marks."""
    member = world.branch1_members[0]
    p01, p14 = (period.scheme.indicators.get(code=c) for c in ("P01", "P14"))
    save_scores(world.office, period, [Entry(member.pk, p01.pk, "3"), Entry(member.pk, p14.pk, "2")])
    services.publish_period(world.office, period, confirm_unscored=True)
    result = Result.objects.get(period=period, person=member)
    party_default = sum(i.default_points for i in period.scheme.indicators.filter(part="party"))
    assert result.party_points == party_default - 2 + 2
    assert compute.compute_rows(period, from_results=True) == compute.stored_rows(period)


def test_defaults_of_deduct_cells_by_runs_of_ids():
    """A member with missing cells sums the defaults of the cells present without a join."""
    assert compute._default_of("x", {1: Decimal("5"), 2: Decimal("5"), 3: Decimal("6"), 5: Decimal("6")}) == (
        "CASE WHEN x BETWEEN 1 AND 2 THEN 5 WHEN x BETWEEN 3 AND 3 THEN 6 WHEN x BETWEEN 5 AND 5 THEN 6 ELSE 0 END")


@pytest.mark.django_db
def test_score_key_carries_the_points_on_postgresql():
    """Publication reads points from the unique index alone (migration 0004)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("INCLUDE columns are a PostgreSQL feature")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('score_unique'::regclass)")
        assert "INCLUDE (points)" in cursor.fetchone()[0]
