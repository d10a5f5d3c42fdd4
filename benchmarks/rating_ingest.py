"""Benchmark: rating ingest through the API, and the figures page at 10 million ratings.

    createdb -h 127.0.0.1 -U postgres vg_ratings
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_ratings \\
        python benchmarks/rating_ingest.py [--workers 4] [--seconds 20] [--concurrency 2] [--batch 25]
        [--figures-rows 10000000] [--skip-ingest]

Ingest: builds a centre of its own (bulk writes) with enough transactions,
starts `vanguard serve` (gunicorn, --workers) on a free loopback port and
posts ratings to POST /api/v1/ratings/ with a token and an Idempotency-Key per
rating, from an asyncio client with --concurrency connections (bounded by
--seconds and --max-requests). With --batch N each request carries N ratings.
It prints sustained ratings per second, p50/p99 latency, and after the run the
stored count against the acknowledged count (and that no transaction holds
two ratings, no acknowledged rating is missing).

The defaults (--batch 25, --concurrency 2) are how ratings arrive: a window
device or the platform collects them and sends them in batches, so the rate is
counted per rating and p99 is the latency of one batch request. One rating a
request (--batch 1, with 16 connections unless --concurrency says otherwise) mostly measures
the fixed cost of a request (HTTP, token, grants, commit) instead.

Figures: generates --figures-rows transactions and ratings PostgreSQL-side
(generate_series) in a second centre of its own, builds the aggregates
set-based (figures.rebuild), and times the figures page of one unit over a
year (GET /ratings/?dimension=unit&key=..., logged in as the office) and the
figures API. The big centre is kept for reruns (found again by its code).

With --batch 1 (a citizen rating from a phone: one rating a request) the run is
printed beside its anchor: the same load on a bare endpoint in the same server
(benchmarks/anchor_urls.py, loaded only through benchmarks/anchor_settings.py) that
authenticates the token and inserts one row, i.e. the fixed cost of a request here.
--port picks the server's port (default: a free one). Where one rating's time goes (statements,
round trips, in-process CPU time beside the anchor's, a cProfile of CPU time): benchmarks/rating_profile.py.

Both runs start after a warm-up (every worker has imported its views and opened its connection)
and print the server's CPU time per request (benchmarks/cpu_meter.py: the gunicorn workers and the
PostgreSQL backends serving them, from /proc), with the rate it allows on this machine's cores when
nothing else runs: on a machine shared with other work that figure moves much less than the rate.
--workers/--threads default to `vanguard serve`'s.

Goals: >= 1,000 ratings/s in batches, >= 300/s one at a time, p99 <= 100 ms, nothing lost or
duplicated; figures <= 300 ms.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from cpu_meter import ServerMeter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

GOAL_RATE = 1000
GOAL_SINGLE_RATE = 300  # --batch 1: a citizen's rating, one a request
GOAL_P99_MS = 100
GOAL_FIGURES_MS = 300
BIG_CODE = "bench-figures"


def setup_django():
    url = os.environ.get("VANGUARD_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("VANGUARD_DATABASE_URL must point to a PostgreSQL database (createdb vg_ratings).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_centre(code, units=10, windows_per_unit=6, people_per_window=3):
    """A centre with floors, branches, units, windows, people and an office account with a token."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from vanguard.core.models import Grant, User
    from vanguard.core.roles import Role
    from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window

    with transaction.atomic():
        centre = ServiceCentre.objects.create(name=f"基准测试中心{code}", code=code)
        root = Organization.objects.create(centre=centre, name="基准局党组", kind=Organization.Kind.LEADING_GROUP)
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        floors, branches = [], []
        for n in range(1, 4):
            floor = Floor.objects.create(centre=centre, number=n, name=f"{n}层大厅")
            branch = Organization.objects.create(centre=centre, parent=root, name=f"{n}层党支部",
                                                 kind=Organization.Kind.BRANCH, floor=floor, depth=1)
            branch.path = f"{root.path}{branch.pk}/"
            branch.save(update_fields=["path"])
            floors.append(floor)
            branches.append(branch)
        unit_objs = Unit.objects.bulk_create([Unit(centre=centre, name=f"基准单位{i}") for i in range(units)])
        windows = Window.objects.bulk_create([
            Window(centre=centre, floor=floors[(u * windows_per_unit + w) % 3], number=f"W{u:02d}{w:02d}",
                   unit=unit, name="综合窗口") for u, unit in enumerate(unit_objs) for w in range(windows_per_unit)])
        people = Person.objects.bulk_create([
            Person(centre=centre, name=f"员工{w.number}{k}", unit_id=w.unit_id, window=w,
                   political_status=Person.Status.FULL if k == 0 else Person.Status.PUBLIC,
                   branch=branches[i % 3] if k == 0 else None)
            for i, w in enumerate(windows) for k in range(people_per_window)])
        user = User.objects.create_user(username=f"office-{code}", password=uuid.uuid4().hex)
        Grant.objects.create(user=user, role=Role.OFFICE, organization=root)
        token = Token.objects.create(user=user)
    return centre, unit_objs, windows, people, user, token.key


