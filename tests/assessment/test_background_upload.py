"""A score workbook above settings.XLSX_BACKGROUND_BYTES is read and saved by the worker
(core/upload_jobs.py), all or nothing; the month's page shows its progress to the uploader only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from vanguard.assessment import workbook
from vanguard.assessment.models import Score
from vanguard.core import upload_jobs
from vanguard.core.models import UploadJob
from vanguard.core.tasks import run_upload_job

pytestmark = pytest.mark.django_db


def _file(world, period, bad=False):
    wb = load_workbook(io.BytesIO(workbook.template(world.secretary, period, "party")))
    ws = wb[workbook.SHEET]
    for row in ws.iter_rows(min_row=2, min_col=workbook.FIRST_INDICATOR_COLUMN,
                            max_col=workbook.FIRST_INDICATOR_COLUMN + 1):
        for cell in row:
            cell.value = 1
    if bad:
        ws.cell(ws.max_row, workbook.FIRST_INDICATOR_COLUMN).value = 99  # above the maximum, on the last row
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("评分.xlsx", out.getvalue())


def _run_queued():
    (result,) = DBTaskResult.objects.filter(task_path=run_upload_job.module_path)
    return upload_jobs.run(*result.args_kwargs["args"])


@pytest.fixture
def large(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.XLSX_BACKGROUND_BYTES = 100
    return tmp_path


def test_large_score_workbook_is_queued_and_saved_by_the_worker(world, period, login, large):
    client = login(world.secretary)
    response = client.post(reverse("assessment:upload", args=[period.pk]), {"file": _file(world, period)})
    assert response.status_code == 302 and "?job=" in response["Location"]
    assert not Score.objects.exists()  # the web request read nothing
    page = client.get(response["Location"]).content.decode()
    assert "import-progress" in page and "等待" in page and "评分.xlsx" in page
    job = _run_queued()
    assert job.state == UploadJob.State.DONE
    assert Score.objects.count() == 2 * len(world.branch1_members)
    page = client.get(response["Location"]).content.decode()
    assert "alert-success" in page and f"{Score.objects.count()}" in page and "refresh" not in page
    assert not list(large.rglob("*.xlsx"))
    # The progress is its uploader's only.
    assert "import-progress" not in login(world.office).get(response["Location"]).content.decode()


def test_large_score_workbook_with_one_bad_cell_saves_nothing(world, period, login, large):
    client = login(world.secretary)
    response = client.post(reverse("assessment:upload", args=[period.pk]), {"file": _file(world, period, bad=True)})
    job = _run_queued()
    assert job.state == UploadJob.State.FAILED and not Score.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "alert-danger" in page and "超过了该指标的满分" in page
