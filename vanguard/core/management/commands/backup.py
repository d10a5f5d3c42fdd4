from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.core import backup


class Command(BaseCommand):
    help = ("Back up the database (pg_dump custom format on PostgreSQL, the online backup API on SQLite), "
            "the uploaded files and a manifest with checksums into DIR.")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty directory")
        parser.add_argument("--force", action="store_true", help="write into a directory that is not empty")

    def handle(self, *args, directory, force=False, **options):
        try:
            manifest = backup.create(directory, force=force)
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        rows = sum(count for count, _checksum in manifest["tables"].values())
        self.stdout.write(_("Backed up %(tables)s tables (%(rows)s rows) and %(files)s uploaded files into "
                            "%(dir)s; manifest.json lists their checksums.") % {
            "tables": len(manifest["tables"]), "rows": rows, "files": manifest["media"]["files"],
            "dir": directory})
