import datetime
from decimal import Decimal

import pytest

from vanguard.assessment import services
from vanguard.assessment.models import Scheme
from vanguard.assessment.scheme_data import indicator_rows

MONTH = datetime.date(2026, 10, 1)


def make_scheme(world, **rules):
    defaults = {"name": "双百分考核", "threshold": Decimal("150"), "quota_kind": Scheme.QuotaKind.COUNT,
                "quota_value": 1}
    defaults.update(rules)
    return services.create_scheme(world.office, world.centre, indicators=indicator_rows(),
                                  valid_from=datetime.date(2026, 1, 1), **defaults)


@pytest.fixture
def scheme(world):
    return make_scheme(world)


@pytest.fixture
def period(world, scheme):
    return services.open_period(world.office, world.centre, MONTH)


@pytest.fixture
def api(world):
    from rest_framework.test import APIClient

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return _api


def fill(world, period, people, *, off=None, actor=None, part=None):
    """Every indicator for `people`: the maximum (0 on add items), minus off[person] on P01."""
    from vanguard.assessment.scoring import Entry, save_scores

    off = off or {}
    entries = []
    indicators = period.scheme.indicators.all()
    for ind in indicators.filter(part=part) if part else indicators:
        for person in people:
            pts = ind.maximum if ind.method != "add" else Decimal("0")
            if ind.code == "P01":
                pts -= off.get(person.pk, Decimal("0"))
            entries.append(Entry(person.pk, ind.pk, pts))
    return save_scores(actor or world.office, period, entries)


@pytest.fixture
def published(world, period):
    """The month scored (the member best in branch 1) and published."""
    b1 = world.branch1_members
    fill(world, period, b1 + world.branch2_members,
         off={b1[0].pk: Decimal("2"), b1[2].pk: Decimal("1"), world.branch2_members[1].pk: Decimal("1")})
    return services.publish_period(world.office, period)
