"""Security headers: a Content-Security-Policy with no inline script or style on
every page, a Permissions-Policy, and templates that need no inline code."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "vanguard"
# Rendered to PDF by WeasyPrint on the server, never shown by a browser.
PDF_DIRS = ("/pdf/",)


def csp(response):
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["login", "home"])
def test_pages_carry_a_strict_csp_and_permissions_policy(client, world, url):
    if url == "home":
        client.force_login(world.office)
    response = client.get(reverse(url))
    assert response.status_code == 200
    policy = csp(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not any("'unsafe-inline'" in values or "'unsafe-eval'" in values for values in policy.values())
    permissions = response.headers["Permissions-Policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions


def test_public_pages_and_api_carry_the_csp_too(client, world):
    for response in (client.get(reverse("login")), client.get("/api/v1/people/")):
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_template_has_inline_script_style_or_handlers():
    """The CSP would block them: behaviour goes to static/js/, looks to static/css/."""
    found = []
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        if any(d in str(path) for d in PDF_DIRS):
            continue
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r"<style", r"\sstyle=\"",
                        r"\son[a-z]+=\"", r"javascript:"):
            for match in re.finditer(pattern, text):
                found.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert not found, "\n".join(found)
