"""Links that work: the public address printed into QR codes, slips and SMS links."""

import os

import pytest
from django.core.management import call_command

from vanguard.core import addresses


def test_configured_public_address_wins(monkeypatch):
    monkeypatch.setenv("VANGUARD_PUBLIC_BASE_URL", "https://dangjian.example.gov.cn/")
    monkeypatch.setenv("VANGUARD_PORT", "8123")
    assert addresses.public_base_url() == "https://dangjian.example.gov.cn"


def test_without_one_the_listen_address_is_used(monkeypatch):
    monkeypatch.delenv("VANGUARD_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("VANGUARD_HOST", "10.0.0.5")
    monkeypatch.setenv("VANGUARD_PORT", "8123")
    assert addresses.public_base_url() == "http://10.0.0.5:8123"
    monkeypatch.setenv("VANGUARD_HOST", "0.0.0.0")  # noqa: S104 - listening everywhere: the machine's name
    assert addresses.public_base_url() == f"http://{addresses.socket.gethostname()}:8123"


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:8000", True), ("http://localhost:8000", True), ("http://[::1]:8000", True),
    ("http://127.8.0.1", True), ("https://dangjian.example.gov.cn", False), ("http://10.0.0.5:8000", False),
])
def test_loopback_addresses(url, loopback):
    assert addresses.is_loopback(url) is loopback


@pytest.mark.django_db
def test_serve_makes_links_name_the_address_it_listens_on(monkeypatch, settings, world):
    """`vanguard serve --port 8765`: a signboard's QR code and an invitation's slip link
    reach that server, in this process and in gunicorn's workers (environment)."""
    from tests.posts.conftest import make_post
    from vanguard.core.management.commands import serve

    monkeypatch.delenv("VANGUARD_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("VANGUARD_HOST", "127.0.0.1")
    monkeypatch.setenv("VANGUARD_PORT", "8000")
    started = {}
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: started.update(argv=argv, env=dict(os.environ)))
    call_command("serve", "--port", "8765", "--host", "192.168.1.20")
    assert "192.168.1.20:8765" in started["argv"]
    assert started["env"]["VANGUARD_PORT"] == "8765" and started["env"]["VANGUARD_HOST"] == "192.168.1.20"
    assert settings.PUBLIC_BASE_URL == "http://192.168.1.20:8765"
    post = make_post(world, name="测试先锋岗")
    assert post.public_url.startswith("http://192.168.1.20:8765/p/")

