import os
import shutil
from pathlib import Path

import pytest

from . import migrated_db
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
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_use_migrations,
                    django_db_keepdb, django_db_createdb, django_db_modify_db_settings, tmp_path_factory):
    """pytest-django's test database, a copy of the run's one migrated database (tests/migrated_db.py)
    instead of a migrate per xdist worker. Settings this does not cover (several databases, --reuse-db,
    --no-migrations) get pytest-django's own set-up."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    aliases, serialized = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    if len(settings.DATABASES) == 1 and not django_db_keepdb and django_db_use_migrations:
        with django_db_blocker.unblock():
            old_name = migrated_db.setup_test_database(tmp_path_factory, serialize=DEFAULT_DB_ALIAS in serialized)
        config = [(connections[DEFAULT_DB_ALIAS], old_name, True)]
    else:  # pytest-django's own
        if not django_db_use_migrations:
            _disable_migrations()
        with django_db_blocker.unblock():
            config = setup_databases(verbosity=verbosity, interactive=False, aliases=aliases,
                                     serialized_aliases=serialized,
                                     keepdb=django_db_keepdb and not django_db_createdb)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


def pytest_sessionfinish(session):
    """The run's controlling process drops the PostgreSQL template the run migrated (tests/migrated_db.py)."""
    if hasattr(session.config, "workerinput") or not os.environ.get("VANGUARD_DATABASE_URL", "").startswith(
            "postgres"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None:
        migrated_db.drop_postgresql_template(factory.getbasetemp())


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite database file made by `vanguard migrate`, once per run (tests/migrated_db.py): the tests
    that start the product as separate processes (serve, worker) copy it where their processes look."""
    return migrated_db.sqlite_template(tmp_path_factory)


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
