"""Schemathesis fuzzes every operation of the OpenAPI schema, as finance and as a sales rep:
no 500, and every answer (status, content type, body) is what the schema says.

The examples per operation are few (FUZZ_EXAMPLES, 8 by default) so that the
suite stays fast; raise it locally to fuzz harder.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from encaisse.accounts.models import User
from encaisse.accounts.tokens import api_token_create
from encaisse.api.app import api
from encaisse.wsgi import application
from tests.web.conftest import Portfolio

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


@pytest.fixture
def tokens(alice: User, bob: User, bobs: Portfolio, carols: Portfolio, settings: Any) -> list[str]:  # type: ignore[no-redef]
    settings.ALLOWED_HOSTS = ["*"]
    settings.ENCAISSE_API_RATE_LIMIT = 1_000_000
    return [
        api_token_create(actor=user, user=user, name="fuzz", scope="write").plain
        for user in (alice, bob)
    ]


@pytest.fixture
def connection_kept_between_requests() -> Any:
    # Schemathesis calls the WSGI application directly, so each request ends
    # with close_old_connections, which closes a PostgreSQL connection held in
    # the test's transaction (SQLite in memory ignores it). Django's test
    # client disconnects that handler around its requests; so do we.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("connection_kept_between_requests")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    derandomize=True,
)
def test_every_operation_answers_as_its_schema_says(case: Any, tokens: list[str]) -> None:
    for token in tokens:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
