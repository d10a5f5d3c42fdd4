"""Profile: one member's phone sign-in (POST /api/v1/meetings/<id>/sign-in/) in-process.

    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_signin \\
        python benchmarks/signin_profile.py [--requests 300] [--top 30] [--no-profile]

Builds a centre of its own (benchmarks/meeting_signin.py's build: members with tokens, one open
theme day per branch), then signs --requests members in through Django's handler (the whole
middleware stack, token authentication, the view, the service, the commit) on one connection,
each with its own token, and prints per sign-in:

- the SQL statements and the client/server round trips (libpq's protocol trace: benchmarks/rating_profile.py);
- the CPU time of this process (time.process_time: what a gunicorn worker spends, whatever the
  machine's load) and the wall time, with the share of the wall time spent in SQL statements;
- with cProfile (timed by process_time), the functions where the CPU goes, grouped as middleware, authentication, DRF, the
  service, the audit row.

Counts and CPU time do not depend on the machine's load; wall times do (the load average is printed).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

# The groups of the profile: a function's cumulative time, the largest of its calls.
GROUPS = {
    "whole request (handler)": "django/core/handlers/base.py:get_response",
    "token authentication": "vanguard/core/api_tokens.py:authenticate_credentials",
    "DRF dispatch": "rest_framework/views.py:dispatch",
    "sign-in service": "vanguard/life/services/signin.py:sign_in",
    "sign-in statement": "vanguard/life/services/signin.py:_sign_in_at_once",
    "audit row": "vanguard/core/audit.py:record",
    "response rendering": "rest_framework/response.py:rendered_content",
    "transaction commit": "django/db/transaction.py:__exit__",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    args = parser.parse_args()

    from meeting_signin import build
    from rating_ingest import setup_django
    from rating_profile import RoundTrips

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from vanguard.life import services
    from vanguard.life.models import Meeting, SignIn

    members = args.requests + 11
    centre, plan = build(members, max(1, members // 100))
    meetings = {m.pk: m for m in Meeting.objects.filter(centre=centre)}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE life_attendance, life_signin, authtoken_token")
    client = Client()

    def sign_in(meeting_id, token):
        response = client.post(f"/api/v1/meetings/{meeting_id}/sign-in/",
                               json.dumps({"code": services.signin_code(meetings[meeting_id])}),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200 and response.json()["created"], response.content

    for meeting_id, token in plan[:10]:  # warm up: caches, prepared statements
        sign_in(meeting_id, token)
    trips = RoundTrips()
    with CaptureQueriesContext(connection) as ctx:
        trips.start(connection)
        sign_in(*plan[10])
        round_trips = trips.stop()
    print(f"one sign-in: {len(ctx.captured_queries)} SQL statements logged, {round_trips} round trips to PostgreSQL")
    for q in ctx.captured_queries:
        print(f"  {q['time']:>6} s  {' '.join(q['sql'].split())[:150]}")

    waited = []

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[-1] += time.perf_counter() - t0

    load = os.getloadavg()
    walls, cpus = [], []
    todo = plan[11:]
    # The profile counts this process's CPU time (not the wall clock, which waits on PostgreSQL and the load).
    profiler = None if args.no_profile else cProfile.Profile(time.process_time)
    with connection.execute_wrapper(timed):
        for meeting_id, token in todo:
            waited.append(0.0)
            c0, t0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            sign_in(meeting_id, token)
            if profiler:
                profiler.disable()
            walls.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
    print(f"\n{len(todo)} sign-ins in-process, load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f} "
          f"(nproc {os.cpu_count()}){' under cProfile' if profiler else ''}")
    print(f"  per sign-in: CPU of this process median {statistics.median(cpus):.2f} ms, "
          f"p90 {sorted(cpus)[int(len(cpus) * .9)]:.2f} ms; wall median {statistics.median(walls):.1f} ms, "
          f"in SQL statements (COMMIT sent with the audit row) median {statistics.median(waited) * 1000:.1f} ms")
    print(f"  so one core serves at most ~{1000 / statistics.median(cpus):.0f} sign-ins/s of this process's CPU "
          f"(PostgreSQL's own CPU comes on top)")
    print(f"  stored {SignIn.objects.filter(meeting__centre=centre).count()} of {len(todo) + 11}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        per = {}
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            for label, needle in GROUPS.items():
                path, name = needle.rsplit(":", 1)
                if func == name and filename.endswith(path):
                    per[label] = max(per.get(label, 0), ct)
        for label, seconds in per.items():
            print(f"  {label:<26} {seconds / len(todo) * 1000:6.2f} ms CPU per sign-in (cumulative, under cProfile)")


if __name__ == "__main__":
    main()
