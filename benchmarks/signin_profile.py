"""Profile: one member's phone sign-in (POST /api/v1/meetings/<id>/sign-in/) in-process.

    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_signin \\
        python benchmarks/signin_profile.py [--requests 300] [--cpu-requests 500] [--top 30] [--no-profile]

Builds a centre of its own (benchmarks/meeting_signin.py's build: members with tokens, one open
theme day per branch), then signs members in through Django's handler (the whole middleware stack,
token authentication, the view, the service, the commit) on one connection, each with its own
token, and prints (benchmarks/request_profile.py, shared with rating_profile.py):

- one sign-in's SQL statements and client/server round trips (libpq's protocol trace);
- CPU per request of this process (what a gunicorn worker spends) and of its PostgreSQL backend,
  for --cpu-requests sign-ins and as many requests to the anchor (benchmarks/anchor_urls.py: a
  token and one row through the same middleware), the main evidence on a shared machine;
- for --requests more sign-ins, the wall time and the time in SQL statements, and with cProfile
  (timed by CPU time) the functions where the CPU goes, grouped as middleware, authentication,
  DRF, the service, the audit row.

Counts and CPU time hardly depend on the machine's load; wall times do (the load average is printed).
"""

import argparse
import json
import os
import statistics
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

# The groups of the profile: a function's cumulative time, the largest of its calls.
GROUPS = {
    "whole request (handler)": "django/core/handlers/base.py:get_response",
    "view and below": "django/core/handlers/base.py:_get_response",
    "URL resolution": "django/core/handlers/base.py:resolve_request",
    "DRF dispatch": "rest_framework/views.py:dispatch",
    "token authentication": "vanguard/core/api_tokens.py:authenticate_credentials",
    "sign-in service": "vanguard/life/services/signin.py:sign_in",
    "audit row": "vanguard/core/audit.py:record",
    "response rendering": "rest_framework/response.py:rendered_content",
    "transaction commit": "django/db/transaction.py:__exit__",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cpu-requests", type=int, default=500, help="sign-ins and anchor requests timed for CPU")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    args = parser.parse_args()

    from meeting_signin import build
    from rating_ingest import setup_django
    from request_profile import cpu_per_request, one_request, print_profile, profiled

    setup_django()
    from django.db import connection
    from django.test import Client, override_settings

    from vanguard.life import services
    from vanguard.life.models import Meeting, SignIn

    members = 11 + args.cpu_requests + args.requests
    centre, plan = build(members, max(1, members // 100))
    meetings = {m.pk: m for m in Meeting.objects.filter(centre=centre)}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE life_attendance, life_signin, authtoken_token")
    client = Client()

    def sign_in(item, path=None):
        meeting_id, token = item
        body = {"code": services.signin_code(meetings[meeting_id])} if path is None else {"transaction": f"signin-{uuid.uuid4().hex[:12]}"}
        response = client.post(path or f"/api/v1/meetings/{meeting_id}/sign-in/", json.dumps(body),
                               content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == (200 if path is None else 201), response.content
        assert path or response.json()["created"], response.content

    for item in plan[:10]:  # warm up: caches, prepared statements
        sign_in(item)
    one_request(connection, lambda: sign_in(plan[10]), "sign-in")
    plan = plan[11:]

    chosen, plan = plan[:args.cpu_requests], plan[args.cpu_requests:]
    with override_settings(ROOT_URLCONF="anchor_urls"):
        sign_in(chosen[0], "/bench/anchor/")  # the anchor's first request imports and prepares
        cpu_per_request(connection, "sign-in", sign_in, chosen)
        cpu_per_request(connection, "anchor", lambda item: sign_in(item, "/bench/anchor/"), chosen)
    from anchor_urls import ANCHOR_PREFIX
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__startswith=ANCHOR_PREFIX).delete()

    profiler, walls, in_sql, load = profiled(connection, sign_in, plan, profile=not args.no_profile)
    print(f"\n{len(plan)} sign-ins in-process, load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f} "
          f"(nproc {os.cpu_count()}){' under cProfile' if profiler else ''}")
    print(f"  per sign-in: wall median {statistics.median(walls):.1f} ms, in SQL statements (COMMIT sent with "
          f"the audit row) median {statistics.median(in_sql):.1f} ms")
    print(f"  stored {SignIn.objects.filter(meeting__centre=centre).count()} of {members}")
    if profiler:
        print_profile(profiler, len(plan), GROUPS, sort=args.sort, top=args.top, label="sign-in")


if __name__ == "__main__":
    main()
