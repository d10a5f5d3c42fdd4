"""Run by test_replica_streaming.py in its own process, with VANGUARD_DATABASE_URL on a primary
and VANGUARD_REPLICA_DATABASE_URL on that primary's streaming standby (not pytest-django's
test databases, which would mirror the replica onto the primary). It migrates the primary,
builds the test world, then requests the figures room's pages as the office while recording
every statement each connection runs, and prints what it saw as one JSON line ("PROBE {...}")
for the test to judge. Nothing here asserts: the test does."""

import datetime
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

TABLES = re.compile(r'(?:FROM|JOIN|INTO|UPDATE|COPY)\s+"([a-z0-9_]+)"', re.I)
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|COPY)\b", re.I)


def wait_replayed(timeout=60):
    """Until the standby has replayed everything the primary has written so far. The target is the
    insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit=off a
    COMMIT returns before the WAL writer writes its record, and the write position can still be
    before it (CI once paused replay there and the standby showed the figure before the refresh)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        [target] = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def request(client, method, url, **data):
    """(status, body, {alias: {"tables": [...], "writes": [...]}}) of one request."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as replica:
        response = getattr(client, method)(url, data) if data or method == "post" else getattr(client, method)(url)
    seen = {}
    for alias, captured in (("default", primary), ("replica", replica)):
        sqls = [q["sql"] for q in captured.captured_queries]
        seen[alias] = {"tables": sorted({t for sql in sqls for t in TABLES.findall(sql)}),
                       "writes": sorted({t for sql in sqls if WRITES.match(sql) for t in TABLES.findall(sql)}),
                       "queries": len(sqls)}
    body = response.content.decode("utf-8", "replace") if response.get("Content-Type", "").startswith(
        ("text/", "application/json")) else ""
    return response.status_code, body, seen


def accepted(body):
    """This month's "matters accepted" in the figures API's answer."""
    data = json.loads(body)
    return next(f["this_month"]["value"] for f in data["figures"] if f["key"] == "accepted"), data


def main():
    from tests.ratings.conftest import import_one, rate
    from tests.world import build_world
    from vanguard.core.system import SYSTEM
    from vanguard.dashboard import screen, services
    from vanguard.dashboard.models import Figure

    # As tests/conftest.py does: fast password hashing, static files without collectstatic's manifest.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    out = {}
    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    out["migrate_seconds"] = round(time.monotonic() - started, 1)
    setup_test_environment()
    started = time.monotonic()
    world = build_world()
    now = timezone.now()
    for i, level in enumerate((5, 4, 1)):
        rate(import_one(world, accepted_at=now - datetime.timedelta(minutes=20 + i)), level)
    services.refresh_figures(SYSTEM, [world.centre])
    big = services.create_screen(world.office, world.centre, name="一层大厅")
    out["world_seconds"] = round(time.monotonic() - started, 1)
    out["replayed"] = wait_replayed()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        out["replica_in_recovery"] = cursor.fetchone()[0]

    client = Client()
    client.force_login(world.office)
    scope = f"centre:{world.centre.pk}"
    month = f"{timezone.localdate():%Y-%m}"
    pages = {
        "dashboard": ("get", f"/figures/?scope={scope}&month={month}"),
        "rows": ("get", f"/figures/rows/?metric=accepted&scope={scope}&month={month}"),
        "city": ("get", f"/figures/city/?month={month}"),
        "api": ("get", f"/api/v1/figures/?scope={scope}&month={month}"),
        "big_screen": ("get", screen.data_url_of(big)),
        "report": ("get", f"/figures/report/?format=docx&centre={world.centre.code}&year={timezone.localdate().year}"),
    }
    out["pages"] = {}

    def reports_made():  # audit rows of reports, on the primary (COPY bypasses the captured cursor)
        from vanguard.core.audit_events import Event
        from vanguard.core.models import AuditEntry

        return AuditEntry.objects.using("default").filter(verb=Event.REPORT_MADE).count()

    for name, (method, url) in pages.items():
        made = reports_made()
        status, body, seen = request(client, method, url)
        out["pages"][name] = {"status": status, **seen, "reports_audited": reports_made() - made}
        if name == "dashboard":
            out["lag_caught_up"] = re.findall(r'data-lag="(\d+)"', body)
        if name == "api":
            out["accepted_before"], data = accepted(body)
            out["api_lag_caught_up"] = data["replica_lag_seconds"]

    # A write from a page: recomputing the figures after one more matter.
    import_one(world, accepted_at=now - datetime.timedelta(minutes=15))
    wait_replayed()
    status, _body, seen = request(client, "post", "/figures/refresh/", next="/figures/")
    out["refresh"] = {"status": status, **seen}
    out["primary_after_refresh"] = Figure.objects.using("default").get(
        centre=world.centre, dim="centre", key=0, metric="accepted", month=timezone.localdate().replace(day=1)).n
    out["replayed_after_refresh"] = wait_replayed()

    # The lag a user sees: replay paused on the standby, a new matter and new figures on the primary.
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
        for _i in range(100):
            cursor.execute("SELECT pg_get_wal_replay_pause_state()")
            if cursor.fetchone()[0] == "paused":
                break
            time.sleep(0.05)
    import_one(world, accepted_at=now - datetime.timedelta(minutes=5))
    services.refresh_figures(SYSTEM, [world.centre])
    out["primary_accepted"] = Figure.objects.using("default").get(
        centre=world.centre, dim="centre", key=0, metric="accepted", month=timezone.localdate().replace(day=1)).n
    time.sleep(2.5)
    _status, body, _seen = request(client, "get", pages["api"][1])
    out["accepted_paused"], data = accepted(body)
    out["api_lag_paused"] = data["replica_lag_seconds"]
    _status, body, _seen = request(client, "get", pages["dashboard"][1])
    out["lag_paused"] = re.findall(r'data-lag="(\d+)"', body)
    # The report made now reads its figures from the lagging replica, but its audit row chains
    # onto the primary's last entry (the refresh's), not the replica's older one.
    made = reports_made()
    status, _body, seen = request(client, "get", pages["report"][1])
    out["report_paused"] = {"status": status, **seen, "reports_audited": reports_made() - made}
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    out["replayed_after_resume"] = wait_replayed()
    _status, body, _seen = request(client, "get", pages["api"][1])
    out["accepted_resumed"], data = accepted(body)
    out["api_lag_resumed"] = data["replica_lag_seconds"]
    from vanguard.core import audit

    checked, broken = audit.verify()
    out["audit_entries"], out["audit_broken"] = checked, str(broken[1]) if broken else None
    print("PROBE " + json.dumps(out, default=str), flush=True)


if __name__ == "__main__":
    main()
