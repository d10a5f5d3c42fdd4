"""Broadcast fan-out at city scale, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres vg_msg
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_msg \\
        python benchmarks/broadcast_fanout.py [--send 30000] [--senders 2]

1. Builds the city (vanguard.org.demo_city: 50 centres, 300,000 people) if missing.
2. The weekly lesson goes to all staff of every centre: 50 broadcasts whose
   audiences add up to the 300,000 people; times resolving them into queued
   messages (one INSERT ... SELECT per broadcast). Goal: <= 20 s.
3. Sends `--send` of them through the SMPP channel to the loopback SMSC (the
   smpp34 server in its own process) with the rate limit lifted, with
   `--senders` concurrent senders claiming with FOR UPDATE SKIP LOCKED.
   Goal: >= 500 messages per second.
   With `--receipts` the SMSC also sends a delivery receipt (deliver_sm) for
   every submit on the same session, which the senders apply as they go.
4. Counts duplicates: messages per (broadcast, person) in the database and
   submits per destination at the SMSC. Goal: zero, and as many submits as
   messages the gateway gave an id (sent, or delivered with --receipts).
"""

import argparse
import collections
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--send", type=int, default=30000, help="messages to send over SMPP")
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--receipts", action="store_true", help="the SMSC sends delivery receipts back")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    assert connection.vendor == "postgresql", "run on PostgreSQL (VANGUARD_DATABASE_URL)"
    call_command("migrate", verbosity=0)
    from django.test.utils import override_settings

    from tests.messaging.gateways import loopback_smsc, smsc_log
    from vanguard.core.models import User
    from vanguard.messaging import dispatch, services
    from vanguard.messaging.channels.smpp import SmppBackend
    from vanguard.messaging.models import Broadcast, Message, Receipt
    from vanguard.org.demo_city import build_city
    from vanguard.org.models import Person, ServiceCentre

    print(f"machine: {os.cpu_count()} cores, load average {load()}")
    started = time.monotonic()
    build_city(stdout=sys.stdout)
    print(f"city ready in {time.monotonic() - started:.1f}s; people: {Person.objects.count():,}")
    with connection.cursor() as cursor:
        # Fresh planner statistics after the bulk load, as autovacuum would give a production database.
        cursor.execute("ANALYZE org_person")

    # Fresh broadcasts for this run. Their receipts and messages go first, one statement each:
    # Django's cascade would null the receipts' message ids with all 300,000 ids as parameters
    # (more than PostgreSQL's 65,535).
    old = list(Broadcast.objects.filter(title="基准测试：每周一课").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Receipt._meta.db_table} WHERE message_id IN "
                       f"(SELECT id FROM {Message._meta.db_table} WHERE broadcast_id = ANY(%s))", [old])
        cursor.execute(f"DELETE FROM {Message._meta.db_table} WHERE broadcast_id = ANY(%s)", [old])
    Broadcast.objects.filter(pk__in=old).delete()
    admin = User.objects.get(username="admin")
    centres = list(ServiceCentre.objects.filter(code__startswith="city-").order_by("code"))
    with override_settings(SMS={**settings.SMS, "QUIET_HOURS": "", "RATE_PER_SECOND": 0}):
        for centre in centres:
            services.create_broadcast(admin, centre, title="基准测试：每周一课",
                                      text="坚持以人民为中心的发展思想，把群众满意作为窗口工作的标准。")
        print(f"load average before resolving: {load()}")
        t0 = time.monotonic()
        started_ids = dispatch.start_due()
        resolve_seconds = time.monotonic() - t0
        queued = Message.objects.filter(broadcast_id__in=started_ids).count()
        print(f"RESOLVE: {queued:,} messages queued from {len(started_ids)} broadcasts in {resolve_seconds:.2f}s "
              f"({queued / resolve_seconds:,.0f}/s) — goal <= 20 s: {'OK' if resolve_seconds <= 20 else 'MISSED'}")

        with tempfile.TemporaryDirectory() as tmp, loopback_smsc(Path(tmp), receipts=args.receipts) as (port, log):
            smpp = {**settings.SMS["SMPP"], "PORT": port, "SYSTEM_ID": "bench", "PASSWORD": "bench", "WINDOW": 100}
            results = []

            def sender(share):
                backend = SmppBackend(smpp)
                try:
                    results.append(dispatch.send_pending(budget_seconds=600, backend=backend, limit=share))
                finally:
                    backend.close()
                    connections.close_all()

            print(f"load average before sending: {load()}")
            t0 = time.monotonic()
            threads = [threading.Thread(target=sender, args=(args.send // args.senders,)) for _ in range(args.senders)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            send_seconds = time.monotonic() - t0
            sent = sum(results)
            rate = sent / send_seconds
            print(f"SMPP: {sent:,} messages handed over by {args.senders} senders in {send_seconds:.2f}s = "
                  f"{rate:,.0f} msg/s — goal >= 500: {'OK' if rate >= 500 else 'MISSED'}")
            time.sleep(0.5)
            received = smsc_log(log)
    states = dict(Message.objects.filter(broadcast_id__in=started_ids).values_list("state")
                  .annotate(n=django.db.models.Count("pk")).values_list("state", "n"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT broadcast_id, person_id FROM {Message._meta.db_table} "
                       "WHERE broadcast_id = ANY(%s) GROUP BY broadcast_id, person_id HAVING COUNT(*) > 1) d",
                       [started_ids])
        db_duplicates = cursor.fetchone()[0]
    # Every message the gateway took has its id (whether a receipt has moved it on to delivered or not).
    handed = Message.objects.filter(broadcast_id__in=started_ids).exclude(gateway_id="").count()
    per_destination = collections.Counter(row["to"] for row in received)
    smsc_duplicates = sum(1 for n in per_destination.values() if n > 1)
    print(f"states after sending: {json.dumps(states)}")
    print(f"SMSC received {len(received):,} submits for {len(per_destination):,} phones; "
          f"{handed:,} messages hold a gateway id")
    print(f"DUPLICATES: database {db_duplicates}, gateway {smsc_duplicates} — goal 0: "
          f"{'OK' if db_duplicates == smsc_duplicates == 0 and len(received) == handed else 'MISSED'}")
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
