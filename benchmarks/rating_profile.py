"""Profile: one citizen's rating (POST /api/v1/ratings/, one rating a request) in-process.

    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_ratings \\
        python benchmarks/rating_profile.py [--requests 300] [--top 25] [--no-profile]

Builds a centre of its own (as benchmarks/rating_ingest.py does), then sends --requests single
ratings through Django's WSGI handler (the whole middleware stack, token authentication, the
view, the service, the commit) on one connection, and prints per rating:

- the SQL statements and the client/server round trips (a protocol trace of the connection:
  each Sync or simple Query the client sends is one round trip, so pipelined statements count once);
- the in-process time (median, p90) and the share of it spent waiting on PostgreSQL;
- with cProfile, the functions where the rest goes (cumulative), grouped as middleware,
  authentication, DRF, the service, the audit chain, the figures.

Counts do not depend on the machine's load; times do (the load average is printed beside them).
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")


from request_profile import RoundTrips  # noqa: E402 -- shared with signin_profile.py and meeting_signin.py


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--cpu-requests", type=int, default=500, help="ratings and anchor requests timed for CPU")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    args = parser.parse_args()

    from rating_ingest import build_centre, insert_transactions, setup_django

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vanguard.ratings.models import Rating, Transaction

    tag = uuid.uuid4().hex[:6]
    centre, *_rest, token = build_centre(f"bench-profile-{tag}")
    insert_transactions(centre, args.requests + 20 + 2 * args.cpu_requests, f"P{tag}-", datetime.date.today() - datetime.timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE org_window, org_person, ratings_transaction")
    numbers = list(Transaction.objects.filter(centre=centre).order_by("?").values_list("number", flat=True))
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def post(n, i, path="/api/v1/ratings/", prefix=""):
        body = json.dumps({"transaction": n, "level": 5 if i % 50 else 1, "channel": "device",
                           "device": f"dev-{i % 40}", "idempotency_key": f"{prefix}{tag}-{n}"})
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 201, response.content

    for i, n in enumerate(numbers[:10]):  # warm up: caches, prepared statements
        post(n, i)
    # The queries and round trips of one good rating (steady state).
    trips = RoundTrips()
    with CaptureQueriesContext(connection) as ctx:
        trips.start(connection)
        post(numbers[10], 11)
        round_trips = trips.stop()
    print(f"one rating: {len(ctx.captured_queries)} SQL statements, {round_trips} round trips to PostgreSQL")
    for q in ctx.captured_queries:
        print(f"  {q['time']:>6} s  {' '.join(q['sql'].split())[:150]}")

    # CPU per request, the main evidence on a shared machine: this process (Django, DRF, the view,
    # the service, psycopg) and the PostgreSQL backend serving its connection, beside the anchor's
    # (benchmarks/anchor_urls.py: a token and one row, through the same middleware).
    from cpu_meter import cpu_seconds
    from django.test import override_settings

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu_n = min(args.cpu_requests, len(numbers) // 3)
    for label, path, chosen in (("rating", None, numbers[-cpu_n:]), ("anchor", "/bench/anchor/", numbers[:cpu_n])):
        with override_settings(ROOT_URLCONF="anchor_urls"):
            load = os.getloadavg()
            each = []
            p0, b0, w0 = time.process_time(), cpu_seconds([backend])[backend], time.perf_counter()
            for i, n in enumerate(chosen):
                c0 = time.process_time()
                post(n, i, path or "/api/v1/ratings/", prefix=label)
                each.append(time.process_time() - c0)
            p1, b1, w1 = time.process_time(), cpu_seconds([backend])[backend], time.perf_counter()
        # The median of each request's CPU time is the steadiest figure on a loaded machine (other
        # processes evict caches and stretch some requests' CPU time); the mean is beside it.
        print(f"{label:>6}: CPU per request in this process (Python) median {statistics.median(each) * 1000:.2f} ms, "
              f"mean {(p1 - p0) * 1000 / cpu_n:.2f} ms; in its PostgreSQL backend mean "
              f"{(b1 - b0) * 1000 / cpu_n:.2f} ms; wall {(w1 - w0) * 1000 / cpu_n:.1f} ms "
              f"({cpu_n} requests, load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f})")
    numbers = numbers[cpu_n:-cpu_n]

    # Time: wall clock per request, and the time inside the database driver.
    waited = []

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[-1] += time.perf_counter() - t0

    load = os.getloadavg()
    walls = []
    todo = numbers[11:11 + args.requests]
    # CPU time, not the wall clock: on a loaded machine waiting and being descheduled would fill it.
    profiler = None if args.no_profile else cProfile.Profile(time.process_time)
    with connection.execute_wrapper(timed):
        for i, n in enumerate(todo):
            waited.append(0.0)
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            post(n, i)
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - t0)
    # COMMIT is not an execute: time it apart (one per request) from the profile below.
    ms = [w * 1000 for w in walls]
    db = [w * 1000 for w in waited]
    print(f"\n{len(todo)} ratings in-process, load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f} "
          f"(nproc {os.cpu_count()}){' under cProfile' if profiler else ''}")
    print(f"  per rating: median {statistics.median(ms):.1f} ms, p90 {sorted(ms)[int(len(ms) * .9)]:.1f} ms; "
          f"in SQL statements (without COMMIT) median {statistics.median(db):.1f} ms")
    stored = Rating.objects.filter(centre=centre).count()
    print(f"  stored {stored} of {len(todo) + 11 + cpu_n}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        total = sum(v[3] for v in stats.stats.values() if False) or None  # noqa: F841
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        groups = {
            "commit": ("commit",),
            "database (execute)": ("execute",),
            "token authentication": ("authenticate_credentials",),
            "scope (grants)": ("scope_for",),
            "rating service": ("record_rating",),
            "audit row": ("vanguard/core/audit.py:", "record"),
            "figures": ("count_ratings",),
            "transaction lookup": ("_one",),
        }
        per = {}
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            for label, (needle, *rest) in groups.items():
                name = f"{filename}:{func}"
                if rest:
                    if needle in name and func == rest[0]:
                        per[label] = per.get(label, 0) + ct
                elif func == needle:
                    per[label] = max(per.get(label, 0), ct)
        for label, seconds in per.items():
            print(f"  {label:<24} {seconds / len(todo) * 1000:6.1f} ms per rating (cumulative, under cProfile)")


if __name__ == "__main__":
    main()
