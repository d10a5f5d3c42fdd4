"""Evidence of a set-aside request: checked like every kept upload (kind by its bytes, size),
stored privately under a random name, and shown to the office that decides and the unit's
handlers, through a view that checks access; nobody else gets it."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.ratings import cases
from vanguard.ratings.models import RectificationCase

from .conftest import import_one, rate

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def case(world, post, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return rate(import_one(world), 1).case


@pytest.mark.parametrize(("name", "data"), [
    ("录像截图.png", b"<html><script>alert(1)</script></html>"),  # a page named as a picture
    ("说明.pdf", b"MZ\x90\x00 an executable"),
])
def test_evidence_of_another_kind_is_refused(world, case, name, data):
    with pytest.raises(ValidationError) as excinfo:
        cases.request_set_aside(world.handler, case, reason="恶意差评", evidence=SimpleUploadedFile(name, data))
    assert "set_aside_evidence" in excinfo.value.message_dict
    assert "按文件内容判断" in str(excinfo.value)
    assert RectificationCase.objects.get(pk=case.pk).state == "verifying"  # nothing half-applied


def test_oversized_evidence_is_refused(world, case, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as excinfo:
        cases.request_set_aside(world.handler, case, reason="恶意差评",
                                evidence=SimpleUploadedFile("a.pdf", PDF + b"0" * 2000))
    assert "最多只能上传" in str(excinfo.value)


def test_evidence_is_private_and_shown_to_the_office_and_handler(world, case, login, client):
    case = cases.request_set_aside(world.handler, case, reason="恶意差评",
                                   evidence=SimpleUploadedFile("张三 录像.png", PNG))
    name = case.set_aside_evidence.name
    assert name.startswith("private/ratings/evidence/") and "张三" not in name
    url = reverse("ratings:case-evidence", args=[case.pk])
    for user in (world.office, world.handler):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PNG
        page = client.get(reverse("ratings:case", args=[case.pk])).content.decode()
        assert url in page
    for user, status in ((world.member, 404), (world.outsider, 404), (world.secretary, 404)):
        client.logout()
        assert login(user).get(url).status_code in (403, status)
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
