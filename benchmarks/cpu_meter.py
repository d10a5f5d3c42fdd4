"""CPU time of a benchmark's server, per request: the gunicorn workers' processes and the
PostgreSQL backends serving their connections, read from /proc (Linux; same machine).

On a machine shared with other work the wall clock stretches with the load, CPU seconds do
not (much): N requests that cost C CPU seconds in the server would be served at most at
cores / (C / N) requests per second on an otherwise idle machine of the same cores, a
ceiling the printed figure states beside the measured rate."""

import os

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid, utime + stime in seconds


def children(pid):
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = _stat(int(name))
            if stat is not None and stat[0] == pid:
                found.append(int(name))
    return found


def cpu_seconds(pids):
    """{pid: CPU seconds so far} of the processes still alive."""
    out = {}
    for pid in pids:
        stat = _stat(pid)
        if stat is not None:
            out[pid] = stat[1]
    return out


def server_backends(cursor, database, exclude_pid):
    """The PostgreSQL backends connected to `database` from anything but `exclude_pid` (the
    benchmark's own connection): with one server running, its workers' connections."""
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s AND backend_type = "
                   "'client backend'", [database, exclude_pid])
    return [row[0] for row in cursor.fetchall()]


class ServerMeter:
    """CPU seconds used by a gunicorn master's workers and the database's other backends
    between start() and stop(). Backends opened during the run count whole; one closed during
    it is missed (the benchmark's server keeps its connections for the run: DB_CONN_MAX_AGE)."""

    def __init__(self, master_pid, connection):
        self.master_pid, self.connection = master_pid, connection

    def _snapshot(self):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_database()")
            own, database = cursor.fetchone()
            backends = server_backends(cursor, database, own)
        workers = children(self.master_pid)
        return cpu_seconds(workers), cpu_seconds(backends)

    def start(self):
        self.before = self._snapshot()

    def stop(self):
        after = self._snapshot()
        used = []
        for then, now in zip(self.before, after, strict=True):
            used.append(sum(now[pid] - then.get(pid, 0.0) for pid in now))
        self.python_s, self.database_s = used
        return self

    def per_request_ms(self, requests):
        n = max(requests, 1)
        return self.python_s * 1000 / n, self.database_s * 1000 / n

    def describe(self, requests):
        python_ms, database_ms = self.per_request_ms(requests)
        total = python_ms + database_ms
        ceiling = (os.cpu_count() or 1) * 1000 / total if total else float("nan")
        return (f"server CPU per request {total:.2f} ms (gunicorn workers {python_ms:.2f}, PostgreSQL "
                f"backends {database_ms:.2f}): at most {ceiling:.0f}/s on {os.cpu_count()} idle cores")
