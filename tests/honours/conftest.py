import datetime

import pytest

from vanguard.honours import services
from vanguard.honours.models import HonourKind

NOTICE_START = datetime.date(2026, 9, 29)  # Tuesday before the National Day holiday (Oct 1-7)


def open_members_selection(world, **extra):
    values = {"title": "2026年度优秀共产党员评选", "year": 2026, "honour": HonourKind.MEMBER, "quota": 2,
              "max_nominations": 3, "nominate_until": datetime.date(2026, 9, 20), "notice_days": 5}
    values.update(extra)
    return services.open_selection(world.office, world.centre, **values)


@pytest.fixture
def selection(world):
    return open_members_selection(world)


@pytest.fixture
def api(world):
    from rest_framework.test import APIClient

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return _api
