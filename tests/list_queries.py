"""Query counts of list pages: a page that shows more rows must not cost more queries
(no query per row). Used by each app's tests/<app>/test_list_queries.py.

    assert_flat(client, url, grow, django_assert_max_num_queries)

fetches `url` with the rows there are, calls `grow()` (which adds rows the page shows and
returns a text that one of them prints), fetches it again under the first count and checks that
the new rows are on the page (so the second fetch really rendered more rows)."""

import html

from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_flat(client, url, grow, django_assert_max_num_queries, *, more=None):
    client.get(url)  # caches (scope, translations, the window->post map) warm, as on a busy server
    with CaptureQueriesContext(connection) as first:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    before = html.unescape(response.content.decode())
    marker = grow()
    with django_assert_max_num_queries(len(first)):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = html.unescape(response.content.decode())
    assert marker not in before and marker in page, (url, marker)
    return len(first)
