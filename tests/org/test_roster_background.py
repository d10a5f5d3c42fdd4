"""A roster workbook above settings.XLSX_BACKGROUND_BYTES is imported by the worker
(core/upload_jobs.py), all or nothing; the roster page shows its progress to the uploader only."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from vanguard.core import upload_jobs
from vanguard.core.models import UploadJob
from vanguard.core.tasks import run_upload_job
from vanguard.org.models import Person

from .roster_files import roster_file, row

PAGE = reverse("org:roster")


def _run_queued():
    (result,) = DBTaskResult.objects.filter(task_path=run_upload_job.module_path)
    return upload_jobs.run(*result.args_kwargs["args"])


@pytest.fixture
def large(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.XLSX_BACKGROUND_BYTES = 100
    return tmp_path


def test_large_roster_is_queued_and_imported_by_the_worker(world, login, large):
    client = login(world.office)
    rows = [row(), row(姓名="另一人", 手机号码="13900002222")]
    response = client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, rows)})
    assert response.status_code == 302 and "job=" in response["Location"]
    assert not Person.objects.filter(mobile__in=["13900001111", "13900002222"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "import-progress" in page and "等待" in page
    assert _run_queued().state == UploadJob.State.DONE
    assert Person.objects.filter(mobile__in=["13900001111", "13900002222"], centre=world.centre).count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "alert-success" in page and "refresh" not in page
    assert not list(large.rglob("*.xlsx"))
    assert "import-progress" not in login(world.secretary).get(response["Location"]).content.decode()


def test_large_roster_with_one_bad_row_imports_nothing(world, login, large):
    client = login(world.office)
    rows = [row(), row(姓名="另一人", 手机号码="12345")]
    response = client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, rows)})
    job = _run_queued()
    assert job.state == UploadJob.State.FAILED
    assert not Person.objects.filter(mobile="13900001111").exists()
    page = client.get(response["Location"]).content.decode()
    assert "alert-danger" in page and "第3行C列" in page


def test_too_many_open_jobs_are_refused_in_chinese(world, login, large):
    client = login(world.office)
    for _n in range(upload_jobs.MAX_OPEN_PER_USER):
        client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, [row()])})
    response = client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, [row()])},
                           follow=True)
    assert "等后台处理完" in response.content.decode()
    assert UploadJob.objects.count() == upload_jobs.MAX_OPEN_PER_USER
