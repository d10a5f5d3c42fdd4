"""Run a command against a throwaway PostgreSQL cluster, then remove the cluster.

    python scripts/throwaway_postgres.py [--port N] -- COMMAND [ARGS...]

`make test` uses it when no PG_URL is given: initdb on a temporary directory with
Debian's server binaries (/usr/lib/postgresql/*/bin, installed by
scripts/install-system-deps.sh), a server on 127.0.0.1 and a free port (or --port),
COMMAND run with VANGUARD_DATABASE_URL pointing at it, then the server stopped and
the directory deleted, whatever COMMAND did. The cluster trades durability for speed
(fsync off): it holds nothing but test databases. As root, PostgreSQL refuses to run,
so the cluster belongs to the `postgres` user (or `nobody`). Exits with COMMAND's code."""

import argparse
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile


def server_bin():
    """The newest installed server's bin directory (PG_BIN overrides)."""
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "initdb"))]
    found.sort(key=lambda d: [int(n) for n in re.findall(r"\d+", d)])
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    sys.exit("throwaway_postgres: no PostgreSQL server binaries (initdb) found. Install them with\n"
             "  bash scripts/install-system-deps.sh\n"
             "or point the tests at a server: make test PG_URL=postgresql://user@host:5432/name")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as():
    """PostgreSQL will not run as root: as root, run it as `postgres` (or `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    sys.exit("throwaway_postgres: running as root and there is no `postgres` or `nobody` user to run the server")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("VANGUARD_TEST_PG_PORT") or 0))
    parser.add_argument("--database", default="vanguard", help="name in the URL (pytest-django adds test_)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    bindir = server_bin()
    user = run_as()
    prefix = ["runuser", "-u", user.pw_name, "--"] if user else []
    port = args.port or free_port()
    top = tempfile.mkdtemp(prefix="vanguard-pg-")
    data, log = os.path.join(top, "data"), os.path.join(top, "server.log")
    if user:
        os.chown(top, user.pw_uid, user.pw_gid)
    pg_ctl = [*prefix, os.path.join(bindir, "pg_ctl"), "-D", data]
    started = False

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    code = 1
    try:
        subprocess.run([*prefix, os.path.join(bindir, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL)
        options = (f"-p {port} -k {top} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=50")
        subprocess.run([*pg_ctl, "-l", log, "-o", options, "-w", "-t", "120", "start"], check=True,
                       stdout=subprocess.DEVNULL)
        started = True
        url = f"postgresql://postgres@127.0.0.1:{port}/{args.database}"
        print(f"throwaway_postgres: {os.path.basename(os.path.dirname(bindir))} on 127.0.0.1:{port} "
              f"({top})", flush=True)
        code = subprocess.call(command, env={**os.environ, "VANGUARD_DATABASE_URL": url})
    except subprocess.CalledProcessError as e:
        print(f"throwaway_postgres: {' '.join(map(str, e.cmd))} failed", file=sys.stderr)
        if os.path.exists(log):
            with open(log, encoding="utf-8", errors="replace") as f:
                sys.stderr.write(f.read()[-3000:])
    except KeyboardInterrupt:
        code = 130
    finally:
        if started:
            subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(top, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
