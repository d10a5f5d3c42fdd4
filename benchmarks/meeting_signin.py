"""Benchmark: a city-wide theme day (主题党日) - members sign in from their phones.

    createdb -h 127.0.0.1 -U postgres vg_life
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_life \\
        python benchmarks/meeting_signin.py [--members 10000] [--branches 100] [--workers N] [--threads N]
        [--concurrency 12] [--duplicates 0.05] [--port 8110]

Builds a centre of its own (bulk writes): --members party members in --branches branches,
each with a login account and an API token, and one theme day per branch whose sign-in
window is open now (every member expected). Starts `vanguard serve` (gunicorn, --workers x
--threads, by default the command's own), warms it up with a few sign-ins (not timed) and signs
every member in through POST /api/v1/meetings/<id>/sign-in/ with the meeting's current rotating code, from an asyncio client with --concurrency connections; a share of
members (--duplicates) sign in a second time at once from "another phone".

Prints sustained sign-ins per second (first sign-ins acknowledged / elapsed), p50/p99 latency
per request, the server's CPU per request (gunicorn workers and their PostgreSQL backends, from
/proc: benchmarks/cpu_meter.py; the rate it allows on idle cores hardly depends on the load), and
after the run the stored sign-ins against those acknowledged, members with two sign-ins (must be 0), attendance rows marked present, audit rows of sign-ins (one per sign-in,
in one audit chain per meeting), with the load average beside them.
Beside it, the anchor: as many requests at the same concurrency to a bare endpoint in the same
server (benchmarks/anchor_urls.py, loaded only through anchor_settings.py) that authenticates the
token and inserts one row - the fixed cost of a request here, which no sign-in can beat. Before
the run, one spare member signs in in-process and the database statements and round trips of that
one sign-in are counted (token, transaction, sign-in, audit chain: BEGIN and COMMIT included).

Goal: 10,000 sign-ins within a minute: >= 300 sign-ins/s with p99 <= 200 ms.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

from cpu_meter import ServerMeter  # noqa: E402
from rating_ingest import _request, pct, setup_django, start_server, stop_server  # noqa: E402

GOAL_RATE = 300
GOAL_P99_MS = 200


def build(members, branches):
    """A centre of `members` party members in `branches` branches, each with an account and a token,
    and one theme day per branch open for sign-in now. Returns [(meeting id, token key)]."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from vanguard.core.models import User
    from vanguard.life.models import Attendance, Meeting, MeetingKind
    from vanguard.org.models import Organization, Person, ServiceCentre

    code = f"signin-{uuid.uuid4().hex[:6]}"
    now = timezone.now()
    with transaction.atomic():
        centre = ServiceCentre.objects.create(name=f"签到基准中心{code}", code=code)
        root = Organization.objects.create(centre=centre, name="基准市委组织部", kind=Organization.Kind.COMMITTEE)
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        orgs = Organization.objects.bulk_create([
            Organization(centre=centre, parent=root, name=f"第{n}党支部", kind=Organization.Kind.BRANCH, depth=1)
            for n in range(branches)])
        for org in orgs:
            org.path = f"{root.path}{org.pk}/"
        Organization.objects.bulk_update(orgs, ["path"])
        password = make_password(None)
        users = User.objects.bulk_create([User(username=f"{code}-{i}", password=password) for i in range(members)],
                                         batch_size=2000)
        people = Person.objects.bulk_create([
            Person(centre=centre, name=f"党员{i}", political_status=Person.Status.FULL, branch=orgs[i % branches],
                   user=users[i]) for i in range(members)], batch_size=2000)
        tokens = Token.objects.bulk_create([Token(key=Token.generate_key(), user=u) for u in users], batch_size=2000)
        meetings = Meeting.objects.bulk_create([
            Meeting(centre=centre, organization=org, kind=MeetingKind.THEME_DAY, topic="全市主题党日：重温入党誓词",
                    starts_at=now - datetime.timedelta(minutes=5), ends_at=now + datetime.timedelta(hours=2),
                    date=timezone.localdate(now)) for org in orgs])
        Attendance.objects.bulk_create([Attendance(meeting=meetings[i % branches], person=p)
                                        for i, p in enumerate(people)], batch_size=5000)
    return centre, [(meetings[i % branches].pk, tokens[i].key) for i in range(members)]


