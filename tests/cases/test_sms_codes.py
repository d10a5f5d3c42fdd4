"""The shared one-time SMS code rules (vanguard/core/sms_codes.py) that the signboard's rating
codes and the cases' mobile proofs both use: limits, keyed hashes, the checks of a code."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from vanguard.cases import verification
from vanguard.cases.models import MobileCheck
from vanguard.core import sms_codes
from vanguard.ratings import signboard

pytestmark = pytest.mark.django_db


def test_the_limits_and_hashes_are_the_same_everywhere():
    assert signboard.OTP is sms_codes.OTP and verification.OTP is sms_codes.OTP
    # The stored hashes keep their namespace: checks written before still verify.
    from django.utils.crypto import salted_hmac

    assert signboard._hash("mobile", "13900000000") == salted_hmac(
        "vanguard.ratings.signboard.mobile", "13900000000").hexdigest()
    assert verification._key("13900000000") == salted_hmac(
        "vanguard.ratings.signboard.case-mobile", "13900000000").hexdigest()
    assert sms_codes.keyed_hash("a", "b", "x") != sms_codes.keyed_hash("a", "c", "x")
    code = sms_codes.new_sms_code()
    assert len(code) == 6 and code.isdigit()
    assert set(sms_codes.random_code("AB", 20)) <= {"A", "B"}


def test_send_limits_per_number_and_address():
    now = timezone.now()
    key = verification._key("13900000001")

    def row(at, ip="10.0.0.1", k=key):
        MobileCheck.objects.create(key_hash=k, code_hash="x", ip_address=ip, created_at=at, expires_at=at)

    def limits(ip="10.0.0.1"):
        sms_codes.check_send_limits(sms_codes.within_hour(MobileCheck.objects.filter(key_hash=key), now),
                                    sms_codes.within_hour(MobileCheck.objects.filter(ip_address=ip), now),
                                    now=now, field="contact_mobile")

    limits()
    row(now - datetime.timedelta(seconds=10))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        limits()
    assert "秒" in e.value.message_dict["contact_mobile"][0]
    MobileCheck.objects.all().delete()
    for minutes in (50, 40, 30):
        row(now - datetime.timedelta(minutes=minutes))
    with pytest.raises(ValidationError):
        limits()
    row(now - datetime.timedelta(minutes=70))  # older than an hour: not counted
    assert sms_codes.within_hour(MobileCheck.objects.all(), now).count() == 3
    MobileCheck.objects.all().delete()
    for i in range(sms_codes.OTP["per_address_per_hour"]):
        row(now - datetime.timedelta(minutes=5), k=f"other{i}")
    with pytest.raises(ValidationError):
        limits()
    limits(ip="10.0.0.2")


def test_check_code_counts_wrong_attempts_and_refuses_used_or_expired():
    now = timezone.now()
    saved = []
    check = SimpleNamespace(expires_at=now + datetime.timedelta(minutes=5), attempts=0, code_hash="right",
                            save=lambda update_fields: saved.append(update_fields))
    assert sms_codes.check_code(check, "right", used=False, now=now) == ""
    with translation.override("zh-hans"):
        assert "4" in sms_codes.check_code(check, "wrong", used=False, now=now)
        assert check.attempts == 1 and saved == [["attempts"]]
        assert sms_codes.check_code(check, "right", used=True, now=now)
        assert sms_codes.check_code(None, "right", used=False, now=now)
        check.attempts = sms_codes.OTP["max_attempts"]
        assert sms_codes.check_code(check, "right", used=False, now=now)
    with pytest.raises(ValidationError):
        sms_codes.clean_code("12ab56")
    assert sms_codes.clean_code(" 123456 ") == "123456"
