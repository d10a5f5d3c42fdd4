"""Schemathesis over the whole OpenAPI schema, with a token for each role and none: no server
error, every response as the schema describes it (body, content type) and every status code
documented. Bounded to run in the normal suite: a couple of examples per operation, a fixed
seed, no shrinking; the failures of all operations are collected and reported together."""

import json
from collections import Counter

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token

schemathesis = pytest.importorskip("schemathesis")

ROLES = ["admin", "office", "secretary", "scorer", "liaison", "handler", "member", None]
EXAMPLES = 2


def _schema():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    return raw


def _checks():
    from schemathesis import checks

    return [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
            checks.response_schema_conformance]


@pytest.mark.django_db(transaction=False)
def test_every_operation_for_every_role(world, settings_override=None):
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_dict(_schema())
    schema.app = get_wsgi_application()
    tokens = {role: Token.objects.create(user=getattr(world, role)).key for role in ROLES if role}
    check_list = _checks()
    failures, statuses = [], Counter()

    # As Django's test client does: a request must not close the test's connection. Inside the
    # test's transaction, close_old_connections would close it (PostgreSQL; SQLite's is kept).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        operations, calls = _run_all(schema, tokens, check_list, failures, statuses)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    print(f"schemathesis: {operations} operations, {calls} calls, statuses {dict(statuses)}")
    assert operations > 50
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])


def _run_all(schema, tokens, check_list, failures, statuses):
    from django.core.cache import cache

    operations, calls = 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal calls
            for role in ROLES:
                cache.clear()  # the throttles count per test run, not across roles
                headers = {"Authorization": f"Token {tokens[role]}"} if role else {}
                response = case.call(headers=headers)
                calls += 1
                statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=check_list, headers=headers)
                except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported together below
                    found = getattr(error, "exceptions", [error])
                    failures.append(f"{role or 'anonymous'} {case.method} {case.formatted_path} "
                                    f"-> {response.status_code}: "
                                    + "; ".join(" ".join(str(e).split())[:300] for e in found))

        run()
    return operations, calls
