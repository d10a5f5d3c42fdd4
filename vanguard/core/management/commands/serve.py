import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from vanguard.core.addresses import adopt_listen_address


def default_workers():
    """Twice the cores plus one synchronous worker (gunicorn's own advice): a worker waits on
    PostgreSQL for each of its round trips, so with one per core the cores idle while they wait.
    On 2 cores with PostgreSQL beside it (benchmarks/rating_ingest.py --batch 1, a shared machine at
    load 9-15): 5 sync workers used no more CPU per request than 2 or 3 and kept the anchor's p99
    lowest; threads (2x4, 3x2) gave no steady gain and up to twice the p99 (a request waits for the
    GIL behind its process's other requests).
    At most 17: each worker holds a PostgreSQL connection (max_connections is 100 by default, shared
    with the other servers, the background workers and the replicas)."""
    return int(os.environ.get("VANGUARD_WEB_WORKERS") or min(2 * (os.cpu_count() or 1) + 1, 17))


def default_threads():
    return int(os.environ.get("VANGUARD_WEB_THREADS") or 1)


class Command(BaseCommand):
    help = "Serve Vanguard with gunicorn (production-grade), static files through whitenoise."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("VANGUARD_PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("VANGUARD_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=default_threads())

    def handle(self, *args, **options):
        # Without VANGUARD_PUBLIC_BASE_URL, QR codes and links name this address.
        adopt_listen_address(options["host"], options["port"])
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        argv = [
            gunicorn or sys.executable, *([] if gunicorn else ["-m", "gunicorn"]),
            "vanguard.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--access-logfile", "-",
            "--forwarded-allow-ips", os.environ.get("VANGUARD_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "--timeout", os.environ.get("VANGUARD_WEB_TIMEOUT", "60"),
        ]
        self.stdout.write(f"Vanguard on http://{options['host']}:{options['port']}/ (data: {settings.DATA_DIR}; "
                          f"public address: {settings.PUBLIC_BASE_URL})")
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 - replace this process with gunicorn
