"""A large score workbook, read and saved by the worker (core/upload_jobs.py) with the same
all-or-nothing upload as the page."""

from django.utils.translation import gettext as _

from . import workbook
from .models import Period

HANDLER = "vanguard.assessment.uploads.import_file"


def import_file(actor, centre, fh, options, report):
    period = Period.objects.select_related("scheme").get(pk=options["period"], centre=centre)
    saved = workbook.upload(actor, period, fh)
    return [_("%(n)s scores imported from the file.") % {"n": saved}]
