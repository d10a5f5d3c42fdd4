import pytest

from tests.assessment.conftest import period, published, scheme  # noqa: F401 -- fixtures
from vanguard.messaging.channels import local


@pytest.fixture(autouse=True)
def sms_settings(settings, tmp_path):
    settings.SMS_BACKEND = "locmem"
    settings.SMS = {**settings.SMS, "QUIET_HOURS": "", "RATE_PER_SECOND": 0, "SIGN": "测试中心",
                    "FILE_PATH": str(tmp_path / "sms"), "ROBOTS": []}
    local.outbox.clear()
    yield settings
    local.outbox.clear()


@pytest.fixture
def post(world):
    from tests.posts.conftest import make_post
    from vanguard.posts import services as post_services

    return post_services.disclose_post(world.office, make_post(world))
