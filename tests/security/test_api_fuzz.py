"""Fuzz every operation of our OpenAPI schema with schemathesis, through the Django WSGI app itself.

Schemathesis reads /api/v1/schema/ and generates requests from it, valid ones and ones that break
the schema on purpose. No answer may be a 5xx, none may have a status the schema does not list, and
none may contradict the body or content type the schema documents. The number of examples per
operation is bounded and the run derandomised, so the suite stays fast and repeatable; the longer
run against a live server is bench/fuzz.sh (results in docs/fuzzing.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_PATH = "/api/v1/schema/?format=json"
# Per operation; about 40 operations make this a minute or two on a shared two-core machine.
EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded when the module is collected: generating the schema needs no database. Requests go to the same
# WSGI handler in this process, so each runs inside the test's transaction on the test database.
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler())


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep the database connection open across requests, as Django's test client does.

    A WSGI handler closes old connections when a request starts and ends; that would end the
    test's transaction, and with it the test database's demo data, after the first request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_as_its_schema_says(case: Any) -> None:
    case.call_and_validate(checks=CHECKS, headers={"Accept-Language": "de"})


def test_every_operation_documents_the_errors_all_views_share() -> None:
    """The schema lists what parse_query, parse_body and DRF's parsers answer, for every operation."""
    operations = [
        (method, path, operation)
        for path, methods in schema.raw_schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 20
    for method, path, operation in operations:
        responses = set(operation["responses"])
        assert "400" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= responses, (method, path)
        for status in responses - {"200", "201", "204", "304"}:
            for media in operation["responses"][status].get("content", {}).values():
                assert set(media["schema"].get("required", [])) >= {"code", "message", "details"}, (method, path)
