"""`vanguard campaign <subcommand>`: review campaigns (评议活动) from the command line, through
the same services as the pages.

    vanguard campaign list                                   (every campaign with its figures)
    vanguard campaign invite ID --count 200 [--user office]  (a random sample of recent service users)
    vanguard campaign send [ID]                              (the SMS invitations not sent yet, each once)
    vanguard campaign results ID                             (each unit's result and rank)

Without --user the system acts (the audit trail says "system")."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from vanguard.core.system import SYSTEM

from ... import campaigns, selectors
from ...models import Campaign


class Command(BaseCommand):
    help = "Review campaigns: list, invite recent service users by SMS, send the invitations, results."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="every campaign with its figures")
        p = sub.add_parser("invite", help="invite a random sample of recent service users by SMS")
        p.add_argument("campaign", type=int)
        p.add_argument("--count", type=int, required=True)
        p.add_argument("--valid-days", type=int, default=14)
        p.add_argument("--user", help="act as this user (default: the system)")
        s = sub.add_parser("send", help="send the SMS invitations not sent yet (each at most once)")
        s.add_argument("campaign", type=int, nargs="?")
        r = sub.add_parser("results", help="each unit's result and rank")
        r.add_argument("campaign", type=int)

    def _campaign(self, pk):
        campaign = Campaign.objects.select_related("evaluation").filter(pk=pk).first()
        if campaign is None:
            raise CommandError(f"There is no campaign {pk}.")
        return campaign

    def handle(self, *args, **options):
        command = options["subcommand"]
        if command == "list":
            for campaign in Campaign.objects.select_related("evaluation").order_by("-starts_on", "-pk"):
                f = selectors.campaign_figures(campaign)
                self.stdout.write(f"{campaign.pk}\t{campaign.title}\t{campaign.get_status_display()}\t"
                                  f"reviewers {f['reviewers']}/{f['quota']}\tissues routed {f['routed']}\t"
                                  f"answered on time {f['on_time']}/{f['answered']}\t"
                                  f"satisfied {f['satisfied']}/{f['called_back']}")
        elif command == "send":
            sent, failed = campaigns.send_invitations(options.get("campaign"))
            self.stdout.write(f"sent {sent}, failed {failed}")
        elif command == "results":
            for row in selectors.campaign_results(self._campaign(options["campaign"])):
                self.stdout.write(f"{row.rank or '-'}\t{row.unit.name}\tanswers {row.answers}\t"
                                  f"rate {row.rate if row.rate is not None else '-'}\tissues {row.issues}")
        else:
            actor = SYSTEM
            if options.get("user"):
                actor = get_user_model().objects.filter(username=options["user"]).first()
                if actor is None:
                    raise CommandError(f"There is no user “{options['user']}”.")
            try:
                invited = campaigns.invite_service_users(actor, self._campaign(options["campaign"]),
                                                         count=options["count"], valid_days=options["valid_days"])
            except (ValidationError, PermissionDenied) as e:
                raise CommandError(" ".join(getattr(e, "messages", [str(e)]))) from None
            self.stdout.write(f"invited {invited} service users; their SMS go out now (vanguard campaign send).")
