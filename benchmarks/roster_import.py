"""Benchmark: import a 10,000-row staff roster on PostgreSQL.

    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_bench python benchmarks/roster_import.py

Builds a centre of its own (floors, units, branches, windows through the
services), writes a 10,000-row roster workbook in the template's shape with the
spellings offices really use (spaced and +86 phones, full-width digits, Chinese
dates), imports it through the same service as the page and the command, then
re-imports it with every row changed (10,000 updates) and exports it. Prints
elapsed seconds and peak memory, and whether the goal holds:
10,000 rows in <= 10 s. Everything it created is deleted at the end.
Exit status 1 when the goal is missed.
"""

import argparse
import io
import os
import random
import resource
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

GOAL_ROWS = 10_000
GOAL_SECONDS = 10.0


def rss_mb():
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django():
    url = os.environ.get("VANGUARD_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("VANGUARD_DATABASE_URL must point to a PostgreSQL database, e.g. "
                 "postgresql://postgres@127.0.0.1:5432/vg_bench (create it with createdb).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_centre(tag):
    from vanguard.core.models import User
    from vanguard.org import services
    from vanguard.org.models import Organization, Unit

    admin = User.objects.create_user(username=f"bench-{tag}", password=uuid.uuid4().hex, is_superuser=True)
    centre = services.create_centre(admin, name=f"基准测试政务服务中心{tag}", code=f"bench-{tag}")
    root = services.create_organization(admin, centre, name="基准局党组", kind=Organization.Kind.LEADING_GROUP)
    floors = [services.create_floor(admin, centre, number=n, name=f"{n}层大厅") for n in range(1, 7)]
    branches = [services.create_organization(admin, centre, parent=root, name=f"{f.number}层党支部",
                                             kind=Organization.Kind.BRANCH, floor=f) for f in floors]
    units = [services.create_unit(admin, centre, name=f"区第{n}委办局（派驻）", kind=Unit.Kind.HOME)
             for n in range(1, 61)]
    windows = [services.create_window(admin, centre, floor=floors[n % len(floors)], number=f"{chr(65 + n % 6)}{n:03d}",
                                      unit=units[n % len(units)]) for n in range(1, 241)]
    return admin, centre, branches, units, windows


PHONE_STYLES = [
    lambda m: m,
    lambda m: f"{m[:3]} {m[3:7]} {m[7:]}",
    lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}",
    lambda m: f"+86 {m}",
    lambda m: f"0086{m}",
    lambda m: m.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    lambda m: int(m),
]
DATE_STYLES = [
    lambda d: d,
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月",
    lambda d: d.strftime("%Y%m%d"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def roster_workbook(centre, branches, units, windows, rows, job_suffix=""):
    import datetime

    from openpyxl import load_workbook

    from vanguard.org.roster.workbook import build_workbook

    rng = random.Random(2026)
    wb = load_workbook(io.BytesIO(build_workbook(centre)))
    ws = wb["花名册"]
    for i in range(rows):
        mobile = f"139{i:08d}"
        status = ("中共党员", "中共预备党员", "群众", "正式党员")[i % 4]
        member = status != "群众"
        joined = datetime.date(1980 + i % 44, 1 + i % 12, 1 + i % 28)
        ws.append([
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "男" if i % 2 else "女",
            PHONE_STYLES[i % len(PHONE_STYLES)](mobile),
            status,
            DATE_STYLES[i % len(DATE_STYLES)](joined) if member else None,
            units[i % len(units)].name,
            branches[i % len(branches)].name if member else None,
            windows[i % len(windows)].number,
            f"窗口受理员{job_suffix}",
        ])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def timed_import(admin, centre, data, name, dry_run=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vanguard.org.roster import import_roster

    started, cpu = time.perf_counter(), time.process_time()
    result = import_roster(admin, centre, SimpleUploadedFile(name, data), dry_run=dry_run)
    elapsed = time.perf_counter() - started
    result.cpu_seconds = time.process_time() - cpu
    if not result.ok:
        for error in result.errors[:20]:
            print("  ", error)
        sys.exit(f"the generated roster did not import: {len(result.errors)} problems")
    return result, elapsed


def clean_up(admin, centre):
    """Delete what the run created. Raw deletes: the benchmark centre's rows are referenced only by each
    other, and the ORM's cascade would visit every app's tables, migrated or not."""
    from django.db import connection, transaction

    from vanguard.core.models import AuditEntry, Grant
    from vanguard.org.models import Floor, Organization, Person, Unit, Window

    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        AuditEntry.objects.filter(centre=centre)._raw_delete(connection.alias)
        AuditEntry.objects.filter(actor=admin)._raw_delete(connection.alias)
        Grant.objects.filter(user=admin)._raw_delete(connection.alias)
        for model in (Person, Window, Organization, Unit, Floor):
            model.objects.filter(centre=centre)._raw_delete(connection.alias)
        type(centre).objects.filter(pk=centre.pk)._raw_delete(connection.alias)
        type(admin).objects.filter(pk=admin.pk)._raw_delete(connection.alias)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=GOAL_ROWS)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark centre instead of deleting it")
    args = parser.parse_args()
    setup_django()
    from vanguard.org.models import Person
    from vanguard.org.roster import export_roster

    tag = uuid.uuid4().hex[:8]
    print(f"roster import benchmark: {args.rows:,} rows on PostgreSQL, centre bench-{tag}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    admin, centre, branches, units, windows = build_centre(tag)
    try:
        data = roster_workbook(centre, branches, units, windows, args.rows)
        changed = roster_workbook(centre, branches, units, windows, args.rows, job_suffix="（调整）")
        print(f"  workbook: {len(data) / 1024:.0f} KB, {len(units)} units, {len(branches)} branches, "
              f"{len(windows)} windows")
        rss_before = rss_mb()

        checked, check_seconds = timed_import(admin, centre, data, "bench.xlsx", dry_run=True)
        print(f"  check only (dry run, {checked.rows:,} rows): {check_seconds:6.2f} s "
              f"(CPU {checked.cpu_seconds:.2f} s): reading and validating, no writes")

        result, seconds = timed_import(admin, centre, data, "bench.xlsx")
        assert result.created == args.rows == Person.objects.filter(centre=centre).count()
        rss_after = rss_mb()
        print(f"  import (create {result.created:,}):  {seconds:6.2f} s (this process's CPU "
              f"{result.cpu_seconds:.2f} s)   process peak RSS {rss_after:.0f} MB (+{rss_after - rss_before:.0f} "
              f"MB over the workbook generation before it)")

        result2, seconds2 = timed_import(admin, centre, changed, "bench-changed.xlsx")
        assert result2.updated == args.rows
        print(f"  re-import (update {result2.updated:,}): {seconds2:6.2f} s (CPU {result2.cpu_seconds:.2f} s)   "
              f"peak RSS {rss_mb():.0f} MB")

        # Memory of a full import with writes (10,000 updates back to the first file), measured apart:
        # tracemalloc slows Python down, so this run is not timed against the goal.
        tracemalloc.start()
        result3, seconds3 = timed_import(admin, centre, data, "bench.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  memory: import of {result3.rows:,} rows ({result3.updated:,} updates) allocates at most "
              f"{peak / 1024 / 1024:.1f} MB of Python memory (tracemalloc peak; run took {seconds3:.2f} s "
              f"under tracing)")

        started, cpu = time.perf_counter(), time.process_time()
        exported = export_roster(admin, centre)
        print(f"  export ({args.rows:,} people): {time.perf_counter() - started:6.2f} s "
              f"(CPU {time.process_time() - cpu:.2f} s), {len(exported) / 1024:.0f} KB")
    finally:
        if not args.keep:
            clean_up(admin, centre)

    per_goal = seconds * GOAL_ROWS / args.rows
    met = per_goal <= GOAL_SECONDS and seconds2 * GOAL_ROWS / args.rows <= GOAL_SECONDS
    print(f"  load average at the end {os.getloadavg()[0]:.1f} (wall-clock figures grow with other work "
          f"on the machine)")
    print(f"goal: {GOAL_ROWS:,} rows in <= {GOAL_SECONDS:.0f} s -> "
          f"create {seconds:.2f} s, update {seconds2:.2f} s: {'MET' if met else 'NOT MET'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
