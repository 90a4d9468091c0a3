"""Schemathesis against /api/v1/openapi.json, signed in as a clerk: no 5xx, and every response
that the schema describes matches it. Bounded (few examples per operation) to fit in CI."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.specs.openapi.checks import content_type_conformance

from vanthu.accounts.actions import issue_api_token
from vanthu.testing import factories as f

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_connection():
    """The WSGI app closes the database connection after each request; inside a test's
    transaction it must stay open (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world, keep_connection) -> dict:
    """A signed-in clerk with something to look at (a document sent to their organisation)."""
    f.issued(world.b.org, specialist=world.b.specialist, leader=world.b.leader, clerk=world.b.clerk,
             recipients=[world.a.org])
    f.draft(world.a.org, world.a.specialist, [world.b.org])
    raw, _t = issue_api_token(user=world.a.clerk)
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_with_a_server_error_and_keeps_to_its_schema(case, bearer):
    case.call_and_validate(
        headers=bearer,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
