"""The API's routes: each first path segment under /api/v1/ belongs to one app, so the order in which the
apps' routes are tried (vanguard.urls.API_FIRST puts the busiest first) never decides which view answers."""

import re

from django.urls import get_resolver, resolve

from vanguard import urls


def _api_resolver():
    return next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")


def test_no_two_apps_share_a_first_path_segment():
    owner = {}
    for include in _api_resolver().url_patterns:
        app = include.urlconf_name.__name__
        for route in include.url_patterns:
            segment = re.match(r"\^?([a-z0-9_-]+)", str(route.pattern))
            assert segment, f"{app}: a route without a literal first segment could answer another app's paths"
            assert owner.setdefault(segment[1], app) == app, (segment[1], owner[segment[1]], app)
    assert "meetings" in owner and "ratings" in owner


def test_the_busiest_app_is_tried_first_and_still_answers():
    first = _api_resolver().url_patterns[0]
    assert first.urlconf_name.__name__ == f"vanguard.{urls.API_FIRST[0]}.api"
    assert resolve("/api/v1/meetings/5/sign-in/").url_name == "meeting-sign-in"
    assert resolve("/api/v1/people/").url_name == "person-list"
