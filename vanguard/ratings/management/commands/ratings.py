from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from vanguard.ratings import figures


class Command(BaseCommand):
    help = "Ratings: `fold` counts the ratings not yet in the figures (the worker does so every minute)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        fold = sub.add_parser("fold", help="Count every rating not yet in the satisfaction figures.")
        fold.add_argument("--centre", type=int, default=None, help="Only this service centre's (its id).")

    def handle(self, *args, action, centre=None, **options):
        count = figures.fold_all(centre)
        self.stdout.write(_("%(count)s ratings counted in the figures.") % {"count": count})