def insert_transactions(centre, count, prefix, start_day, rated=False):
    """`count` transactions spread over a year, PostgreSQL-side (generate_series)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            WITH w AS (
                SELECT array_agg(w.id ORDER BY w.id) AS ids, array_agg(w.unit_id ORDER BY w.id) AS units,
                       array_agg((SELECT p.id FROM org_person p WHERE p.window_id = w.id ORDER BY p.id LIMIT 1)
                                 ORDER BY w.id) AS people, count(*) AS n
                FROM org_window w WHERE w.centre_id = %(centre)s)
            INSERT INTO ratings_transaction (centre_id, number, service_item, window_id, person_id, unit_id, kind,
                user_kind, accepted_at, completed_at, rater_name, rater_phone, import_batch, imported_at, rated)
            SELECT %(centre)s, %(prefix)s || g, '企业设立登记', w.ids[1 + g %% w.n], w.people[1 + g %% w.n],
                   w.units[1 + g %% w.n], 'immediate', 'person',
                   %(start)s::timestamptz + (g::float8 / %(count)s) * interval '365 days',
                   %(start)s::timestamptz + (g::float8 / %(count)s) * interval '365 days' + interval '20 minutes',
                   '', '', '', now() - interval '30 days', %(rated)s
            FROM generate_series(0, %(count)s - 1) g CROSS JOIN w
        """, {"centre": centre.pk, "prefix": prefix, "count": count, "start": start_day.isoformat(),
              "rated": rated})


# Ingest ------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BENCH_DIR = Path(__file__).resolve().parent


def stop_server(proc):
    proc.terminate()  # gunicorn finishes its requests first; on a loaded machine that takes a while
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def start_server(workers, port=0, threads=None):
    port = port or free_port()
    # The product's settings plus the anchor route (benchmarks/anchor_settings.py). The workers keep
    # their database connections for the whole run (VANGUARD_DB_CONN_MAX_AGE; the product reconnects each minute: one
    # connection's setup a minute, nothing per request) so the CPU meter sees every backend.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="anchor_settings",
               VANGUARD_DB_CONN_MAX_AGE="3600",
               PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(BENCH_DIR.parent),
                                           os.environ.get("PYTHONPATH", "")]))
    argv = [sys.executable, "-m", "vanguard", "serve", "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    if threads:
        argv += ["--threads", str(threads)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240  # collectstatic runs first
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).read()  # noqa: S310
            return proc, port
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    sys.exit("the server did not start")


async def _request(port, method, path, body, headers):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
            f"Content-Length: {len(body)}", "Content-Type: application/json", *headers]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, data.split(b"\r\n\r\n", 1)[-1]


async def load(port, token, numbers, tag, *, concurrency, seconds, max_requests, batch,
               path="/api/v1/ratings/"):
    counter = iter(range(0, min(len(numbers), max_requests * batch), batch))
    latencies, acked, errors = [], [], {}
    stop_at = time.monotonic() + seconds
    rng = random.Random(1)

    async def worker():
        for start in counter:
            if time.monotonic() > stop_at:
                return
            chunk = numbers[start:start + batch]
            items = [{"transaction": n, "level": rng.choices([5, 4, 3, 2, 1], weights=[800, 140, 50, 7, 3])[0], "channel": "device",
                      "device": f"dev-{i % 40}", "idempotency_key": f"{tag}-{n}"} for i, n in enumerate(chunk)]
            body = json.dumps(items if batch > 1 else items[0]).encode()
            t0 = time.perf_counter()
            try:
                status, _payload = await _request(port, "POST", path, body,
                                                  [f"Authorization: Token {token}"])
            except OSError as e:
                status = f"error {type(e).__name__}"
            latencies.append((time.perf_counter() - t0) * 1000)
            if status in (200, 201):
                acked.extend(chunk)
            else:
                errors[status] = errors.get(status, 0) + 1

    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.monotonic() - t0, latencies, acked, errors


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


