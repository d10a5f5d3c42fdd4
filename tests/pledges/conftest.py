import datetime

import pytest
from django.utils import timezone

from vanguard.pledges import services


def this_year():
    return timezone.localdate().year


def deadline():
    return datetime.date(this_year(), 12, 31)


def make(world, person=None, actor=None, **extra):
    person = person or world.member_person
    actor = actor or (world.member if person.pk == world.member_person.pk else world.secretary)
    data = {"year": this_year(), "what": "帮助老年人网上办事", "deadline": deadline(),
            "measure": "全年帮助不少于20位老年人", **extra}
    return services.make_pledge(actor, person, **data)


@pytest.fixture
def pledge(world):
    return make(world)


@pytest.fixture
def approved(world, pledge):
    return services.review_pledge(world.secretary, pledge, approve=True)
