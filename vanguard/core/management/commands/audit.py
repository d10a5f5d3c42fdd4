from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit


class Command(BaseCommand):
    help = "The audit trail: `verify` walks the hash chain and reports the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every entry's hash and its link to the entry before it.")

    def handle(self, *args, action, **options):
        count, broken = audit.verify()
        if broken is None:
            # The head hash, to note down elsewhere: a trail rewritten wholesale ends in another hash.
            self.stdout.write(_("The audit trail holds: %(count)s entries, chain head %(head)s.") % {
                "count": count, "head": audit.head() or "—"})
            return
        entry, problem = broken
        where = _("entry no. %(id)s (%(at)s, %(actor)s, %(event)s)") % {
            "id": entry.pk, "at": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            "actor": entry.actor_name, "event": entry.event_label}
        if problem == "previous":
            why = _("it does not link to the entry before it: an entry before it was removed, inserted or "
                    "re-hashed")
        else:
            why = _("its content does not match its hash: it was changed after it was written")
        raise CommandError(_("The audit trail is broken at %(where)s: %(why)s. %(count)s entries checked.") % {
            "where": where, "why": why, "count": count})
