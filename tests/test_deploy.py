"""Production settings: Django's deploy checks pass, and behind a reverse proxy the
login lock-out counts the real client, not the proxy."""

import os
import secrets
import subprocess
import sys

from axes.helpers import get_client_ip_address


def deploy_check(tmp_path, **extra):
    env = {**os.environ, "VANGUARD_DEBUG": "0", "VANGUARD_SECURE": "1",
           "VANGUARD_ALLOWED_HOSTS": "example.org", "VANGUARD_SECRET_KEY": secrets.token_urlsafe(64),
           "VANGUARD_PUBLIC_BASE_URL": "https://example.org",
           "VANGUARD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "vanguard.settings", **extra}
    for name in ("VANGUARD_DATABASE_URL", "VANGUARD_HOST", "VANGUARD_PORT"):
        env.pop(name, None)
    env = {k: v for k, v in env.items() if v is not None}
    # The browser harness sets this for Playwright in the test process; a server never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run([sys.executable, "-m", "vanguard", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_deploy_checks_pass_with_production_settings(tmp_path):
    run = deploy_check(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr


def test_deploy_check_warns_about_a_loopback_public_address(tmp_path):
    run = deploy_check(tmp_path, VANGUARD_PUBLIC_BASE_URL=None)  # falls back to 127.0.0.1:8000
    assert run.returncode != 0
    assert "vanguard.W001" in run.stderr and "http://127.0.0.1:8000" in run.stderr
    run = deploy_check(tmp_path, VANGUARD_PUBLIC_BASE_URL="http://localhost:8000/")
    assert "vanguard.W001" in run.stderr


def test_lockout_uses_the_forwarded_client_only_when_trusted(settings, rf):
    # The client wrote 6.6.6.6 itself; the trusted proxy appended the address it saw (203.0.113.9).
    headers = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9", "REMOTE_ADDR": "127.0.0.1"}
    settings.TRUST_X_FORWARDED_FOR = True
    assert get_client_ip_address(rf.post("/accounts/login/", **headers)) == "203.0.113.9"
    settings.TRUST_X_FORWARDED_FOR = False
    assert get_client_ip_address(rf.post("/accounts/login/", **headers)) == "127.0.0.1"
