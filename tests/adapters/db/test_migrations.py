"""The migrations and the models describe the same schema, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from redflare.adapters.db.database import migrate
from redflare.adapters.db.orm import Base
from redflare.adapters.db.store import Store


class TestMigrations:
    def test_migrated_schema_matches_the_models(self, store: Store) -> None:
        """Upgrading to head leaves nothing for autogenerate to add: every model change has its migration."""
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []

    def test_upgrading_again_is_harmless(self, store: Store) -> None:
        """Starting on an already migrated store (every `redflare` command does) changes nothing."""
        migrate(store.engine)
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() is not None
            assert compare_metadata(context, Base.metadata) == []
