from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.core import backup


class Command(BaseCommand):
    help = ("Rebuild this instance's database and uploaded files from a backup made by `vanguard backup`, "
            "then compare every table's row count and checksum with the backup's manifest.")

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--force", action="store_true",
                            help="replace the contents of a database or uploads directory that is not empty")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="do not ask for confirmation")

    def handle(self, *args, directory, force=False, interactive=True, **options):
        try:
            manifest = backup.read_manifest(directory)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        try:
            target = backup.default_target()
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(_("Backup of %(when)s: %(tables)s tables, %(files)s uploaded files. Target: %(db)s.") % {
            "when": manifest["created_at"], "tables": len(manifest["tables"]), "files": manifest["media"]["files"],
            "db": target["label"]})
        if interactive:
            question = (_("This REPLACES the target's data. Type “yes” to go on: ") if force
                        else _("Restore into the target? Type “yes” to go on: "))
            if input(question).strip().lower() not in ("yes", "y"):
                raise CommandError(_("Nothing was restored."))
        try:
            report = backup.restore(directory, target, force=force)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(_("Restored %(tables)s tables (%(rows)s rows) and %(files)s uploaded files.") % {
            "tables": report["tables"], "rows": report["rows"], "files": report["media"]})
        if report["mismatches"]:
            raise CommandError(_("These tables differ from the backup's manifest: %(tables)s.") % {
                "tables": ", ".join(report["mismatches"])})
        self.stdout.write(_("Every table's row count and checksum matches the manifest. "
                            "Check the audit trail next: vanguard audit verify"))
