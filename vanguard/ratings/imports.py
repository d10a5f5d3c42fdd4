"""A large transactions workbook, read and saved by the worker (core/upload_jobs.py): the
guarded read, then every row saved in one transaction, in chunks."""

from django.db import transaction
from django.utils.translation import gettext as _

from . import services, workbook

HANDLER = "vanguard.ratings.imports.import_file"
CHUNK = 2000


def import_file(actor, centre, fh, options, report):
    items, label = workbook.read(fh)
    report(state="saving", total=len(items), done=0)
    created = existing = 0
    with transaction.atomic():  # all or nothing, as on the page
        for start in range(0, len(items), CHUNK):
            chunk = items[start:start + CHUNK]
            result = services.import_transactions(actor, centre, chunk, row_label=lambda i, s=start: label(s + i))
            created += result["created"]
            existing += len(result["existing"])
    return [_("%(created)s transactions received; %(existing)s were already there.")
            % {"created": created, "existing": existing}]
