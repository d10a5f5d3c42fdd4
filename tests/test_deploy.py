"""Production settings: Django's deploy checks pass, and behind a reverse proxy the
login lock-out counts the real client, not the proxy."""

import os
import secrets
import subprocess
import sys

from axes.helpers import get_client_ip_address


def test_deploy_checks_pass_with_production_settings(tmp_path):
    env = {**os.environ, "VANGUARD_DEBUG": "0", "VANGUARD_SECURE": "1",
           "VANGUARD_ALLOWED_HOSTS": "example.org", "VANGUARD_SECRET_KEY": secrets.token_urlsafe(64),
           "VANGUARD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "vanguard.settings"}
    env.pop("VANGUARD_DATABASE_URL", None)
    # The browser harness sets this for Playwright in the test process; a server never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = subprocess.run([sys.executable, "-m", "vanguard", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_lockout_uses_the_forwarded_client_only_when_trusted(settings, rf):
    headers = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1", "REMOTE_ADDR": "127.0.0.1"}
    settings.TRUST_X_FORWARDED_FOR = True
    assert get_client_ip_address(rf.post("/accounts/login/", **headers)) == "203.0.113.9"
    settings.TRUST_X_FORWARDED_FOR = False
    assert get_client_ip_address(rf.post("/accounts/login/", **headers)) == "127.0.0.1"
