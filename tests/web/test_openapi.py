"""The OpenAPI document is served, and no request that fits it makes the server fail (schemathesis, stateless).

Every operation is called with generated inputs by a signed-in admin (API token, so no CSRF) over demo data;
any 5xx is a failure. Found cases are kept in the hypothesis database between runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.web.app import create_app
from tests.factories import add_conversations
from tests.web.conftest import add_user, sign_in


@pytest.fixture
def api(settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The real app with demo conversations, a workflow, and an admin's bearer token."""
    with TestClient(create_app(settings, clock=FixedClock(datetime(2026, 4, 1, tzinfo=UTC)))) as client:
        add_conversations(client.app.state.services.store, 5)  # type: ignore[attr-defined]
        add_user(settings, "admin@example.com", Role.ADMIN)
        csrf = sign_in(client, "admin@example.com")
        token = client.post("/api/tokens", json={"name": "fuzz"}, headers={"X-CSRF-Token": csrf}).json()["token"]
        client.cookies.clear()
        yield client, {"Authorization": f"Bearer {token}"}


# The schema is read from an app of its own (schemathesis starts it once, at collection) in a throwaway data
# folder, so collection never touches ./redflare-data and parallel workers never share a database; the calls go to
# the `api` fixture's app.
_SCHEMA_DATA = Path(tempfile.mkdtemp(prefix="redflare-openapi-"))
schema = schemathesis.openapi.from_asgi(
    "/api/openapi.json", create_app(Settings(data_dir=_SCHEMA_DATA, database_url=None, workers=1))
)


def test_openapi_document_is_served(client: TestClient) -> None:
    """`/api/openapi.json` describes the API, with its sign-in path."""
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "RedFlare Workflows"
    assert "/api/auth/login" in document["paths"]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, api: tuple[TestClient, dict[str, str]]) -> None:
    """Whatever fits the schema, the server answers without a 5xx."""
    client, auth = api
    response = case.call(session=client, headers=auth)
    case.validate_response(response, checks=[not_a_server_error])
