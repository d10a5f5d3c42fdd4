"""`vanguard pledges <subcommand>`: pledges from the command line, through the same services.

    vanguard pledges import FILE.xlsx --centre demo [--user secretary]   (all or nothing)
    vanguard pledges figures [--year 2026] [--centre demo]               (the Harbin shape)

Without --user the system acts (the audit trail says "system")."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.system import SYSTEM
from vanguard.org.models import ServiceCentre

from ... import selectors, services
from ...models import Letter, PledgeStat
from ...workbook import read_pledges


class Command(BaseCommand):
    help = "Members' pledges: import from paper (Excel, all or nothing), figures."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser("import", help="import pledges entered from paper")
        p.add_argument("file")
        p.add_argument("--centre", required=True, help="code of the service centre")
        p.add_argument("--user", help="act as this user (default: the system)")
        f = sub.add_parser("figures", help="members, pledges made, kept")
        f.add_argument("--year", type=int, default=None)
        f.add_argument("--centre", help="code of the service centre (default: every centre)")

    def _centre(self, code):
        centre = ServiceCentre.objects.filter(code=code).first()
        if centre is None:
            raise CommandError(_("There is no service centre with the code “%(code)s”.") % {"code": code})
        return centre

    def handle(self, *args, **options):
        if options["subcommand"] == "figures":
            year = options["year"] or timezone.localdate().year
            stats, letters = PledgeStat.objects.all(), Letter.objects.all()
            if options.get("centre"):
                centre = self._centre(options["centre"])
                stats, letters = stats.filter(centre=centre), letters.filter(centre=centre)
            total, _rows = selectors.figures(stats, year)
            self.stdout.write(_("%(members)s party members made %(made)s pledges, of which %(kept)s were kept.") % total)
            self.stdout.write(_("%(units)s units signed target responsibility letters, with %(leaders)s leaders.")
                              % selectors.letter_figures(letters, year))
            return
        centre = self._centre(options["centre"])
        actor = SYSTEM
        if options.get("user"):
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("There is no user “%(name)s”.") % {"name": options["user"]})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file “%(name)s”.") % {"name": path})
        try:
            made = services.import_pledges(actor, centre, read_pledges(path.read_bytes()))
        except (ValidationError, PermissionDenied) as e:
            messages = e.messages if isinstance(e, ValidationError) else [str(e)]
            raise CommandError("\n".join(messages)) from e
        self.stdout.write(_("%(n)s pledges imported.") % {"n": len(made)})
