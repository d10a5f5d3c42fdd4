import pytest

from vanguard.messaging.channels import local


@pytest.fixture(autouse=True)
def sms_settings(settings, tmp_path):
    """Tests send through locmem, with no quiet hours and no rate limit, unless they say otherwise."""
    settings.SMS_BACKEND = "locmem"
    settings.SMS = {**settings.SMS, "QUIET_HOURS": "", "RATE_PER_SECOND": 0, "SIGN": "测试中心",
                    "FILE_PATH": str(tmp_path / "sms"), "RECEIPT_TOKEN": "receipt-secret"}
    settings.MEDIA_ROOT = tmp_path / "media"
    local.outbox.clear()
    yield settings
    local.outbox.clear()


@pytest.fixture
def lesson(world):
    from vanguard.messaging import services

    return services.create_lesson(world.office, world.centre, title="学习党章", category="theory",
                                  sms_text="认真学习党章，尊崇党章，遵守党章。", web_body="党章全文学习要点……")
