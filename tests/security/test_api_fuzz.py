"""Schemathesis against the OpenAPI schema of /api/v1/: every operation, generated inputs, zero server errors.

Each operation gets up to EXAMPLES generated requests (valid and invalid paths, query strings and
headers from the schema), anonymous (the agent endpoints answer 401 without a bearer token; the
API's owner can add a token-holding variant), sent through Django's WSGI handler, with the 2019 call in the database;
every response is checked: no 5xx, status documented, body matching the documented schema,
content type as documented.
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

EXAMPLES = 100
SENT: Counter = Counter()

def _load_schema():
    # Loading the schema reads /api/v1/openapi.json only: no database access at collection time.
    from fabriques.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """The WSGI handler closes database connections after each request; Django's test client stops
    that, schemathesis' WSGI transport does not, and PostgreSQL would lose the test transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _report_requests_sent():
    """With `-s`, prints the requests sent per operation and status (figures for docs/reliability.md)."""
    yield
    for (method, path, status), count in sorted(SENT.items()):
        print(f"schemathesis: {method} {path} -> {status}: {count} requests")  # noqa: T201 - figures for the docs


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_never_fails_on_generated_input(case, call):
    response = case.call()
    SENT[(case.method, case.path, response.status_code)] += 1
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}"
    case.validate_response(response)


def test_the_schema_lists_the_public_operations():
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert {("GET", "/api/v1/calls"), ("GET", "/api/v1/calls/{slug}")} <= operations
