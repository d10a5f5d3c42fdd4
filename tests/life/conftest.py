import datetime

import pytest
from django.utils import timezone

from vanguard.life import services
from vanguard.life.models import MeetingKind


def at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def past_day(days=10):
    return timezone.localdate() - datetime.timedelta(days=days)


def held_meeting(world, kind=MeetingKind.THEME_DAY, day=None, actor=None, marks=None, **extra):
    """A held meeting of branch 1, with attendance `marks` {person: status} when given."""
    actor = actor or world.secretary
    meeting = services.plan_meeting(actor, world.branch1, kind=kind, topic="学习二十大精神", starts_at=at(day or past_day()),
                                    place="一层会议室", **extra)
    if marks:
        services.record_attendance(actor, meeting, {p.pk: s for p, s in marks.items()},
                                   reasons={p.pk: "出差" for p, s in marks.items() if s == "leave"})
    return services.record_held(actor, meeting, minutes="会议学习了……")


@pytest.fixture
def meeting(world):
    return held_meeting(world)
