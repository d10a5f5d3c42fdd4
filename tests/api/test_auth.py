"""Authentication of the API: tokens for integrations, sessions (with CSRF)
for the browsable pages; and the exception handler that turns services'
errors into 400/403."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from vanguard.core.api_base import exception_handler
from vanguard.core.models import AuditEntry
from vanguard.org.models import Floor

URL = "/api/v1/floors/"
CSRF = "a" * 32  # a valid unmasked secret, sent as cookie and header


def session_client(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)  # a real session cookie, as after the login page
    return client


def test_session_reads_without_csrf(world):
    assert session_client(world.office).get(URL).status_code == 200


def test_session_write_needs_csrf(world):
    client = session_client(world.office)
    response = client.post(URL, {"number": 7, "name": "七层"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not Floor.objects.filter(number=7).exists()
    client.cookies["csrftoken"] = CSRF
    response = client.post(URL, {"number": 7, "name": "七层"}, format="json", HTTP_X_CSRFTOKEN=CSRF)
    assert response.status_code == 201, response.content


def test_token_write_needs_no_csrf_and_is_audited(world):
    token = Token.objects.create(user=world.office)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(URL, {"number": 7, "name": "七层"}, format="json", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 201, response.content
    row = AuditEntry.objects.get(model="org.floor", object_id=str(response.json()["id"]))
    assert (row.actor, row.action, row.ip_address) == (world.office, "create", "10.1.2.3")


def test_bad_token_and_no_credentials_are_401(world):
    client = APIClient()
    assert client.get(URL).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_inactive_user_token_is_refused(world):
    token = Token.objects.create(user=world.office)
    world.office.is_active = False
    world.office.save()
    assert APIClient().get(URL, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401


def test_browsable_api_uses_local_assets_and_links(world):
    client = APIClient()
    client.force_login(world.office)
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert urls and all(u.startswith(("/", "#", "?", "javascript:", "http://testserver/")) for u in urls), urls


# The exception handler ------------------------------------------------------------------

def test_handler_field_errors():
    response = exception_handler(ValidationError({"mobile": "坏号码", "__all__": ["整体错误"]}), {})
    assert response.status_code == 400
    assert response.data == {"mobile": ["坏号码"], "non_field_errors": ["整体错误"]}


def test_handler_plain_errors():
    response = exception_handler(ValidationError(["一", "二"]), {})
    assert response.status_code == 400 and response.data == {"non_field_errors": ["一", "二"]}


def test_handler_permission_denied_keeps_the_reason():
    response = exception_handler(PermissionDenied("只能修改本支部的人员。"), {})
    assert response.status_code == 403 and response.data == {"detail": "只能修改本支部的人员。"}


def test_handler_leaves_other_errors_alone():
    assert exception_handler(RuntimeError("boom"), {}) is None


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_unsupported_media_type_is_a_clean_error(world, method):
    client = APIClient()
    client.force_authenticate(world.office)
    target = URL if method == "post" else f"{URL}{world.floor1.pk}/"
    response = getattr(client, method)(target, "<xml/>", content_type="application/xml")
    assert response.status_code == 415
