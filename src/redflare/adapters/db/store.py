"""The store as one object: an engine, its session factory, and the place artifacts live."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.database import READ_ONLY, make_engine, migrate, session_factory
from redflare.config import Settings


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    artifacts_dir: Path

    @classmethod
    def open(cls, settings: Settings, *, migrate_schema: bool = True) -> Store:
        engine = make_engine(settings.effective_database_url)
        if migrate_schema:
            migrate(engine)
        settings.artifacts_dir.mkdir(parents=True, exist_ok=True)
        return cls(engine=engine, sessions=session_factory(engine), artifacts_dir=settings.artifacts_dir)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: on SQLite it takes no write lock, so it never waits for a writer."""
        with self.sessions() as session:
            session.connection(execution_options=READ_ONLY)
            yield session

    def close(self) -> None:
        self.engine.dispose()
