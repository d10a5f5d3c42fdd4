"""vanguard import-roster FILE.xlsx [--dry-run] [--centre CODE] [--user USERNAME]

Imports a staff roster the same way the roster page does: every row is checked,
all problems are printed (in Chinese) and nothing is saved unless the whole file
is correct. Exits with status 1 on any problem."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from vanguard.core.system import SYSTEM
from vanguard.org.models import ServiceCentre
from vanguard.org.roster import import_roster, roster_centres


class Command(BaseCommand):
    help = "Import a staff roster (.xlsx) into a service centre: all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster workbook (.xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, save nothing")
        parser.add_argument("--centre", help="code of the service centre (needed when there are several)")
        parser.add_argument("--user", help="username of the acting office user (default: the system)")

    def handle(self, *args, **options):
        # The messages are for the office staff who wrote the file: Chinese, like the pages.
        with translation.override(settings.LANGUAGE_CODE):
            self._import(options)

    def _import(self, options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user “%(name)s”.") % {"name": options["user"]})
        centre = self._centre(options["centre"], user)
        started = time.perf_counter()
        try:
            result = import_roster(user or SYSTEM, centre, options["file"], dry_run=options["dry_run"])
        except FileNotFoundError:
            raise CommandError(_("The file “%(name)s” does not exist.") % {"name": options["file"]}) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        seconds = time.perf_counter() - started
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)s problem(s) found in %(file)s; nothing was saved.")
                               % {"count": len(result.errors), "file": options["file"]}, returncode=1)
        counts = {"centre": centre.name, "rows": result.rows, "created": result.created,
                  "updated": result.updated, "unchanged": result.unchanged, "seconds": f"{seconds:.1f}"}
        if result.dry_run:
            self.stdout.write(_("The file is correct (%(rows)s rows); nothing was saved. It would add %(created)s, "
                                "update %(updated)s and leave %(unchanged)s unchanged in %(centre)s.") % counts)
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Roster imported into %(centre)s in %(seconds)s s: %(rows)s rows, %(created)s added, "
                  "%(updated)s updated, %(unchanged)s unchanged.") % counts))

    def _centre(self, code, user):
        centres = roster_centres(user) if user is not None else ServiceCentre.objects.order_by("name")
        if code:
            centre = centres.filter(code=code).first()
            if centre is None:
                raise CommandError(_("There is no service centre with code “%(code)s” that you may use.")
                                   % {"code": code})
            return centre
        if centres.count() != 1:
            codes = ", ".join(centres.values_list("code", flat=True)) or "-"
            raise CommandError(_("Name the service centre with --centre CODE (one of: %(codes)s).")
                               % {"codes": codes})
        return centres.get()
