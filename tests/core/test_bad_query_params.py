"""No page and no API list answers 500 to nonsense in its query string: a NUL byte in a search
box, a year of 99999 or -1, an unparseable date, a non-numeric id or page. Every GET page
without path arguments is crawled as the office and as a member with each kind of nonsense;
API object paths get a non-numeric id."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

BAD = [
    {"q": "a\x00b", "search": "\x00", "name": "x\x00"},
    {"year": "99999", "month": "99999-13", "page": "abc"},
    {"year": "-1", "month": "-1", "page": "-1", "per_page": "-5", "page_size": "0"},
    {"date": "2026-02-31", "from": "not-a-date", "to": "9999999-01-01", "day": "昨天",
     "start": "2026-13-01", "end": "x", "since": "\x00"},
    {"unit": "abc", "centre": "\x00", "window": "-1", "branch": "9" * 30, "period": "abc", "state": "\x00",
     "status": "zzz", "kind": "\x00", "dimension": "x", "key": "abc"},
]


def _get_pages(resolver=None, prefix=""):
    """Paths of the URL patterns that take no arguments (lists, dashboards, exports)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _get_pages(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            path = (prefix + route).lstrip("^").rstrip("$")
            if "<" in path or "(" in path or "\\" in path or "?" in path or "[" in path:
                continue
            yield "/" + path


SKIP = ("logout", "api/schema", "api/docs", "admin/", "static/", "media/", "i18n/")


@pytest.fixture
def pages():
    paths = sorted({p for p in _get_pages() if not any(s in p for s in SKIP)})
    assert len(paths) > 20
    return paths


def test_nul_bytes_in_a_query_string_are_400(world, client):
    client.force_login(world.office)
    response = client.get("/ratings/transactions/", {"q": "企业\x00"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert client.get("/api/v1/units/", {"search": "\x00"}).status_code == 400


def test_no_page_or_list_answers_500_to_nonsense(world, client, pages):
    client.raise_request_exception = False
    errors = []
    for user in (world.office, world.member, None):
        client.logout()
        if user is not None:
            client.force_login(user)
        for path in pages:
            for params in BAD:
                response = client.get(path, params)
                if response.status_code >= 500:
                    errors.append(f"{getattr(user, 'username', 'anonymous')} {path} {params} -> "
                                  f"{response.status_code}")
    assert not errors, "\n".join(errors[:80])


def test_non_numeric_ids_in_api_paths_are_404(world, client):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.office)
    errors = []
    paths = set()

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = str(pattern.pattern).lstrip("^")
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + route)
            elif "(?P<pk>" in route and prefix.startswith("api/"):
                paths.add("/" + prefix + route.split("(?P<pk>")[0])

    walk(get_resolver(), "")
    assert paths
    for base in sorted(paths):
        for bad in ("abc", "1.5", "-1", "9" * 30):
            response = api.get(f"{base}{bad}/")
            if response.status_code not in (404, 403, 405):
                errors.append(f"{base}{bad}/ -> {response.status_code}")
    assert not errors, "\n".join(errors)
