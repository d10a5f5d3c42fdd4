"""Property tests of the star rule, run through the very SQL that publishes:
it never exceeds a branch's quota, never stars a vetoed member, and ranks agree
with totals. Each example rewrites one month's scores and vetoes."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vanguard.assessment import compute, services
from vanguard.assessment.models import Adjustment, Scheme, Score
from vanguard.assessment.scheme_data import indicator_rows
from vanguard.core.system import SYSTEM
from vanguard.org import services as org_services
from vanguard.org.models import Organization, Person

pytestmark = pytest.mark.django_db

MEMBERS = 14


@pytest.fixture
def month(db):
    from tests.world import make_user

    admin = make_user("prop-admin", superuser=True)
    centre = org_services.create_centre(SYSTEM, name="性质测试中心", code="prop")
    root = org_services.create_organization(admin, centre, name="党组", kind=Organization.Kind.LEADING_GROUP)
    branches = [org_services.create_organization(admin, centre, parent=root, name=f"支部{i}",
                                                 kind=Organization.Kind.BRANCH) for i in range(3)]
    people = Person.objects.bulk_create([
        Person(centre=centre, name=f"党员{i:02d}", political_status=Person.Status.FULL, branch=branches[i % 3])
        for i in range(MEMBERS)])
    services.create_scheme(admin, centre, name="方案", indicators=indicator_rows(), valid_from="2026-01")
    period = services.open_period(admin, centre, "2026-10")
    indicators = {i.code: i for i in period.scheme.indicators.all()}
    return {"admin": admin, "period": period, "people": people, "p01": indicators["P01"], "w01": indicators["W01"],
            "p14": indicators["P14"]}


rules = st.fixed_dictionaries({
    "quota_kind": st.sampled_from([Scheme.QuotaKind.COUNT, Scheme.QuotaKind.PERCENT]),
    "quota_value": st.integers(min_value=0, max_value=60),
    "threshold": st.sampled_from([Decimal("150"), Decimal("170"), Decimal("178"), Decimal("182")]),
    "tie_break": st.sampled_from([Scheme.TieBreak.PARTY, Scheme.TieBreak.WORK]),
    "formula": st.sampled_from([Scheme.Formula.SUM, Scheme.Formula.WEIGHTED]),
})
# Per member: P01 points (0..5 in halves, many ties), W01 (0..3), P14 add item (0..5), vetoed?, bonus
member = st.tuples(st.integers(0, 10), st.integers(0, 6), st.integers(0, 2), st.booleans(), st.integers(0, 3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=rules, members=st.lists(member, min_size=MEMBERS, max_size=MEMBERS))
def test_star_rule_properties(month, rule, members):
    period, people = month["period"], month["people"]
    Scheme.objects.filter(pk=period.scheme_id).update(**rule, party_weight=Decimal("0.6"),
                                                        work_weight=Decimal("0.4"))
    period.refresh_from_db()
    period.scheme.refresh_from_db()
    Score.objects.filter(period=period).delete()
    Adjustment.objects.filter(period=period).delete()
    scores, adjustments, vetoed = [], [], set()
    for person, (p01, w01, p14, veto, bonus) in zip(people, members, strict=True):
        scores += [Score(period=period, person=person, indicator=month["p01"], points=Decimal(p01) / 2),
                   Score(period=period, person=person, indicator=month["w01"], points=Decimal(w01) / 2),
                   Score(period=period, person=person, indicator=month["p14"], points=Decimal(p14 * 2))]
        if veto:
            vetoed.add(person.pk)
            adjustments.append(Adjustment(period=period, person=person, kind="veto", reason="x",
                                          source="complaint", status="approved"))
        if bonus:
            adjustments.append(Adjustment(period=period, person=person, kind="bonus", points=Decimal(bonus),
                                          reason="x", source="other", status="approved"))
    Score.objects.bulk_create(scores)
    Adjustment.objects.bulk_create(adjustments)
    rows = compute.compute_rows(period)
    assert len(rows) == MEMBERS
    by_branch = {}
    for row in rows.values():
        by_branch.setdefault(row["branch_id"], []).append(row)
    for branch_rows in by_branch.values():
        size = len(branch_rows)
        quota = rule["quota_value"] if rule["quota_kind"] == "count" else size * rule["quota_value"] // 100
        stars = [r for r in branch_rows if r["is_star"]]
        # Never more stars than the quota; never a vetoed star; never a star below the threshold.
        assert len(stars) <= quota
        assert all(r["person_id"] not in vetoed and not r["vetoed"] for r in stars)
        assert all(r["total"] >= rule["threshold"] for r in stars)
        # The quota is used: as many stars as qualify, up to the quota.
        qualifying = [r for r in branch_rows if not r["vetoed"] and r["total"] >= rule["threshold"]]
        assert len(stars) == min(quota, len(qualifying))
        # Stars are the best qualifying totals.
        if stars and len(stars) < len(qualifying):
            assert min(r["total"] for r in stars) >= max(r["total"] for r in qualifying if not r["is_star"])
        # Ranks agree with totals: 1 + the number of strictly higher totals in the branch.
        for r in branch_rows:
            assert r["rank_branch"] == 1 + sum(1 for o in branch_rows if o["total"] > r["total"])
            assert r["reason"] == ("vetoed" if r["vetoed"] else "star" if r["is_star"] else
                                   "below" if r["total"] < rule["threshold"] else "quota")
    for r in rows.values():
        assert r["rank_centre"] == 1 + sum(1 for o in rows.values() if o["total"] > r["total"])
        # The total is formed as the rule says.
        weights = (Decimal("0.6"), Decimal("0.4")) if rule["formula"] == "weighted" else (1, 1)
        expected = r["party_points"] * weights[0] + r["work_points"] * weights[1] + r["bonus"] - r["penalty"]
        assert r["total"] == expected.quantize(Decimal("0.01"))


# Per member: which indicators have a cell (a bit mask over the scheme's 56) and a seed for the points.
cells = st.tuples(st.integers(min_value=0, max_value=2 ** 56 - 1), st.integers(min_value=0, max_value=10 ** 6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(st.one_of(st.just((2 ** 56 - 1, 7)), st.just((0, 0)), cells),
                        min_size=MEMBERS, max_size=MEMBERS))
def test_parts_with_missing_cells_count_their_defaults(month, members):
    """Whatever cells are entered, each part is its default (full marks on deduct items)
    plus, per entered cell, points minus that cell's default, or not assessed (None) when
    none of its cells was entered; a stray score on an
    indicator of another scheme counts nowhere. Complete members take the short
    path (their defaults cancel out), incomplete ones the per-cell correction."""
    period, people = month["period"], month["people"]
    indicators = list(period.scheme.indicators.order_by("pk"))
    other = Scheme.objects.filter(centre=period.centre).exclude(pk=period.scheme_id).first()
    if other is None:
        other = services.create_scheme(month["admin"], period.centre, name="新方案", indicators=indicator_rows(),
                                       valid_from="2027-01")
    stray = other.indicators.first()
    Score.objects.filter(period=period).delete()
    Adjustment.objects.filter(period=period).delete()
    scores, expected = [], {}
    for n, (person, (mask, seed)) in enumerate(zip(people, members, strict=True)):
        sums = {"party": Decimal("0"), "work": Decimal("0")}
        entered = {"party": 0, "work": 0}
        for bit, ind in enumerate(indicators):
            if not mask >> bit & 1:
                sums[ind.part] += ind.default_points
                continue
            halves = (seed * 31 + bit * 17) % (int(ind.maximum * 2) + 1)
            points = Decimal(halves) / 2
            if ind.method == "yesno":
                points = ind.maximum if halves % 2 else Decimal("0")
            sums[ind.part] += points
            entered[ind.part] += 1
            scores.append(Score(period=period, person=person, indicator=ind, points=points))
        for part in sums:
            if not entered[part]:
                sums[part] = None  # no cell of the part entered: not assessed, no defaults
        if n % 3 == 0:
            scores.append(Score(period=period, person=person, indicator=stray, points=stray.maximum))
        expected[person.pk] = sums
    Score.objects.bulk_create(scores)
    rows = compute.compute_rows(period)
    for pk, sums in expected.items():
        assert (rows[pk]["party_points"], rows[pk]["work_points"]) == (sums["party"], sums["work"])
        unassessed = None in sums.values()
        assert (rows[pk]["total"] is None) == unassessed
        assert (rows[pk]["reason"] == "unassessed") == unassessed
        assert not (unassessed and (rows[pk]["is_star"] or rows[pk]["rank_branch"] or rows[pk]["rank_centre"]))
