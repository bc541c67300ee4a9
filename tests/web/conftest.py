"""The API under test: the real app (lifespan, store, engine) through Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.services.users import create_user
from redflare.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(cli_env: Path) -> Settings:
    return Settings()


@pytest.fixture
def client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=clock)) as test_client:
        yield test_client


def add_user(settings: Settings, email: str, role: Role, **rules: list[str] | None) -> None:
    store = Store.open(settings)
    try:
        with store.transaction() as session:
            create_user(session, email=email, role=role, password=PASSWORD, now=datetime.now(UTC), **rules)
    finally:
        store.close()


def sign_in(client: TestClient, email: str) -> str:
    """Signs the client in; returns the CSRF token to send on changes."""
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token
