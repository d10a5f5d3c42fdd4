import datetime

import pytest
from django.utils import timezone

from tests.posts.conftest import make_post
from vanguard.cases import services
from vanguard.core.system import SYSTEM
from vanguard.posts import services as post_services

# A PNG of one pixel: what a phone's photo is, as far as the checks go.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def photo(name="photo.png", data=PNG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


class Clock:
    """Moves `timezone.now()` (and so localdate) to a chosen moment in Beijing time."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def at(self, year, month, day, hour=10, minute=0):
        moment = timezone.make_aware(datetime.datetime(year, month, day, hour, minute))
        self.monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def post(world):
    return post_services.disclose_post(world.office, make_post(world))


def complaint(world, *, actor=SYSTEM, source="phone", **extra):
    fields = {"centre": world.centre, "kind": "complaint", "content": "窗口人员态度生硬，材料一次没说清。",
              "source": source, **extra}
    return services.intake_case(actor, **fields)


@pytest.fixture
def api(world):
    from rest_framework.test import APIClient

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return _api


