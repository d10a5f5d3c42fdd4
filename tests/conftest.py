import os
import shutil
from pathlib import Path

import pytest

from .world import PASSWORD, build_world


def pytest_sessionstart(session):
    """Compile the apps' catalogues (each only if its .po is newer than its .mo), so that
    a bare `pytest` on a fresh checkout tests the Chinese interface, not the msgids."""
    if shutil.which("msgfmt") is None:
        return
    from django.core.management import call_command

    cwd = os.getcwd()
    root = Path(__file__).resolve().parent.parent / "vanguard"
    try:
        for po in sorted(root.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
            os.chdir(po.parents[3])  # compilemessages works on the current directory's locale/
            call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
    finally:
        os.chdir(cwd)
    # A catalogue read while collecting tests would otherwise stay the stale one.
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def login(client):
    """login(user) -> the test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2's deliberate slowness is for production; tests log in dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The hashed manifest exists only after collectstatic; pages under test use the plain names.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
