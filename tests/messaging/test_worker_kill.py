"""Sent once, proven with real processes: a `vanguard worker` is SIGKILLed in the
middle of a broadcast to a few thousand people, then restarted next to a second
worker. What the gateway received (the `file` channel's outbox) is compared with
what was queued: every message exactly once, none lost, none twice."""

import collections
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .. import migrated_db

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 3000


def python(env, code):
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env, cwd=ROOT,
                          check=True, capture_output=True, text=True, timeout=120).stdout


def start_worker(env, log):
    return subprocess.Popen([sys.executable, "-m", "vanguard", "worker", "--interval", "0.1",
                             "--schedule-interval", "0.5"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


class Database:
    """The scenario's own database, a copy of the run's migrated one (tests/migrated_db.py): a SQLite
    file, or a PostgreSQL database beside the one the suite runs on (so the workers, separate
    processes, share it)."""

    def __init__(self, engine, tmp_path, tmp_path_factory):
        self.engine = engine
        if engine == "sqlite":
            self.url = None
            self.path = tmp_path / "data" / "vanguard.sqlite3"
            self.path.parent.mkdir()
            shutil.copyfile(migrated_db.sqlite_template(tmp_path_factory), self.path)
        else:
            base = os.environ["VANGUARD_DATABASE_URL"]
            self.admin_url = base.rsplit("/", 1)[0] + "/postgres"
            self.name = f"{base.rsplit('/', 1)[1]}_kill_{os.getpid()}"
            self.url = base.rsplit("/", 1)[0] + "/" + self.name
            migrated_db.copy_postgresql(migrated_db.postgresql_template(tmp_path_factory), self.name)

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def query(self, sql):
        if self.engine == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(sql).fetchall()

    def drop(self):
        if self.engine != "sqlite":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def counts(db):
    return dict(db.query("SELECT state, COUNT(*) FROM messaging_message GROUP BY state"))


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not os.environ.get("VANGUARD_DATABASE_URL", "").startswith("postgres"),
    reason="the suite runs on SQLite; the PostgreSQL variant runs with the PostgreSQL suite"))]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_killed_worker_sends_each_message_exactly_once(tmp_path, tmp_path_factory, engine):
    db = Database(engine, tmp_path, tmp_path_factory)
    try:
        run_scenario(tmp_path, db)
    finally:
        db.drop()


def run_scenario(tmp_path, db):
    data = tmp_path / "data"
    outbox = tmp_path / "gateway"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANGUARD_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "vanguard.settings", "VANGUARD_DATA_DIR": str(data),
        "VANGUARD_SMS_BACKEND": "file", "VANGUARD_SMS_FILE_PATH": str(outbox), "VANGUARD_SMS_RATE": "600",
        "VANGUARD_SMS_CLAIM_LEASE": "3", "VANGUARD_SMS_DISPATCH_SECONDS": "2", "VANGUARD_SMS_QUIET_HOURS": "",
        "VANGUARD_LOG_LEVEL": "WARNING",
    })
    data.mkdir(exist_ok=True)
    if db.url:
        env["VANGUARD_DATABASE_URL"] = db.url
    python(env, f"from tests.messaging.worker_scenario import setup; setup({RECIPIENTS})")

    logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(3)]  # noqa: SIM115
    first = start_worker(env, logs[0])
    others = []
    try:
        # Kill it once a good part, but not all, has gone out.
        wait_for(lambda: counts(db).get("sent", 0) >= RECIPIENTS // 5, 90, "the first sends")
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = counts(db)
        assert at_kill.get("sent", 0) < RECIPIENTS, "the worker finished before it could be killed"
        # Restart it, with a second worker beside it, and give them work at the same time.
        others = [start_worker(env, logs[1]), start_worker(env, logs[2])]
        python(env, "from tests.messaging.worker_scenario import enqueue; enqueue(4)")
        wait_for(lambda: counts(db).get("sent", 0) + counts(db).get("unknown", 0) == RECIPIENTS
                 and not counts(db).get("sending"), 150, "the broadcast to finish")
    finally:
        for process in [first, *others]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [first, *others]:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()

    final = counts(db)
    received = [json.loads(line) for line in (outbox / "outbox.jsonl").read_text().splitlines()]
    by_message = collections.Counter(int(row["ref"][2:].split("a")[0]) for row in received)
    queued = {pk for (pk,) in db.query("SELECT id FROM messaging_message")}
    mobiles = dict(db.query("SELECT id, mobile FROM messaging_message"))
    duplicates = {pk: n for pk, n in by_message.items() if n > 1}
    assert not duplicates, f"handed to the gateway more than once: {list(duplicates.items())[:10]}"
    assert set(by_message) == queued, f"lost: {len(queued - set(by_message))}, unknown extra: " \
                                      f"{len(set(by_message) - queued)}"
    assert all(mobiles[int(row["ref"][2:].split("a")[0])] == row["to"] for row in received)
    assert final == {"sent": RECIPIENTS}, final
    # Both restarted workers really sent, and the killed one had sent before dying.
    senders = collections.Counter(row["pid"] for row in received)
    assert first.pid in senders and len(senders) >= 3, senders
