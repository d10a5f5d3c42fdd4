"""`vanguard assessment <subcommand>`: the month's workflow from the command line.

    vanguard assessment publish 2026-10 [--centre demo] [--user office] [--confirm-unscored]
    vanguard assessment open 2026-11 [--centre demo] [--user office]
    vanguard assessment finalise 2026-10
    vanguard assessment remind
    vanguard assessment check 2026-10     (recompute and compare with the stored results)

Each does what the page does, through the same services. Without --user the
system acts (the audit trail says "system")."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.assessment import compute, previews, services
from vanguard.assessment.models import Period, Result
from vanguard.assessment.scoring import remind_late_scorers
from vanguard.core.system import SYSTEM
from vanguard.org.models import ServiceCentre


class Command(BaseCommand):
    help = "The monthly dual-hundred assessment: open, publish, finalise, remind, check."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name in ("open", "publish", "finalise", "check"):
            p = sub.add_parser(name)
            p.add_argument("month", help="YYYY-MM")
            p.add_argument("--centre", help="code of the service centre (default: every centre with that month)")
            p.add_argument("--user", help="act as this user (default: the system)")
            if name == "publish":
                p.add_argument("--confirm-unscored", action="store_true",
                               help="publish although members have no score in a part (not assessed in it)")
        sub.add_parser("remind", help="remind late scorers now")

    def handle(self, *args, **options):
        name = options["subcommand"]
        if name == "remind":
            self.stdout.write(_("%(n)s reminders sent.") % {"n": remind_late_scorers()})
            return
        actor = self._actor(options.get("user"))
        try:
            month = services.month_start(options["month"])
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        centres = ServiceCentre.objects.all()
        if options.get("centre"):
            centres = centres.filter(code=options["centre"])
            if not centres.exists():
                raise CommandError(_("There is no service centre with the code “%(code)s”.") % {
                    "code": options["centre"]})
        try:
            if name == "open":
                for centre in centres:
                    period = services.open_period(actor, centre, month)
                    self.stdout.write(_("%(centre)s: %(month)s opened.") % {"centre": centre, "month": period.label})
                return
            periods = Period.objects.filter(centre__in=centres, month=month).select_related("centre", "scheme")
            if not periods:
                raise CommandError(_("%(month)s has not been opened.") % {"month": f"{month:%Y-%m}"})
            for period in periods:
                getattr(self, f"_{name}")(actor, period, options)
        except (ValidationError, PermissionDenied) as e:
            messages = e.messages if isinstance(e, ValidationError) else [str(e)]
            raise CommandError(" ".join(messages)) from e

    def _actor(self, username):
        if not username:
            return SYSTEM
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as e:
            raise CommandError(_("There is no user “%(name)s”.") % {"name": username}) from e

    def _publish(self, actor, period, options):
        try:
            period = services.publish_period(actor, period, confirm_unscored=options["confirm_unscored"])
        except services.UnscoredRefused:
            for line in previews.unscored(period, limit=50)["lines"]:
                self.stderr.write(f"{line['person'].name}\t{line['part_label']}\t{line['scope']}\t{line['scorers']}")
            raise
        results = Result.objects.filter(period=period, is_current=True)
        self.stdout.write(_("%(centre)s %(month)s published: %(n)s results, %(stars)s star members, "
                            "%(unassessed)s not assessed; publicity until %(date)s.") % {
            "centre": period.centre, "month": period.label, "n": results.count(),
            "stars": results.filter(is_star=True).count(), "unassessed": results.filter(total__isnull=True).count(),
            "date": period.publicity_ends})

    def _finalise(self, actor, period, options):
        services.finalise_period(actor, period)
        self.stdout.write(_("%(centre)s %(month)s is final.") % {"centre": period.centre, "month": period.label})

    def _check(self, actor, period, options):
        if not period.is_published:
            raise CommandError(_("%(month)s has not been published.") % {"month": period.label})
        fresh, stored = compute.compute_rows(period, from_results=True), compute.stored_rows(period)
        differ = [pid for pid in fresh if fresh[pid] != stored.get(pid)]
        if differ:
            raise CommandError(_("%(n)s results differ from a recomputation.") % {"n": len(differ)})
        self.stdout.write(_("%(centre)s %(month)s: %(n)s stored results reproduced exactly.") % {
            "centre": period.centre, "month": period.label, "n": len(stored)})