async def run(port, plan, meetings, *, concurrency, duplicates):
    rng = random.Random(13)
    queue = []
    for meeting_id, token in plan:
        queue.append((meeting_id, token, False))
        if rng.random() < duplicates:
            queue.append((meeting_id, token, True))  # the same member from a second phone, right after
    return await _load(port, queue, meetings, concurrency=concurrency)


async def _load(port, queue, meetings, *, concurrency, anchor=False):
    from vanguard.life import services

    jobs = iter(queue)
    latencies, created, again, errors = [], 0, 0, {}

    async def worker():
        nonlocal created, again
        for meeting_id, token, _second in jobs:
            if anchor:
                path, body = "/bench/anchor/", json.dumps({"transaction": f"signin-{uuid.uuid4().hex}"}).encode()
            else:
                path = f"/api/v1/meetings/{meeting_id}/sign-in/"
                body = json.dumps({"code": services.signin_code(meetings[meeting_id])}).encode()
            started = time.monotonic()
            status, answer = await _request(port, "POST", path, body, [f"Authorization: Token {token}"])
            latencies.append((time.monotonic() - started) * 1000)
            if anchor and status == 201:
                created += 1
            elif status == 200 and not anchor:
                if json.loads(answer).get("created"):
                    created += 1
                else:
                    again += 1
            else:
                errors[status] = errors.get(status, 0) + 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.monotonic() - started, latencies, created, again, errors


