"""A large roster workbook, imported by the worker (core/upload_jobs.py) with the same
all-or-nothing import as the page."""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

from .importer import import_roster

HANDLER = "vanguard.org.roster.background.import_file"


def import_file(actor, centre, fh, options, report):
    dry_run = bool(options.get("dry_run"))
    result = import_roster(actor, centre, File(fh, name=options.get("file_name") or "roster.xlsx"), dry_run=dry_run)
    if result.errors:
        raise ValidationError([str(e) for e in result.errors])
    figures = {"rows": result.rows, "created": result.created, "updated": result.updated,
               "unchanged": result.unchanged, "centre": centre.name}
    if dry_run:
        return [_("The file is correct: %(rows)s rows; %(created)s people would be added, %(updated)s updated, "
                  "%(unchanged)s unchanged. Nothing has been saved yet.") % figures]
    return [_("Roster imported into %(centre)s: %(created)s added, %(updated)s updated, %(unchanged)s "
              "unchanged.") % figures]
