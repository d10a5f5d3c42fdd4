"""The OpenAPI schema validates without warnings, and the docs page loads
only assets served by this server (drf-spectacular-sidecar)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

ENDPOINTS = ["people", "organizations", "units", "windows", "floors"]


@pytest.fixture(autouse=True)
def _plain_static(settings):
    # The hashed manifest exists only after collectstatic.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def test_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    # Raises on any warning or error, as `vanguard spectacular --validate --fail-on-warn` exits non-zero.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for name in ENDPOINTS:
        assert f"/api/v1/{name}/:" in text and f"/api/v1/{name}/{{id}}/:" in text


def test_schema_and_docs_are_for_signed_in_users_only(client, world):
    # The schema maps every endpoint and field: not for anonymous visitors.
    assert client.get("/api/schema/").status_code == 401  # token or session: not signed in
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    client.force_login(world.member)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_schema_endpoint(client, world):
    client.force_login(world.member)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    people = schema["paths"]["/api/v1/people/"]
    assert {"get", "post"} <= set(people)
    assert {"get", "put", "patch"} <= set(schema["paths"]["/api/v1/people/{id}/"])
    assert "delete" not in schema["paths"]["/api/v1/people/{id}/"]
    params = {p["name"] for p in people["get"]["parameters"]}
    assert {"unit", "branch", "window", "political_status", "is_active", "search", "page"} <= params
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert person["unit_name"]["readOnly"] and person["can_edit"]["type"] == "boolean"
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_loads_local_assets_only(client, world):
    client.force_login(world.member)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assets += re.findall(r"""["'](/static/[^"']+)["']""", html)
    assert assets
    for url in assets:
        assert url.startswith("/"), url
    static = {u for u in assets if u.startswith("/static/")}
    assert any("swagger-ui-bundle.js" in u for u in static)
    for url in static:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not served by this server"
    assert "https://" not in html and "http://" not in html
    # The start-up script is a file of its own (the CSP runs no inline script).
    assert not re.search(r"<script>|<style", html)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
