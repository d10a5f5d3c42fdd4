"""Large transaction workbooks are read and saved by the worker, not the web process: the
page stores the upload privately, enqueues the task and shows its progress until it is done.
Progress lives in the cache (it is about one page for a few minutes, not a record)."""

import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.core.xlsx_read import check_size

from .permissions import is_office

CHUNK = 2000
KEEP_SECONDS = 24 * 3600


def _key(token):
    return f"ratings:import:{token}"


def start_import(actor, centre, upload):
    """Store `upload` and hand it to the worker; returns the token its progress is read by."""
    if not is_office(actor, centre.pk):
        raise PermissionDenied(_("Only the party-building office may import transactions."))
    try:
        check_size(upload.size)
    except Exception as e:  # TooBig: its sentence for the user
        raise ValidationError(str(e)) from None
    token = secrets.token_hex(16)
    name = default_storage.save(f"private/imports/{token}.xlsx", upload)
    cache.set(_key(token), {"user": actor.pk, "state": "queued", "done": 0, "total": None, "messages": []},
              KEEP_SECONDS)
    from .tasks import import_transactions_file

    import_transactions_file.enqueue(actor.pk, centre.pk, name, token)
    return token


def progress(token, user):
    """The job's state for its owner: {"state": queued|reading|saving|done|failed, "done", "total",
    "messages"}; None for an unknown token or another user's."""
    job = cache.get(_key(token or ""))
    if not job or job.get("user") != getattr(user, "pk", None):
        return None
    return job


def run_import(user_id, centre_id, name, token):
    """The worker's part: the guarded read, then all rows saved in one transaction, in chunks."""
    from vanguard.core.models import User
    from vanguard.org.models import ServiceCentre

    from . import services, workbook

    job = cache.get(_key(token)) or {"user": user_id, "messages": []}

    def report(**changes):
        job.update(changes)
        cache.set(_key(token), job, KEEP_SECONDS)

    try:
        report(state="reading")
        with default_storage.open(name, "rb") as fh:
            items, label = workbook.read(fh.read())
        report(state="saving", total=len(items), done=0)
        actor, centre = User.objects.get(pk=user_id), ServiceCentre.objects.get(pk=centre_id)
        created = existing = 0
        with transaction.atomic():  # all or nothing, as on the page
            for start in range(0, len(items), CHUNK):
                chunk = items[start:start + CHUNK]
                result = services.import_transactions(actor, centre, chunk,
                                                      row_label=lambda i, s=start: label(s + i))
                created += result["created"]
                existing += len(result["existing"])
                report(done=start + len(chunk))
        report(state="done", messages=[_("%(created)s transactions received; %(existing)s were already there.")
                                       % {"created": created, "existing": existing}])
    except (ValidationError, PermissionDenied) as e:
        report(state="failed", messages=getattr(e, "messages", [str(e)]))
    finally:
        default_storage.delete(name)
    return job
