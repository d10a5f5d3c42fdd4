"""Large workbooks are read and saved by the worker, not by the web process.

A page that accepts a workbook (roster, scores, transactions) calls `is_large(upload)`; when
it is, `start(...)` stores the file privately, records an UploadJob and enqueues the worker's
task, and the page redirects to itself with `?job=<token>`; `progress(token, user)` gives the
job back to its uploader only, and the page includes `core/_upload_job.html`.

The worker's part (`run`) calls the page's own handler, a function
`handler(actor, centre, fh, options, report) -> [messages]` that reads `fh` with the guarded
reader (core/xlsx_read.py) and saves all rows or none (it raises ValidationError with the
sentences for the user). `report(state=..., done=..., total=...)` shows where it is; it is
committed at once, so call it outside the handler's saving transaction."""

import secrets

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import UploadJob
from .xlsx_read import TooBig, check_size

State = UploadJob.State
# Jobs one user may have waiting or running at once (each holds a stored file and a worker's time).
MAX_OPEN_PER_USER = 3
# At most this many messages are kept for the page (a file with 10,000 bad rows says so in the last one).
MAX_MESSAGES = 200


def is_large(upload):
    """Should the worker read this upload? (settings.XLSX_BACKGROUND_BYTES)"""
    return getattr(upload, "size", 0) > settings.XLSX_BACKGROUND_BYTES


def start(actor, handler, centre, upload, *, options=None, limit=None):
    """Store `upload` and hand it to the worker; returns the job. The caller has checked that
    `actor` may import into `centre`; the handler's service checks it again in the worker."""
    try:
        check_size(upload.size, limit)
    except TooBig as e:
        raise ValidationError(str(e)) from None
    open_jobs = UploadJob.objects.filter(user=actor, state__in=[State.QUEUED, State.READING, State.SAVING])
    if open_jobs.count() >= MAX_OPEN_PER_USER:
        raise ValidationError(_("You already have %(n)s files waiting for the background worker; wait until "
                                "they are done before uploading another.") % {"n": MAX_OPEN_PER_USER})
    token = secrets.token_hex(16)
    upload.seek(0)
    stored = default_storage.save(f"private/uploads/{token}.xlsx", upload)
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][-200:]
    job = UploadJob.objects.create(token=token, handler=handler, user=actor, centre=centre, file=stored,
                                   options={**(options or {}), "file_name": name}, file_name=name)
    from .tasks import run_upload_job

    run_upload_job.enqueue(job.pk)
    return job


def progress(token, user):
    """The job of `token` for its uploader; None for an unknown token or someone else's."""
    if not token or not isinstance(token, str) or len(token) > 32:
        return None
    return UploadJob.objects.visible_to(user).filter(token=token, user=user).first()


def _messages(messages):
    messages = [str(m) for m in messages]
    if len(messages) > MAX_MESSAGES:
        rest = len(messages) - MAX_MESSAGES + 1
        messages = [*messages[:MAX_MESSAGES - 1], _("… and %(n)s more problems.") % {"n": rest}]
    return messages


def run(job_id):
    """The worker's part: the handler reads and saves the stored file; the job says how it went."""
    job = UploadJob.objects.select_related("user", "centre").get(pk=job_id)

    def report(**changes):
        if "messages" in changes:
            changes["messages"] = _messages(changes["messages"])
        changes["updated_at"] = timezone.now()
        for name, value in changes.items():
            setattr(job, name, value)
        UploadJob.objects.filter(pk=job.pk).update(**changes)

    if job.finished:
        return job
    try:
        report(state=State.READING)
        handler = import_string(job.handler)
        with default_storage.open(job.file, "rb") as fh:
            messages = handler(job.user, job.centre, fh, job.options, report)
        report(state=State.DONE, messages=messages or [])
    except ValidationError as e:
        report(state=State.FAILED, messages=e.messages)
    except PermissionDenied as e:
        report(state=State.FAILED, messages=[str(e) or _("You may not import this file.")])
    except ObjectDoesNotExist:  # the month or centre was removed meanwhile
        report(state=State.FAILED, messages=[_("What this file was uploaded for no longer exists.")])
    except Exception:
        report(state=State.FAILED, messages=[_("The file could not be imported because of an error on the "
                                               "server; nothing was saved. Tell the administrator.")])
        raise
    finally:
        if default_storage.exists(job.file):
            default_storage.delete(job.file)
    return job
