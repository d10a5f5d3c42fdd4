import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from vanguard.core.addresses import adopt_listen_address
from vanguard.core.demo import DEMO_ACCOUNTS, DemoContext, build_apps


class Command(BaseCommand):
    help = "Build the fictional demo centre (or a city for benchmarks) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Build only; do not start the server.")
        parser.add_argument("--password", default="vanguard-demo", help="Password of every demo account.")
        parser.add_argument("--scale", choices=["centre", "city"], default="centre",
                            help="centre: the demo centre; city: ~300,000 people for benchmarks (PostgreSQL).")
        parser.add_argument("--port", type=int, default=int(os.environ.get("VANGUARD_PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("VANGUARD_HOST", "127.0.0.1"))

    def handle(self, *args, **options):
        # The demo's QR codes and SMS links must reach the server it is about to start.
        adopt_listen_address(options["host"], options["port"])
        call_command("migrate", interactive=False, verbosity=0)
        if options["scale"] == "city":
            if connection.vendor != "postgresql":
                raise CommandError(_("The city-scale demo needs PostgreSQL (set VANGUARD_DATABASE_URL)."))
            from vanguard.org.demo_city import build_city

            build_city(stdout=self.stdout)
            return
        from vanguard.org.demo import build_centre, demo_exists, reset_passwords

        ctx = DemoContext(password=options["password"])
        if demo_exists():
            self.stdout.write(_("The demo centre already exists; demo passwords reset."))
            reset_passwords(options["password"])
        else:
            self.stdout.write(_("Building the demo centre…"))
            build_centre(ctx)
            for line in ctx.log:
                self.stdout.write(f"  · org: {line}")
            ctx.log.clear()
            build_apps(ctx, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (password: %(password)s):") % {"password": options["password"]})
        for username, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {role}")
        if not options["no_serve"]:
            call_command("serve", port=options["port"], host=options["host"])