def ingest(args):
    from django.db import connection
    from django.db.models import Count

    from vanguard.ratings import figures
    from vanguard.ratings.models import Rating, Transaction

    tag = uuid.uuid4().hex[:6]
    centre, _units, _windows, _people, _user, token = build_centre(f"bench-ingest-{tag}")
    total = args.max_requests * args.batch
    import datetime

    insert_transactions(centre, total, f"I{tag}-", datetime.date.today() - datetime.timedelta(days=364))
    with connection.cursor() as cursor:
        # The bulk setup leaves the statistics stale (autovacuum analyses a live server's tables, and
        # may be off here): the planner then joins a batch's transactions to windows and people by
        # full scans, ~4 ms instead of ~0.7 ms a batch.
        cursor.execute("ANALYZE org_window, org_person, ratings_transaction")
    numbers = list(Transaction.objects.filter(centre=centre).order_by("?").values_list("number", flat=True))
    # Warm-up requests first (not timed): each worker imports the views, opens its connection and
    # prepares its statements, as a server that has been up a while has.
    from vanguard.core.management.commands.serve import default_threads, default_workers

    args.workers, args.threads = args.workers or default_workers(), args.threads or default_threads()
    warm_requests = 10 * args.workers * args.threads
    warm, numbers = numbers[:warm_requests * args.batch], numbers[warm_requests * args.batch:]
    proc, port = start_server(args.workers, args.port, args.threads)
    anchor = None
    meter, anchor_meter = ServerMeter(proc.pid, connection), ServerMeter(proc.pid, connection)
    try:
        _e, _l, warm_acked, _err = asyncio.run(load(
            port, token, warm, f"W{tag}", concurrency=warm_requests // 10, seconds=120,
            max_requests=warm_requests, batch=args.batch))
        if args.batch == 1:
            asyncio.run(load(port, token, warm, f"B{tag}", concurrency=warm_requests // 10, seconds=120,
                             max_requests=warm_requests, batch=1, path="/bench/anchor/"))
        load1 = os.getloadavg()
        meter.start()
        elapsed, latencies, acked, errors = asyncio.run(load(
            port, token, numbers, tag, concurrency=args.concurrency, seconds=args.seconds,
            max_requests=args.max_requests, batch=args.batch))
        meter.stop()
        load2 = os.getloadavg()
        if args.batch == 1:
            anchor_meter.start()
            anchor = asyncio.run(load(port, token, numbers, f"A{tag}", concurrency=args.concurrency,
                                      seconds=args.seconds, max_requests=args.max_requests, batch=1,
                                      path="/bench/anchor/"))
            anchor_meter.stop()
            load3 = os.getloadavg()
    finally:
        stop_server(proc)
    connection.close()
    figures.fold_all()
    stored = Rating.objects.filter(centre=centre)
    stored_count = stored.count()
    duplicates = stored.values("transaction_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    stored_numbers = set(stored.values_list("transaction__number", flat=True))
    all_acked = set(acked) | set(warm_acked)
    missing = len(all_acked - stored_numbers)
    rate = len(acked) / elapsed if elapsed else 0
    server = f"{args.workers} gunicorn workers x {args.threads} threads"
    print(f"ingest: batch {args.batch}, {server}, {args.concurrency} connections, "
          f"load average before {load1[0]:.1f}, after {load2[0]:.1f} (nproc {os.cpu_count()})")
    print(f"  requests {len(latencies)} in {elapsed:.1f} s; ratings acknowledged {len(acked)}; "
          f"sustained {rate:.0f} ratings/s; errors {errors or 'none'}")
    print(f"  latency per request: p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms")
    print(f"  {meter.describe(len(latencies))}")
    print(f"  stored {stored_count} vs acknowledged {len(all_acked)} (with {len(warm_acked)} of the warm-up); "
          f"transactions with two ratings {duplicates}; acknowledged but missing {missing}")
    if anchor is not None:
        from anchor_urls import ANCHOR_PREFIX
        from django.contrib.sessions.models import Session

        a_elapsed, a_latencies, a_acked, a_errors = anchor
        a_stored = Session.objects.filter(session_key__in=[f"{ANCHOR_PREFIX}{n}"[:40] for n in a_acked]).count()
        print(f"  anchor (token + one row, same server), load average after {load3[0]:.1f}: "
              f"{len(a_acked) / a_elapsed:.0f} requests/s; p50 {pct(a_latencies, 50):.1f} ms, "
              f"p99 {pct(a_latencies, 99):.1f} ms; errors {a_errors or 'none'}; stored {a_stored} of {len(a_acked)}")
        print(f"    anchor's {anchor_meter.describe(len(a_latencies))}")
    year_rows = figures.group_totals(figures.SatisfactionStat.objects.filter(
        centre_id=centre.pk, dimension="centre", period="year"))
    counted = sum(v["total"] for v in year_rows.values())
    print(f"  counted in the figures (centre, per year, summed): {counted}")
    ok = stored_count >= len(all_acked) and not duplicates and not missing and counted == stored_count
    return ok, rate, pct(latencies, 99)


# Figures at 10 million ---------------------------------------------------------------------

RATE_UNRATED_SQL = """
    INSERT INTO ratings_rating (transaction_id, level, channel, scores, reasons, comment, is_default,
        rater_name, rater_phone, device, rated_at, day, centre_id, unit_id, window_id, floor_id,
        person_id, post_id, branch_id, flagged, flags, reviewed, set_aside, set_aside_reason,
        counted)
    SELECT t.id, lv.level, 'device', '{}', '[]', '', lv.level = 3 AND t.id %% 17 = 0, '', '', '',
           t.completed_at, (t.completed_at AT TIME ZONE %(tz)s)::date, t.centre_id, t.unit_id,
           t.window_id, w.floor_id, t.person_id, NULL, p.branch_id, t.id %% 997 = 0, '[]', false,
           t.id %% 4999 = 0, '', true
    FROM ratings_transaction t JOIN org_window w ON w.id = t.window_id
    LEFT JOIN org_person p ON p.id = t.person_id
    CROSS JOIN LATERAL (SELECT CASE WHEN t.id %% 1000 < 800 THEN 5 WHEN t.id %% 1000 < 940 THEN 4
                                    WHEN t.id %% 1000 < 990 THEN 3 WHEN t.id %% 1000 < 997 THEN 2
                                    ELSE 1 END AS level) lv
    WHERE t.centre_id = %(centre)s AND t.id > %(after)s AND (t.rated = %(rated)s)
      AND (t.rated OR NOT EXISTS (SELECT 1 FROM ratings_rating r WHERE r.transaction_id = t.id))
"""


def figures_bench(args):
    import datetime

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from vanguard.core.models import User
    from vanguard.org.models import ServiceCentre, Unit
    from vanguard.ratings import figures
    from vanguard.ratings.models import Rating

    today = datetime.date.today()
    centre = ServiceCentre.objects.filter(code=BIG_CODE).first()
    if centre is None:
        centre, *_rest = build_centre(BIG_CODE, units=40, windows_per_unit=8, people_per_window=3)
    from vanguard.ratings.models import Transaction

    have = Rating.objects.filter(centre=centre).count()
    if have < args.figures_rows:
        t0 = time.monotonic()
        step = 1_000_000
        start_day = today - datetime.timedelta(days=364)
        with connection.cursor() as cursor:
            # Bulk generation only: rows are consistent by construction, so skip the per-row FK triggers.
            cursor.execute("SET session_replication_role = replica")
        made = Transaction.objects.filter(centre=centre).count()
        with connection.cursor() as cursor:
            # Left over by an interrupted run: transactions without their ratings.
            cursor.execute(RATE_UNRATED_SQL, {"centre": centre.pk, "tz": settings.TIME_ZONE, "after": 0,
                                              "rated": False})
            cursor.execute("UPDATE ratings_transaction SET rated = true WHERE centre_id = %s AND NOT rated",
                           [centre.pk])
        while made < args.figures_rows:
            n = min(step, args.figures_rows - made)
            after = Transaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            # Written as rated, then their ratings by id range: no second pass over the transactions.
            insert_transactions(centre, n, f"F{made}-", start_day, rated=True)
            with connection.cursor() as cursor:
                cursor.execute(RATE_UNRATED_SQL, {"centre": centre.pk, "tz": settings.TIME_ZONE, "after": after,
                                                  "rated": True})
            made += n
            print(f"  … {made:,} transactions and ratings ({time.monotonic() - t0:.0f} s)", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE ratings_rating")
            cursor.execute("ANALYZE ratings_transaction")
        print(f"generated {made - have:,} transactions and ratings in {time.monotonic() - t0:.0f} s")
    total = Rating.objects.count()
    t0 = time.monotonic()
    figures.rebuild(centre.pk)
    rebuild_s = time.monotonic() - t0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ratings_satisfactionstat")
    unit = Unit.objects.filter(centre=centre).order_by("pk").first()
    user = User.objects.get(username=f"office-{BIG_CODE}")
    session = SessionStore()
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = __import__("rest_framework.authtoken.models", fromlist=["Token"]).Token.objects.get(user=user).key
    connection.close()
    proc, port = start_server(args.workers, args.port)
    page_ms, api_ms = [], []
    try:
        url = f"http://127.0.0.1:{port}/ratings/?dimension=unit&key={unit.pk}&year={today.year}"
        api = f"http://127.0.0.1:{port}/api/v1/ratings/figures/?unit={unit.pk}&period=day&start={today.year}-01-01"
        for i in range(args.figure_requests + 3):
            request = urllib.request.Request(url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}="
                                                                     f"{session.session_key}"})
            t1 = time.perf_counter()
            body = urllib.request.urlopen(request, timeout=30).read()  # noqa: S310 - loopback http
            if i >= 3:  # the first requests warm the worker processes up
                page_ms.append((time.perf_counter() - t1) * 1000)
            t1 = time.perf_counter()
            urllib.request.urlopen(urllib.request.Request(api, headers={"Authorization": f"Token {token}"}),
                                   timeout=30).read()
            if i >= 3:
                api_ms.append((time.perf_counter() - t1) * 1000)
        assert unit.name.encode() in body, "the page did not show the unit"
    finally:
        stop_server(proc)
    print(f"figures: {total:,} ratings in the database; rebuild of the centre's aggregates {rebuild_s:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f})")
    print(f"  figures page of one unit over a year: median {statistics.median(page_ms):.1f} ms, "
          f"p99 {pct(page_ms, 99):.1f} ms ({len(page_ms)} requests)")
    print(f"  figures API (daily rows of the year): median {statistics.median(api_ms):.1f} ms")
    return statistics.median(page_ms)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: vanguard serve's)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default: vanguard serve's)")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="client connections (default: 16 with --batch 1, phones one rating each; else 2)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=25, help="ratings per request, as a device or platform "
                        "sends them (1: one rating a request)")
    parser.add_argument("--figures-rows", type=int, default=10_000_000)
    parser.add_argument("--figure-requests", type=int, default=30)
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-figures", action="store_true")
    args = parser.parse_args()
    args.concurrency = args.concurrency or (16 if args.batch == 1 else 2)
    setup_django()
    ok = True
    if not args.skip_ingest:
        good, rate, p99 = ingest(args)
        goal = GOAL_SINGLE_RATE if args.batch == 1 else GOAL_RATE
        ok &= good and rate >= goal and p99 <= GOAL_P99_MS
        print(f"  goals: >= {goal}/s {'met' if rate >= goal else 'MISSED'}, p99 <= {GOAL_P99_MS} ms "
              f"{'met' if p99 <= GOAL_P99_MS else 'MISSED'}, nothing lost or duplicated {'yes' if good else 'NO'}")
    if not args.skip_figures:
        median = figures_bench(args)
        ok &= median <= GOAL_FIGURES_MS
        print(f"  goal: figures <= {GOAL_FIGURES_MS} ms {'met' if median <= GOAL_FIGURES_MS else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
