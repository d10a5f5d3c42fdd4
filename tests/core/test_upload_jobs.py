"""The shared upload job (core/upload_jobs.py): its progress is its uploader's only, and the
page says where the worker is."""

import pytest
from django.urls import reverse

from vanguard.core import upload_jobs
from vanguard.core.models import UploadJob


def _job(world, **fields):
    fields = {"handler": "x.y", **fields}
    return UploadJob.objects.create(token="a" * 32, user=world.office, centre=world.centre,
                                    file="private/uploads/none.xlsx", file_name="花名册.xlsx", **fields)


def test_progress_is_the_uploaders_only(world):
    job = _job(world)
    assert upload_jobs.progress(job.token, world.office) == job
    for user in (world.outsider, world.secretary, world.admin):
        assert upload_jobs.progress(job.token, user) is None
    assert upload_jobs.progress("b" * 32, world.office) is None
    assert upload_jobs.progress("a" * 33, world.office) is None
    assert upload_jobs.progress(None, world.office) is None


def test_the_page_says_where_the_worker_is(world, login):
    job = _job(world, state=UploadJob.State.SAVING, total=1234)
    client = login(world.office)
    page = client.get(f"{reverse('org:roster')}?job={job.token}").content.decode()
    assert "花名册.xlsx" in page and "1234" in page and "正在保存" in page and 'http-equiv="refresh"' in page
    UploadJob.objects.filter(pk=job.pk).update(state=UploadJob.State.FAILED, messages=["第3行有误"])
    page = client.get(f"{reverse('org:roster')}?job={job.token}").content.decode()
    assert "第3行有误" in page and "没有保存任何数据" in page and 'http-equiv="refresh"' not in page


def test_an_unexpected_error_in_the_handler_fails_the_job(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = _job(world, handler="vanguard.core.upload_jobs.no_such_handler")
    with pytest.raises(ImportError):  # raised on, for the task's own record of the failure
        upload_jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == UploadJob.State.FAILED and "服务器出错" in job.messages[0]
