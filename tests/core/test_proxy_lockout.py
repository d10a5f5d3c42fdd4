"""Login behind a proxy (issue 11, point 4): the client address is the one the
trusted proxy appended, not what the client wrote into X-Forwarded-For; and an
account is paused after too many failures from any mix of addresses."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from vanguard.core import accounts
from vanguard.core.middleware import client_ip
from vanguard.core.models import AuditEntry


def _request(remote="10.0.0.2", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_the_address_the_proxy_appended_is_the_client(settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote 6.6.6.6; nginx appended the address it saw.
    assert client_ip(_request(forwarded="6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request(forwarded="198.51.100.7")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2  # a CDN in front of nginx: the CDN's entry is second from the right
    assert client_ip(_request(forwarded="6.6.6.6, 198.51.100.7, 203.0.113.1")) == "198.51.100.7"
    # Fewer entries than proxies, or rubbish: the direct peer.
    assert client_ip(_request(forwarded="198.51.100.7")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded="6.6.6.6, not-an-address")) == "10.0.0.2"


def test_without_trust_the_header_is_ignored(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(_request(forwarded="6.6.6.6")) == "10.0.0.2"


@pytest.mark.django_db
def test_rotating_the_forged_first_address_does_not_defeat_the_lockout(client, world, password, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "office", "password": "wrong-password-1"},
                    HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7")
    response = client.post(reverse("login"), {"username": "office", "password": password},
                           HTTP_X_FORWARDED_FOR="10.9.9.200, 198.51.100.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_audit_trail_records_the_appended_address(client, world, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    client.force_login(world.office)
    client.post(reverse("core:account-active", args=[world.member.pk]), {"active": "0"},
                HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    entry = AuditEntry.objects.filter(model="core.user", object_id=str(world.member.pk)).latest("id")
    assert entry.ip_address == "198.51.100.7"


@pytest.mark.django_db
def test_spraying_from_many_addresses_pauses_the_account_and_says_so(client, world, password, settings):
    settings.ACCOUNT_FAILURE_LIMIT = 8
    # Two failures from each of four addresses: never the per-address limit, but 8 for the account.
    for n in range(8):
        client.post(reverse("login"), {"username": "office", "password": "wrong-password-1"},
                    REMOTE_ADDR=f"198.51.100.{n // 2}")
    response = client.post(reverse("login"), {"username": "office", "password": password},
                           REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    text = response.content.decode()
    assert "30" in text and "分钟" in text and "不同地址" in text
    assert "_auth_user_id" not in client.session
    # Another account from the same addresses is not affected.
    accounts.set_password(world.admin, world.member, "Chuangkou-2026-dangjian")
    ok = client.post(reverse("login"), {"username": "member", "password": "Chuangkou-2026-dangjian"},
                     REMOTE_ADDR="198.51.100.1")
    assert ok.status_code == 302
