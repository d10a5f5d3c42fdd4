"""One `vanguard migrate` per database vendor per run; every test database is a copy of its result.

A full migrate costs ~35 s of CPU, and a run made about eleven: one per xdist worker and vendor,
one for the SQLite file the serve and worker tests start from, one for the killed-worker test's
PostgreSQL database, one for the browser tests. Now the first process of the run that needs a
migrated database builds it with the command production runs (`vanguard migrate`, in a process of
its own), holding a file lock; the others wait on the lock, then copy it: SQLite with its backup API
(into a worker's in-memory test database) or a file copy, PostgreSQL with CREATE DATABASE ... TEMPLATE.

The migrations still run in every run, each vendor's once: the SQLite file lives in the run's
temporary directory, and the PostgreSQL template is dropped and migrated again by the run's first
process (and dropped by the run's end, pytest_sessionfinish in conftest.py). `make test` and .ci/run
let their several pytest invocations (SQLite, PostgreSQL, browser) share one SQLite file through
VANGUARD_TEST_MIGRATED_DIR, a directory they empty when they start; its file is named after a hash of
the code the migrations run with (every .py under vanguard/, Django's version), so an edit between two
invocations migrates again."""

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def run_dir(tmp_path_factory):
    """The directory shared by the run's processes: pytest's base temporary directory, above each
    xdist worker's own."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@contextmanager
def _locked(directory):
    with open(directory / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _code_key():
    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted((ROOT / "vanguard").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _migrate(database_url, data_dir):
    """`vanguard migrate` against database_url, as production runs it (none of this run's VANGUARD_
    settings but the database and a data directory of its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANGUARD_")}
    env.update({"DJANGO_SETTINGS_MODULE": "vanguard.settings", "VANGUARD_DATA_DIR": str(data_dir),
                "VANGUARD_DATABASE_URL": database_url})
    subprocess.run([sys.executable, "-m", "vanguard", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT,
                   check=True)


def sqlite_template(tmp_path_factory):
    """The path of this run's migrated SQLite file, made by the first process to ask."""
    shared = os.environ.get("VANGUARD_TEST_MIGRATED_DIR")
    directory = Path(shared) if shared else run_dir(tmp_path_factory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (f"migrated-{_code_key()}.sqlite3" if shared else "migrated.sqlite3")
    with _locked(directory):
        if not path.exists():
            build = Path(tmp_path_factory.mktemp("migrating"))
            _migrate(f"sqlite:///{build / 'db.sqlite3'}", build)
            # WAL mode: fold the log into the file, so that the file alone is the whole database.
            conn = sqlite3.connect(build / "db.sqlite3")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            shutil.copyfile(build / "db.sqlite3", path.with_suffix(".partial"))
            os.replace(path.with_suffix(".partial"), path)
    return path


def postgresql_url(name):
    """VANGUARD_DATABASE_URL's server, database `name`."""
    parts = urlsplit(os.environ["VANGUARD_DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + name))


def template_name():
    """The PostgreSQL template's name: test_<database>_migrated, beside pytest-django's test_<database>_gwN."""
    return "test_" + urlsplit(os.environ["VANGUARD_DATABASE_URL"]).path.lstrip("/") + "_migrated"


def _admin(sql):
    import psycopg

    with psycopg.connect(postgresql_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def postgresql_template(tmp_path_factory):
    """The name of this run's migrated PostgreSQL database (a template to copy), made by the first
    process to ask: one left by an earlier run is dropped and made again."""
    directory = run_dir(tmp_path_factory)
    done = directory / "migrated-postgresql.done"
    name = template_name()
    with _locked(directory):
        if not done.exists():
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _admin(f'CREATE DATABASE "{name}"')
            build = Path(tmp_path_factory.mktemp("migrating"))
            _migrate(postgresql_url(name), build)
            done.write_text(name)
    return name


def drop_postgresql_template(run_directory):
    """At the run's end (its controlling process): drop the template this run made, if it made one."""
    done = Path(run_directory) / "migrated-postgresql.done"
    if done.exists():
        _admin(f'DROP DATABASE IF EXISTS "{done.read_text()}" WITH (FORCE)')
        done.unlink()


def copy_postgresql(template, name):
    """A new database `name`, a copy of the template (any older one of that name dropped)."""
    import psycopg

    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for attempt in range(50):
        try:
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return
        except psycopg.errors.ObjectInUse:
            # The template is copied only while nobody is connected to it: the migrating process has
            # exited, but its server process may take a moment to go.
            if attempt == 49:
                raise
            time.sleep(0.2)


def copy_sqlite(template, connection):
    """The template's pages into `connection`'s (open, empty) database."""
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    try:
        source.backup(connection)
    finally:
        source.close()


def setup_test_database(tmp_path_factory, serialize):
    """What pytest-django's django_db_setup does for the default database (Django's create_test_db),
    the migrate replaced by a copy of the run's migrated database. Returns the old name, for
    django.test.utils.teardown_databases."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    test_name = creation._get_test_db_name()
    if connection.vendor == "postgresql":
        copy_postgresql(postgresql_template(tmp_path_factory), test_name)
    template = sqlite_template(tmp_path_factory) if connection.vendor == "sqlite" else None
    connection.close()
    settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    if template is not None:
        if creation.is_in_memory_db(test_name):
            connection.ensure_connection()
            copy_sqlite(template, connection.connection)
        else:
            if os.path.exists(test_name):
                os.remove(test_name)
            shutil.copyfile(template, test_name)
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=DEFAULT_DB_ALIAS)
    connection.ensure_connection()
    return old_name
