"""Benchmark: the figures room at city scale on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres vg_city
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_city \\
        python benchmarks/dashboard.py [--repeat 5] [--skip-refresh]

Builds (or reuses) the city (`vanguard demo --scale city`: 300,000 people, 50 centres)
and its records (benchmarks/city_records.py: a year of transactions and ratings, posts,
twelve published assessment months in the first centre, lessons), recomputes every
centre's figures (timed: a full rebuild, then the hourly incremental refresh with nothing
changed and with one new matter), then times in-process (Django's test client, the server's own
time, no network) the leaders' dashboard for the city and for one centre, the rows behind
a number, the city roll-up, the figures API, the big screen (page and data) and the annual
report of one centre (Word and PDF). Prints each median with the load average.

Goals on the shared 2-core machine: dashboard and big screen <= 300 ms; a centre's annual
report <= 30 s. Exit status 1 when a goal is missed."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

GOAL_PAGE_MS = 300
GOAL_REPORT_S = 30


def load():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-refresh", action="store_true", help="reuse the figures already computed")
    parser.add_argument("--no-records", action="store_true",
                        help="do not build the other apps' records (another run is building them)")
    args = parser.parse_args()
    if not os.environ.get("VANGUARD_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("The city needs PostgreSQL: set VANGUARD_DATABASE_URL.")
    from page_latency import city_roles, setup_django

    setup_django()
    print(f"machine: {os.cpu_count()} cores, {load()}", flush=True)
    users = city_roles()
    if not args.no_records:
        from city_records import build_records

        build_records(stdout=sys.stdout)

    from django.conf import settings
    from django.test import Client

    # In-process requests render templates without collectstatic's manifest.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.utils import timezone

    from vanguard.core.system import SYSTEM
    from vanguard.dashboard import report, screen, services
    from vanguard.dashboard.models import Figure, Screen
    from vanguard.org.models import Person, ServiceCentre

    centre = ServiceCentre.objects.get(code="city-001")
    print(f"people: {Person.objects.count():,}; centres: {ServiceCentre.objects.count()}", flush=True)
    if not args.skip_refresh or not Figure.objects.exists():
        started = time.perf_counter()
        count = services.refresh_figures(SYSTEM, full=True)
        print(f"refresh figures, full (every centre, 25 months): {count:,} rows in "
              f"{time.perf_counter() - started:.1f} s ({load()})", flush=True)
    # The hourly job: only the centre-months whose sources changed are recomputed.
    started = time.perf_counter()
    count = services.refresh_figures(SYSTEM)
    print(f"refresh figures, incremental, first after a full one: {count:,} rows in "
          f"{time.perf_counter() - started:.1f} s ({load()})", flush=True)
    from vanguard.ratings.models import Transaction

    newest = Transaction.objects.filter(centre=centre).order_by("-accepted_at", "-id").first()
    if newest is not None:
        newest.pk, newest.number = None, f"BENCH{time.time_ns() % 10**12}"
        newest.accepted_at = timezone.now()
        newest.save()
    started = time.perf_counter()
    count = services.refresh_figures(SYSTEM)
    print(f"refresh figures, incremental, one new matter in one centre: {count:,} rows in "
          f"{time.perf_counter() - started:.1f} s ({load()})", flush=True)
    item = Screen.objects.filter(centre=centre, revoked_at__isnull=True).first() or services.create_screen(
        SYSTEM, centre, name="基准大屏")
    month = timezone.localdate().replace(day=1)
    admin, office = Client(), Client()
    admin.force_login(users["admin"])
    office.force_login(users["office"])
    public = Client()
    m = f"{month:%Y-%m}"
    pages = [
        ("dashboard, city (admin)", admin, f"/figures/?scope=city&month={m}"),
        ("dashboard, centre (office)", office, f"/figures/?scope=centre:{centre.pk}&month={m}"),
        ("rows behind a number (centre, satisfied)", office,
         f"/figures/rows/?scope=centre:{centre.pk}&metric=satisfied&month={m}"),
        ("rows behind a number (centre, accepted)", office,
         f"/figures/rows/?scope=centre:{centre.pk}&metric=accepted&month={m}"),
        ("rows behind a number (centre, completed)", office,
         f"/figures/rows/?scope=centre:{centre.pk}&metric=completed&month={m}"),
        ("city roll-up (admin)", admin, f"/figures/city/?month={m}"),
        ("figures API, centre", office, f"/api/v1/figures/?scope=centre:{centre.pk}&month={m}"),
        ("big screen page", public, screen.url_of(item)),
        ("big screen data", public, screen.data_url_of(item)),
    ]
    ok = True
    for name, client, url in pages:
        client.get(url)  # warm
        median, worst, response = timed(lambda c=client, u=url: c.get(u), args.repeat)
        goal = median <= GOAL_PAGE_MS and response.status_code == 200
        ok &= goal
        print(f"{name}: median {median:.0f} ms, max {worst:.0f} ms, status "
              f"{response.status_code}, {len(response.content) / 1024:.0f} KB {'ok' if goal else 'MISSED'} "
              f"({load()})", flush=True)
    started = time.perf_counter()
    data = report.build(month.year, centre)
    body_docx = report.docx(data)
    body_pdf = report.pdf(data)
    seconds = time.perf_counter() - started
    goal = seconds <= GOAL_REPORT_S
    ok &= goal
    print(f"annual report, one centre ({month.year}): {seconds:.1f} s (docx {len(body_docx) / 1024:.0f} KB, "
          f"pdf {len(body_pdf) / 1024:.0f} KB) {'ok' if goal else 'MISSED'} ({load()})", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
