"""A transactions workbook above settings.XLSX_BACKGROUND_BYTES is not read by the web process:
the page stores it, enqueues the worker's task and shows its progress to the uploader only."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from vanguard.core import upload_jobs
from vanguard.core.tasks import run_upload_job
from vanguard.ratings import workbook
from vanguard.ratings.models import Transaction

URL = reverse("ratings:transactions")


def _queued_args():
    result = DBTaskResult.objects.get(task_path=run_upload_job.module_path)
    return result.args_kwargs["args"]


def test_large_upload_goes_to_the_worker_with_progress(world, post, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.XLSX_BACKGROUND_BYTES = 100
    client = login(world.office)
    response = client.post(URL, {"file": SimpleUploadedFile("办件.xlsx", workbook.template())})
    assert response.status_code == 302 and "?job=" in response["Location"]
    token = response["Location"].split("?job=")[1]
    assert not Transaction.objects.exists()  # nothing read or saved by the web request
    assert "等待" in client.get(response["Location"]).content.decode()
    upload_jobs.run(*_queued_args())
    page = client.get(response["Location"]).content.decode()
    assert Transaction.objects.filter(number="2026-000001").exists()
    assert "1" in page and "import-progress" in page and "refresh" not in page
    assert not list(tmp_path.rglob("*.xlsx"))  # the stored upload is removed
    client.logout()
    assert "import-progress" not in login(world.outsider).get(f"{URL}?job={token}").content.decode()


def test_refused_file_in_the_worker_is_reported(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.XLSX_BACKGROUND_BYTES = 10
    client = login(world.office)
    response = client.post(URL, {"file": SimpleUploadedFile("办件.xlsx", b"PK\x03\x04 not a workbook at all")})
    upload_jobs.run(*_queued_args())
    page = client.get(response["Location"]).content.decode()
    assert "alert-danger" in page and "xlsx" in page