def queries_of_one_sign_in(meeting, token):
    """The database statements and round trips of one first sign-in, in-process (the same view and settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from request_profile import RoundTrips

    from vanguard.life import services

    trips = RoundTrips()
    with CaptureQueriesContext(connection) as queries:
        trips.start(connection)
        response = Client().post(f"/api/v1/meetings/{meeting.pk}/sign-in/",
                                 json.dumps({"code": services.signin_code(meeting)}),
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        round_trips = trips.stop()
    assert response.status_code == 200 and response.json()["created"], response.content
    sql = [q["sql"] for q in queries]
    # The COMMIT sent with the audit row (pipelines.commit_with_last_writes) leaves Django's own commit
    # nothing to send, but it is logged as a second COMMIT.
    return len(sql) - (len(sql) > 1 and sql[-1] == sql[-2] == "COMMIT"), round_trips


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: vanguard serve's)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default: vanguard serve's)")
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--anchor-requests", type=int, default=3000,
                        help="requests to the anchor endpoint (the same concurrency)")
    args = parser.parse_args()
    setup_django()
    from django.db.models import Count

    from vanguard.core.audit_events import Event
    from vanguard.core.management.commands.serve import default_threads, default_workers
    from vanguard.core.models import AuditEntry
    from vanguard.life.models import Attendance, SignIn

    args.workers, args.threads = args.workers or default_workers(), args.threads or default_threads()
    # Warm-up sign-ins first (not timed): each worker imports the views, opens its connection and
    # prepares its statements, as a server that has been up a while has.
    warm_count = 10 * args.workers * args.threads
    t0 = time.monotonic()
    centre, plan = build(args.members + 1 + warm_count, args.branches)
    spare_meeting, spare_token = plan.pop()
    warm, plan = plan[:warm_count], plan[warm_count:]
    print(f"built {args.members} members in {args.branches} branches, one theme day each, "
          f"in {time.monotonic() - t0:.1f} s (load average {os.getloadavg()[0]:.1f})")
    random.Random(7).shuffle(plan)
    from vanguard.life.models import Meeting

    meetings = {m.pk: m for m in Meeting.objects.filter(centre=centre)}
    statements, round_trips = queries_of_one_sign_in(meetings[spare_meeting], spare_token)
    from django.db import connection

    proc, port = start_server(args.workers, args.port, args.threads)
    meter, anchor_meter = ServerMeter(proc.pid, connection), ServerMeter(proc.pid, connection)
    try:
        warm_queue = [(m, t, False) for m, t in warm]
        _e, _l, warm_created, _a, warm_errors = asyncio.run(
            _load(port, warm_queue, meetings, concurrency=args.workers * args.threads))
        asyncio.run(_load(port, warm_queue, meetings, concurrency=args.workers * args.threads, anchor=True))
        load_before = os.getloadavg()
        meter.start()
        elapsed, latencies, created, again, errors = asyncio.run(
            run(port, plan, meetings, concurrency=args.concurrency, duplicates=args.duplicates))
        meter.stop()
        load_after = os.getloadavg()
        # The sign-in's figures first (a run cut short later still has them), then the anchor. Not counted:
        # the spare member's sign-in (in-process, above) and the warm-up's, which must all have been stored.
        assert warm_created == len(warm), (warm_created, warm_errors)
        not_timed = 1 + warm_created
        stored = SignIn.objects.filter(meeting__centre=centre).count() - not_timed
        doubled = (SignIn.objects.filter(meeting__centre=centre).values("meeting", "person")
                   .annotate(n=Count("pk")).filter(n__gt=1).count())
        present = Attendance.objects.filter(meeting__centre=centre,
                                            status=Attendance.Status.PRESENT).count() - not_timed
        audited = AuditEntry.objects.filter(centre=centre, verb=Event.SIGNED_IN).exclude(chain_key="")
        audit_rows, chains = audited.count() - not_timed, audited.values("chain_key").distinct().count()
        rate = created / elapsed if elapsed else 0
        p99 = pct(latencies, 99)
        print(f"sign-in: {args.workers} gunicorn workers x {args.threads} threads, {args.concurrency} connections "
              f"(after {len(warm)} warm-up sign-ins and as many anchor requests), "
              f"load average before {load_before[0]:.1f} / after {load_after[0]:.1f} (1 min), "
              f"{load_after[1]:.1f} (5 min), {os.cpu_count()} CPUs")
        print(f"  requests {len(latencies)} in {elapsed:.1f} s: first sign-ins acknowledged {created}, "
              f"second phones answered 'already' {again}, errors {errors or 0}")
        print(f"  sustained {rate:.0f} sign-ins/s (goal {GOAL_RATE}); latency p50 {pct(latencies, 50):.1f} ms, "
              f"p99 {p99:.1f} ms (goal {GOAL_P99_MS})")
        print(f"  {meter.describe(len(latencies))}")
        print(f"  stored {stored} vs acknowledged {created}; members with two sign-ins {doubled}; "
              f"attendance present {present}; audit rows {audit_rows} in {chains} meeting chains")
        print(f"  database statements per sign-in {statements} in {round_trips} round trips (token; BEGIN; sign-in; "
              f"the meeting chain's lock, the audit row and COMMIT in one)")
        ok = stored == created == present == audit_rows and doubled == 0
        print(f"  {'OK' if ok else 'MISMATCH'}: stored = acknowledged = audited, no duplicates; "
              f"{'within' if rate >= GOAL_RATE and p99 <= GOAL_P99_MS else 'outside'} the goal", flush=True)
        anchor_queue = [(m, t, False) for m, t in plan[:args.anchor_requests]]
        anchor_meter.start()
        a_elapsed, a_latencies, a_created, _a_again, a_errors = asyncio.run(
            _load(port, anchor_queue, meetings, concurrency=args.concurrency, anchor=True))
        anchor_meter.stop()
        load_anchor = os.getloadavg()
    finally:
        stop_server(proc)
    from anchor_urls import ANCHOR_PREFIX
    from django.contrib.sessions.models import Session

    anchor_rows = Session.objects.filter(session_key__startswith=f"{ANCHOR_PREFIX}signin-")
    anchor_stored = anchor_rows.count()
    anchor_rows.delete()
    print(f"  anchor (token + one row, same server), {len(anchor_queue)} requests, load average after "
          f"{load_anchor[0]:.1f}: {a_created / a_elapsed if a_elapsed else 0:.0f} requests/s; "
          f"p50 {pct(a_latencies, 50):.1f} ms, p99 {pct(a_latencies, 99):.1f} ms; errors {a_errors or 0}; "
          f"stored {anchor_stored} of {a_created + len(warm)} (with the warm-up's)")
    print(f"    anchor's {anchor_meter.describe(len(a_latencies))}")


if __name__ == "__main__":
    main()
