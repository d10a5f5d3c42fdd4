import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .world import PASSWORD, build_world
from .world_snapshot import WorldSnapshot


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


def pytest_collection_modifyitems(config, items):
    """Tests marked slow first: with -n 2 the longest ones (the whole demo, the served server) then start
    at once on a worker of their own while the other worker takes the rest, instead of starting last
    and keeping the run waiting for them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite database file made by `vanguard migrate` in a process of its own, once per pytest run.
    The tests that start the product as separate processes (serve, worker) copy it where their
    processes look, instead of each running every migration again: a migration run costs ~35 s of CPU,
    and three of them ran per PostgreSQL pass. Under xdist the workers share the file: the first one
    to ask migrates, holding a lock; the others wait for it, then copy."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, above each worker's own
    path = root / "migrated.sqlite3"
    with open(root / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            build = Path(tmp_path_factory.mktemp("migrating"))
            env = {k: v for k, v in os.environ.items() if not k.startswith("VANGUARD_")}
            env.update({"DJANGO_SETTINGS_MODULE": "vanguard.settings", "VANGUARD_DATA_DIR": str(build),
                        "VANGUARD_DATABASE_URL": f"sqlite:///{build / 'db.sqlite3'}"})
            subprocess.run([sys.executable, "-m", "vanguard", "migrate", "--no-input", "-v0"], env=env,
                           cwd=Path(__file__).resolve().parent.parent, check=True)
            # WAL mode: fold the log into the file, so that the file alone is the whole database.
            with sqlite3.connect(build / "db.sqlite3") as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            shutil.copyfile(build / "db.sqlite3", root / "migrated.partial")
            os.replace(root / "migrated.partial", path)
    return path


@pytest.fixture(scope="session")
def _world_snapshot(django_db_setup, django_db_blocker):
    """build_world() once per test process (see world_snapshot.py)."""
    with django_db_blocker.unblock():
        return WorldSnapshot.capture(build_world)


@pytest.fixture
def world(db, _world_snapshot):
    """The shared test world (tests/world.py), in this test's own transaction: rolled back after it."""
    return _world_snapshot.restore()


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


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_place_maps():
    # The rating path keeps window -> post in a per-process map for 30 s. A test's posts are rolled
    # back after it, and on PostgreSQL their ids are never reused, so a map left from an earlier test
    # names posts that no longer exist.
    from vanguard.ratings import services

    services._POST_CACHE["at"] = 0.0
