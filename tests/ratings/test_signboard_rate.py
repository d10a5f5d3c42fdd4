"""Issue 10, point 10: from the signboard a citizen rates their own recent transaction
at that post, by its receipt number or by a one-time SMS code to the mobile they gave."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from vanguard.messaging.channels import local
from vanguard.ratings import signboard
from vanguard.ratings.models import Rating, SignboardCheck, Transaction

from .conftest import import_one

MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def _locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"
    local.outbox.clear()
    yield
    local.outbox.clear()


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _code_from_outbox():
    assert local.outbox, "no SMS was sent"
    return re.search(r"(\d{6})", local.outbox[-1].text).group(1)


def _errors(exc, field):
    return " ".join(exc.message_dict[field])


def test_served_mobile_is_stored_normalised(world, post):
    txn = import_one(world, rater_phone="+86 139-1234-5678")
    assert txn.rater_phone == MOBILE and txn.masked_phone == "139****5678"
    assert import_one(world, rater_phone="0871-6666888").rater_phone == "0871-6666888"


def test_code_is_hashed_sent_once_and_works_once(world, post):
    txn = import_one(world, rater_phone=MOBILE)
    check = signboard.send_code(post, "139 1234 5678", ip="10.0.0.1")
    code = _code_from_outbox()
    assert local.outbox[-1].mobile == MOBILE and post.name in local.outbox[-1].text
    check.refresh_from_db()
    assert check.sent and code not in check.code_hash and MOBILE not in check.key_hash
    assert signboard.verify_code(post, MOBILE, code) == [txn.pk]
    with pytest.raises(ValidationError) as e:
        signboard.verify_code(post, MOBILE, code)  # reused
    assert "已经用过" in _errors(e.value, "code")


def test_guessing_is_limited_and_a_wrong_code_is_counted(world, post):
    import_one(world, rater_phone=MOBILE)
    signboard.send_code(post, MOBILE)
    code = _code_from_outbox()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as e:
            signboard.verify_code(post, MOBILE, wrong)
        assert f"还可以尝试 {left} 次" in _errors(e.value, "code")
    with pytest.raises(ValidationError):
        signboard.verify_code(post, MOBILE, wrong)
    # Five wrong codes: even the right one no longer works.
    with pytest.raises(ValidationError) as e:
        signboard.verify_code(post, MOBILE, code)
    assert "次数过多" in _errors(e.value, "code")
    assert SignboardCheck.objects.get().attempts == 5


def test_an_expired_code_is_refused(world, post):
    import_one(world, rater_phone=MOBILE)
    then = timezone.now() - datetime.timedelta(minutes=11)
    signboard.send_code(post, MOBILE, now=then)
    with pytest.raises(ValidationError) as e:
        signboard.verify_code(post, MOBILE, _code_from_outbox())
    assert "过期" in _errors(e.value, "code")


def test_no_hint_whether_a_number_is_known(world, post):
    import_one(world, rater_phone=MOBILE)
    known = signboard.send_code(post, MOBILE)
    unknown = signboard.send_code(post, "13700000000")
    assert len(local.outbox) == 1  # only the known number gets a text...
    assert known.kind == unknown.kind == "sms" and not SignboardCheck.objects.get(pk=unknown.pk).sent
    # ...but the answers are alike, and so are the wrong-code answers.
    with pytest.raises(ValidationError) as a:
        signboard.verify_code(post, MOBILE, "000000" if _code_from_outbox() != "000000" else "111111")
    with pytest.raises(ValidationError) as b:
        signboard.verify_code(post, "13700000000", "000000")
    assert _errors(a.value, "code") == _errors(b.value, "code")


def test_limits_per_number_and_per_address(world, post):
    now = timezone.now()
    signboard.send_code(post, MOBILE, now=now)
    with pytest.raises(ValidationError) as e:
        signboard.send_code(post, MOBILE, now=now + datetime.timedelta(seconds=10))
    assert "秒后" in _errors(e.value, "mobile")
    for minutes in (2, 4):
        signboard.send_code(post, MOBILE, now=now + datetime.timedelta(minutes=minutes))
    with pytest.raises(ValidationError) as e:
        signboard.send_code(post, MOBILE, now=now + datetime.timedelta(minutes=6))
    assert "过多" in _errors(e.value, "mobile")
    # One address asking codes for many numbers.
    for i in range(signboard.OTP["per_address_per_hour"]):
        signboard.send_code(post, f"1350000{i:04d}", ip="10.9.9.9", now=now)
    with pytest.raises(ValidationError) as e:
        signboard.send_code(post, "13600000000", ip="10.9.9.9", now=now)
    assert "过多" in _errors(e.value, "mobile")


def test_bad_mobile_is_named(world, post):
    with pytest.raises(ValidationError) as e:
        signboard.send_code(post, "12345")
    assert "手机号" in _errors(e.value, "mobile")


def test_only_this_post_s_recent_unrated_transactions(world, post):
    mine = import_one(world, rater_phone=MOBILE)
    import_one(world, window="B01", person="张二层", rater_phone=MOBILE)  # another post's window
    import_one(world, rater_phone=MOBILE, accepted_at=timezone.now() - datetime.timedelta(days=40))
    assert signboard.find_by_number(post, mine.number.lower()) == mine
    signboard.send_code(post, MOBILE)
    assert signboard.verify_code(post, MOBILE, _code_from_outbox()) == [mine.pk]


def test_number_path_refuses_others_and_rated(world, post):
    other = import_one(world, window="B01", person="张二层")
    with pytest.raises(ValidationError) as e:
        signboard.find_by_number(post, other.number)
    assert "没有" in _errors(e.value, "number")
    mine = import_one(world)
    Transaction.objects.filter(pk=mine.pk).update(rated=True)
    with pytest.raises(ValidationError) as e:
        signboard.find_by_number(post, mine.number)
    assert "已评价" in _errors(e.value, "number")


def test_number_guessing_is_limited_per_address(world, post):
    mine = import_one(world)
    for i in range(signboard.OTP["lookups_per_address_per_hour"]):
        with pytest.raises(ValidationError):
            signboard.find_by_number(post, f"GUESS{i}", ip="10.7.7.7")
    with pytest.raises(ValidationError) as e:
        signboard.find_by_number(post, mine.number, ip="10.7.7.7")
    assert "过多" in _errors(e.value, "number")
    assert signboard.find_by_number(post, mine.number, ip="10.7.7.8") == mine


def test_pages_number_path_rates_once(world, client, post):
    txn = import_one(world)
    url = reverse("ratings:rate-post", args=[post.code])
    response = client.post(url, {"action": "number", "number": "NOPE-1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="number-error"' in html and 'value="NOPE-1"' in html
    response = client.post(url, {"action": "number", "number": txn.number})
    assert response.status_code == 302 and response["Location"].startswith("/r/")
    assert client.post(response["Location"], {"level": "5"}).status_code == 200
    assert Rating.objects.get(transaction=txn).channel == "qr"
    response = client.post(url, {"action": "number", "number": txn.number})
    assert response.status_code == 400 and "已评价" in response.content.decode()


def test_pages_mobile_path(world, client, post):
    txn = import_one(world, rater_phone=MOBILE)
    url = reverse("ratings:rate-post", args=[post.code])
    html = client.post(url, {"action": "send", "mobile": MOBILE}).content.decode()
    assert 'id="code-sent"' in html and f'value="{MOBILE}"' in html
    response = client.post(url, {"action": "verify", "mobile": MOBILE, "code": "12"})
    assert response.status_code == 400 and 'id="code-error"' in response.content.decode()
    response = client.post(url, {"action": "verify", "mobile": MOBILE, "code": _code_from_outbox()})
    assert response.status_code == 302
    mine = client.get(response["Location"]).content.decode()
    assert txn.service_item in mine and "/r/" in mine
    # Another visitor without the code sees no list.
    from django.test import Client

    assert Client().get(response["Location"]).status_code == 302


def test_signboard_rate_page_costs_a_fixed_number_of_queries(world, client, post, django_assert_max_num_queries):
    for _i in range(5):
        import_one(world, rater_phone=MOBILE)
    url = reverse("ratings:rate-post", args=[post.code])
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    # Sending a code: the limits, one insert, one existence check; the same however many transactions.
    with django_assert_max_num_queries(12):
        assert client.post(url, {"action": "send", "mobile": MOBILE}).status_code == 200
