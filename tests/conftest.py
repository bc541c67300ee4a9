"""Shared fixtures: a migrated store on SQLite, or on PostgreSQL when REDFLARE_TEST_POSTGRES_URL is set.

Each PostgreSQL store lives in a schema of its own, so parallel test runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from redflare.adapters.db.database import make_engine, migrate, session_factory
from redflare.adapters.db.store import Store

POSTGRES_URL = os.environ.get("REDFLARE_TEST_POSTGRES_URL")

# Hypothesis's per-example deadline is a wall-clock assertion: on a loaded machine (two test processes beside a
# browser) a slow example is not a failure. Examples are still bounded by the test's own timeouts.
hypothesis_settings.register_profile("redflare", deadline=None)
hypothesis_settings.load_profile("redflare")


def _postgres_store(tmp_path: Path) -> Iterator[Store]:
    assert POSTGRES_URL is not None
    schema = f"rf_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema goes in the URL (not connect_args), so a process given only the URL — an analysis worker that
    # loads its own batches — reaches the same schema.
    engine = make_engine(schema_url(schema))
    try:
        migrate(engine)
        yield Store(engine=engine, sessions=session_factory(engine), artifacts_dir=tmp_path / "artifacts")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_url(schema: str) -> str:
    """The test database's URL with `schema` first on the search path."""
    assert POSTGRES_URL is not None
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def _sqlite_store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'redflare.db'}")
    migrate(engine)
    try:
        yield Store(engine=engine, sessions=session_factory(engine), artifacts_dir=tmp_path / "artifacts")
    finally:
        engine.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A freshly migrated, empty store."""
    (tmp_path / "artifacts").mkdir()
    yield from (_postgres_store(tmp_path) if POSTGRES_URL else _sqlite_store(tmp_path))


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Environment for commands that open their own store: a data folder, and on PostgreSQL a schema of their own."""
    data_dir = tmp_path / "redflare-data"
    monkeypatch.setenv("REDFLARE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REDFLARE_WORKERS", "1")
    if not POSTGRES_URL:
        monkeypatch.delenv("REDFLARE_DATABASE_URL", raising=False)
        yield data_dir
        return
    schema = f"rf_cli_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    monkeypatch.setenv("REDFLARE_DATABASE_URL", schema_url(schema))
    try:
        yield data_dir
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
