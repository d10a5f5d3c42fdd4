"""What the in-process profiles of one hot endpoint share (benchmarks/signin_profile.py, rating_profile.py):
one request's statements and round trips, CPU per request beside the anchor's, the time spent in SQL,
and a cProfile of CPU time grouped by the functions that matter.

Each profile sends its requests through Django's test client (the whole middleware stack, the
authentication, the view, the service, the commit) on one connection. CPU time (this process's
and its PostgreSQL backend's) is the figure to read on a shared machine: the wall clock stretches
with the load, CPU seconds hardly do."""

import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time

from cpu_meter import cpu_seconds


class RoundTrips:
    """Counts the round trips of the default connection from libpq's protocol trace: each Sync
    (extended protocol) or Query (simple protocol) the client sends is one, so pipelined
    statements count once."""

    def __init__(self):
        self.file = tempfile.NamedTemporaryFile("w+b", suffix=".trace", delete=False)  # noqa: SIM115

    def start(self, connection):
        connection.ensure_connection()
        self.pgconn = connection.connection.pgconn
        self.file.seek(0)
        self.file.truncate()
        self.pgconn.trace(self.file.fileno())

    def stop(self):
        self.pgconn.untrace()
        self.file.flush()
        self.file.seek(0)
        lines = self.file.read().decode(errors="replace").splitlines()
        if os.environ.get("TRACE_DUMP"):
            print("\n".join(line for line in lines if "\tF\t" in line))
        return sum(1 for line in lines if "\tF\t" in line and ("\tSync" in line or "\tQuery\t" in line))


def one_request(connection, send, label):
    """Sends one request (`send()`) and prints its SQL statements and round trips; returns both counts."""
    from django.test.utils import CaptureQueriesContext

    trips = RoundTrips()
    with CaptureQueriesContext(connection) as ctx:
        trips.start(connection)
        send()
        round_trips = trips.stop()
    print(f"one {label}: {len(ctx.captured_queries)} SQL statements logged, {round_trips} round trips to PostgreSQL")
    for q in ctx.captured_queries:
        print(f"  {q['time']:>6} s  {' '.join(q['sql'].split())[:150]}")
    return len(ctx.captured_queries), round_trips


def backend_pid(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_per_request(connection, label, send, items):
    """Sends `send(item)` for each item and prints the CPU per request of this process (median of
    each request's, and the mean) and of its PostgreSQL backend (mean), with the wall time and the
    load average. Returns (median, mean) of this process's CPU per request in ms."""
    backend = backend_pid(connection)
    load = os.getloadavg()
    each = []
    p0, b0, w0 = time.process_time(), cpu_seconds([backend])[backend], time.perf_counter()
    for item in items:
        c0 = time.process_time()
        send(item)
        each.append(time.process_time() - c0)
    p1, b1, w1 = time.process_time(), cpu_seconds([backend])[backend], time.perf_counter()
    n = max(len(items), 1)
    # The median of each request's CPU time is the steadiest figure on a loaded machine (other
    # processes evict caches and stretch some requests' CPU time); the mean is beside it.
    median, mean = statistics.median(each) * 1000, (p1 - p0) * 1000 / n
    print(f"{label:>8}: CPU per request in this process (Python) median {median:.2f} ms, mean {mean:.2f} ms; "
          f"in its PostgreSQL backend mean {(b1 - b0) * 1000 / n:.2f} ms; wall {(w1 - w0) * 1000 / n:.1f} ms "
          f"({len(items)} requests, load average {load[0]:.1f} -> {os.getloadavg()[0]:.1f})")
    return median, mean


class SqlTimer:
    """Time spent inside the database driver's execute, per request: `with connection.execute_wrapper(timer):`,
    `timer.next()` before each request. COMMIT outside a statement (Django's own) is not an execute."""

    def __init__(self):
        self.each = []

    def next(self):
        self.each.append(0.0)

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.each[-1] += time.perf_counter() - t0


def profiled(connection, send, items, *, profile=True):
    """Sends `send(item)` for each item under cProfile (timed by this process's CPU time, not the wall
    clock, which waiting and being descheduled would fill). Returns (profiler or None, wall ms per
    request, ms in SQL statements per request, the load average before)."""
    profiler = cProfile.Profile(time.process_time) if profile else None
    timer, walls = SqlTimer(), []
    load = os.getloadavg()
    with connection.execute_wrapper(timer):
        for item in items:
            timer.next()
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            send(item)
            if profiler:
                profiler.disable()
            walls.append((time.perf_counter() - t0) * 1000)
    return profiler, walls, [s * 1000 for s in timer.each], load


def print_profile(profiler, requests, groups, *, sort="cumulative", top=30, label="request"):
    """The top of the profile, then each group's cumulative CPU per request: `groups` maps a label to
    "path/suffix.py:function" (the largest cumulative time of that function) or to a bare function name."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(top)
    print(out.getvalue())
    per = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for name, needle in groups.items():
            path, _, wanted = needle.rpartition(":")
            if func == wanted and filename.endswith(path):
                per[name] = max(per.get(name, 0), ct)
    for name in groups:
        if name in per:
            print(f"  {name:<28} {per[name] / max(requests, 1) * 1000:6.2f} ms CPU per {label} "
                  f"(cumulative, under cProfile)")
