"""Rate limits where the public writes (issue 11, point 5): the rating page, the
evaluation code page and the API's anonymous endpoints answer 429 in Chinese once
one address goes over its limit; a reminder to the same people is not repeated
within the set time."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.core import ratelimit


@pytest.mark.django_db
def test_the_evaluation_code_page_is_limited_per_address(client, settings):
    settings.RATE_LIMITS = {"answer": (3, 600)}
    url = reverse("surveys:answer", args=["ABCDEFGHJK"])
    codes = [client.get(url).status_code for _ in range(3)]
    assert 429 not in codes
    response = client.get(url)
    assert response.status_code == 429
    assert "请" in response.content.decode() and "分钟" in response.content.decode()
    assert response["Retry-After"] == "600"
    # Another address is not affected.
    assert client.get(url, REMOTE_ADDR="198.51.100.9").status_code != 429


@pytest.mark.django_db
def test_the_rating_page_is_limited_per_address(client, settings):
    settings.RATE_LIMITS = {"rate": (2, 600)}
    url = reverse("ratings:rate", args=["not-a-valid-token-at-all"])
    assert [client.post(url, {"level": "5"}).status_code for _ in range(2)] == [400, 400]
    response = client.post(url, {"level": "5"})
    assert response.status_code == 429
    assert "分钟" in response.content.decode()


@pytest.mark.django_db
def test_the_api_applies_its_anonymous_throttle(client, settings):
    from rest_framework.settings import api_settings

    assert "vanguard.core.ratelimit.AnonThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert api_settings.DEFAULT_THROTTLE_CLASSES  # DRF reads them at import: configured from the start
    from vanguard.core.ratelimit import AnonThrottle

    AnonThrottle.THROTTLE_RATES = {"anon": "2/min"}
    try:
        statuses = [client.post("/api/v1/receipts/aliyun/guess/", "[]", content_type="application/json").status_code
                    for _ in range(3)]
    finally:
        AnonThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [403, 403, 429], statuses


def test_counting_is_per_name_and_ident(settings):
    settings.RATE_LIMITS = {"rate": (1, 600)}
    assert ratelimit.hit("rate", "a") and not ratelimit.hit("rate", "a")
    assert ratelimit.hit("rate", "b") and ratelimit.hit("answer", "a")


@pytest.mark.django_db
def test_a_circular_reminder_is_not_repeated_to_the_same_people(world, settings):
    from tests.messaging.files import pdf_upload
    from vanguard.messaging import services_docs as docs

    circular = docs.upload_circular(world.office, world.centre, title="关于深入学习党章的通知", issuer="区委组织部",
                                    number="区组通〔2026〕12号", file=pdf_upload())
    docs.circulate(world.office, circular, [world.branch1, world.branch2])
    docs.remind_unsigned(world.office, circular, world.branch1)
    with pytest.raises(ValidationError) as error:
        docs.remind_unsigned(world.secretary, circular, world.branch1)
    assert "小时" in error.value.messages[0]
    assert docs.remind_unsigned(world.office, circular, world.branch2).people  # other people
    settings.REMINDER_INTERVAL_HOURS = 0
    assert docs.remind_unsigned(world.secretary, circular, world.branch1).people
