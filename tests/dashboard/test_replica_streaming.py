"""The figures room against a real PostgreSQL streaming replica (issue 17, point 6).

The test starts its own primary (initdb, on loopback) and a hot standby made from it with
pg_basebackup, streaming, then runs tests/dashboard/replica_probe.py with
VANGUARD_DATABASE_URL on the primary and VANGUARD_REPLICA_DATABASE_URL on the standby. It
proves: the dashboard, the rows page, the city roll-up, the figures API, the big screen and
the annual report read the figures from the replica and not from the primary; writes (the
refresh, the report's audit row) go to the primary and never to the replica; and, with
replay paused on the standby, the API keeps the old number while the primary has the new one,
and the page and the API say how many seconds behind the primary they are; after replay
resumes they show the new number and no lag.

Run by `make test-replica` (part of `make test`) and CI's "replica" step (marker `replica`).
Skipped only when Debian's PostgreSQL server binaries are not installed."""

import glob
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.replica
NEEDED = ("initdb", "pg_ctl", "pg_basebackup")


def _bindir():
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if all(os.path.exists(f"{d}/{n}") for n in NEEDED)]
    found.sort(key=lambda d: [int(n) for n in re.findall(r"\d+", d)])
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _ports():
    """VANGUARD_TEST_REPLICA_PORTS="P1,P2", or two free ports."""
    if os.environ.get("VANGUARD_TEST_REPLICA_PORTS"):
        return [int(p) for p in os.environ["VANGUARD_TEST_REPLICA_PORTS"].split(",")]
    ports = []
    for _i in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    return ports


class Clusters:
    """A primary and its streaming standby in a temporary directory (as root, owned by `postgres`)."""

    def __init__(self, bindir):
        self.bin = bindir
        self.user = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
        self.prefix = ["runuser", "-u", self.user.pw_name, "--"] if self.user else []
        self.top = tempfile.mkdtemp(prefix="vanguard-replica-")
        if self.user:
            os.chown(self.top, self.user.pw_uid, self.user.pw_gid)
        self.primary_port, self.standby_port = _ports()
        self.running = []

    def run(self, *args):
        subprocess.run([*self.prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self, name, port):
        options = (f"-p {port} -k {self.top} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
                   "-c synchronous_commit=off -c max_connections=30 -c wal_level=replica -c max_wal_senders=4 "
                   "-c hot_standby=on -c wal_receiver_status_interval=1")
        self.run(f"{self.bin}/pg_ctl", "-D", f"{self.top}/{name}", "-l", f"{self.top}/{name}.log", "-o", options,
                 "-w", "-t", "120", "start")
        self.running.append(name)

    def up(self):
        self.run(f"{self.bin}/initdb", "-D", f"{self.top}/primary", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")
        self.start("primary", self.primary_port)
        self.run(f"{self.bin}/pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                 "-D", f"{self.top}/standby", "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
        self.start("standby", self.standby_port)

    def url(self, port):
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def logs(self):
        text = []
        for name in ("primary", "standby"):
            path = Path(self.top) / f"{name}.log"
            if path.exists():
                text.append(f"--- {name}.log\n" + path.read_text(errors="replace")[-2000:])
        return "\n".join(text)

    def down(self):
        for name in reversed(self.running):
            subprocess.run([*self.prefix, f"{self.bin}/pg_ctl", "-D", f"{self.top}/{name}", "-m", "immediate", "-w",
                            "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.top, ignore_errors=True)


@pytest.fixture(scope="module")
def probe():
    bindir = _bindir()
    if not bindir:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql/*/bin "
                    "or on PATH: install them with `bash scripts/install-system-deps.sh --postgresql`")
    clusters = Clusters(bindir)
    try:
        try:
            clusters.up()
        except subprocess.CalledProcessError as e:
            pytest.fail(f"could not start the primary and its standby: {e.cmd}\n{e.stderr.decode(errors='replace')}"
                        f"\n{clusters.logs()}")
        data_dir = tempfile.mkdtemp(prefix="vanguard-replica-data-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("VANGUARD_")}
        env.update({"VANGUARD_DATABASE_URL": clusters.url(clusters.primary_port),
                    "VANGUARD_REPLICA_DATABASE_URL": clusters.url(clusters.standby_port),
                    "VANGUARD_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)})
        done = subprocess.run([sys.executable, str(Path(__file__).with_name("replica_probe.py"))], env=env,
                              capture_output=True, text=True, timeout=600, cwd=ROOT)
        shutil.rmtree(data_dir, ignore_errors=True)
        lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
        if done.returncode or not lines:
            pytest.fail(f"replica_probe.py failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
                        f"\n{clusters.logs()}")
        print(lines[-1])  # shown with -rP: what each page read where, the timings
        return json.loads(lines[-1][len("PROBE "):])
    finally:
        clusters.down()


def test_the_standby_streams_from_the_primary(probe):
    assert probe["replica_in_recovery"] is True
    assert probe["replayed"] is True


@pytest.mark.parametrize("page", ["dashboard", "rows", "city", "api", "big_screen", "report"])
def test_the_figures_pages_read_their_figures_from_the_replica(probe, page):
    seen = probe["pages"][page]
    assert seen["status"] == 200
    figure_tables = {"dashboard_figure", "dashboard_refresh"} if page != "big_screen" else {"ratings_transaction"}
    if page == "rows":
        figure_tables = {"ratings_transaction", "dashboard_refresh"}
    assert figure_tables <= set(seen["replica"]["tables"]), seen
    assert not figure_tables & set(seen["default"]["tables"]), seen
    assert seen["replica"]["writes"] == []


@pytest.mark.parametrize("when", ["caught_up", "paused"])
def test_the_report_writes_its_audit_row_on_the_primary(probe, when):
    seen = probe["pages"]["report"] if when == "caught_up" else probe["report_paused"]
    assert seen["status"] == 200
    assert seen["reports_audited"] == 1, seen
    assert "dashboard_figure" in seen["replica"]["tables"], seen


def test_the_audit_chain_holds_although_the_report_was_made_from_a_lagging_replica(probe):
    assert probe["audit_entries"] > 0
    assert probe["audit_broken"] is None


def test_a_refresh_writes_on_the_primary_only(probe):
    seen = probe["refresh"]
    assert seen["status"] == 302
    assert {"dashboard_figure", "dashboard_refresh"} <= set(seen["default"]["writes"]), seen
    assert seen["replica"]["queries"] == 0, seen


def test_caught_up_the_page_and_the_api_say_so(probe):
    assert probe["lag_caught_up"] == ["0"]
    assert probe["api_lag_caught_up"] < 1  # the request's own session write may not be replayed yet
    assert probe["accepted_before"] == 3


def test_with_replay_paused_the_user_sees_the_old_figure_and_how_old_it_is(probe):
    assert probe["primary_after_refresh"] == 4  # the page's refresh counted the fourth matter
    assert probe["replayed_after_refresh"] is True
    assert probe["primary_accepted"] == 5
    assert probe["accepted_paused"] == 4
    assert probe["api_lag_paused"] >= 2
    [lag] = probe["lag_paused"]
    assert int(lag) >= 2


def test_after_replay_resumes_the_new_figure_shows(probe):
    assert probe["replayed_after_resume"] is True
    assert probe["accepted_resumed"] == 5
    assert probe["api_lag_resumed"] == 0
