import datetime

import pytest
from django.utils import timezone

from tests.ratings.conftest import import_one, rate
from vanguard.core.system import SYSTEM
from vanguard.dashboard import services


@pytest.fixture
def post(world):
    from tests.posts.conftest import make_post
    from vanguard.posts import services as post_services

    return post_services.disclose_post(world.office, make_post(world))


@pytest.fixture
def figures(world, post):
    """This month: 3 matters at A01 (two rated 5, one rated 1) and 1 at B01 (rated 4), plus
    one in the other centre; last month: 1 at A01 rated 2. Figures computed."""
    now = timezone.now()
    a = [import_one(world, accepted_at=now - datetime.timedelta(minutes=10 + i)) for i in range(3)]
    for txn, level in zip(a, (5, 5, 1), strict=True):
        rate(txn, level)
    b = import_one(world, window="B01", person="张二层", accepted_at=now - datetime.timedelta(minutes=5))
    rate(b, 4)
    first = timezone.localdate().replace(day=1)
    last_month = timezone.make_aware(datetime.datetime.combine(first - datetime.timedelta(days=3),
                                                               datetime.time(10)))
    old = import_one(world, accepted_at=last_month)
    rate(old, 2, now=last_month)
    from vanguard.ratings.figures import fold_all

    fold_all()  # single ratings are counted by the fold (the worker's, every minute)
    services.refresh_figures(SYSTEM)
    return {"month": first}
