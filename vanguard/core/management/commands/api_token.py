from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.core.api_tokens import issue_api_token
from vanguard.core.system import SYSTEM


class Command(BaseCommand):
    help = ("Print a user's API token for integrations (Authorization: Token <key>), "
            "creating it if needed; --rotate replaces it.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true",
                            help="Replace the token with a new one; the old one stops working at once.")

    def handle(self, *args, username, rotate=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user “%(username)s” is disabled; enable the account first.")
                               % {"username": username})
        token, _changed = issue_api_token(SYSTEM, user, rotate=rotate)
        # Only the key on stdout, so scripts can capture it.
        self.stdout.write(token.key)
