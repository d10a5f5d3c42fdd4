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
