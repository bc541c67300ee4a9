"""Conversations for analysis: priced from their columns, loaded whole in the process that analyses them
(`loading.SqlBatchLoader`, which the analysis pool's workers receive)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from redflare.adapters.db.database import READ_ONLY
from redflare.adapters.db.loading import WORKER_PRELOAD, SqlBatchLoader, load_conversations
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.selection import ID_CHUNK, SqlConversationSource, driver_in_ids
from redflare.domain.conversation import Conversation
from redflare.steps.context import Analysable

__all__ = ["WORKER_PRELOAD", "SqlBatchLoader", "SqlConversations"]  # the pool's preload and loader, named here too

_CONVERSATIONS = cast(Table, ConversationRow.__table__)
PRICING_INDEX = "ix_conversations_pricing"  # SQLite's: what pricing reads (migration 0010)


def analysable(session: Session, ids: Sequence[str]) -> list[Analysable]:
    """Each conversation found, in the order asked, as pricing needs it, without reading its turns.

    Straight through the DB-API cursor: four plain columns per row need none of SQLAlchemy's result handling,
    which cost about 9 µs a row (0.9 s of CPU for a 100,000-conversation run) against well under 1 here."""
    connection = session.connection()
    dialect = connection.dialect.name
    cursor = connection.connection.cursor()
    found: dict[str, tuple[Any, ...]] = {}
    try:
        for start in range(0, len(ids), ID_CHUNK):
            condition, bound = driver_in_ids(ids[start : start + ID_CHUNK], dialect)
            cursor.execute(_ANALYSABLE[dialect == "postgresql"] + condition, (bound,))
            found.update((row[0], row) for row in cursor.fetchall())
    finally:
        cursor.close()
    return [Analysable(row[0], row[1], row[2], bool(row[3])) for i in ids if (row := found.get(i)) is not None]


# Whether a conversation has turns, without parsing them. SQLite: the store writes turns as a JSON list
# (`json.dumps`), so no turns is exactly '[]' (json_array_length parsed every turn: three quarters of the query's
# time); the pricing index (migration 0010) holds the four values, this very expression included, so the row (its
# transcript inline) is never read — named, since the planner would take the primary key's. PostgreSQL's jsonb
# knows its length.
_ANALYSABLE = (
    f"SELECT id, duration_s, audio, turns IS NOT NULL AND turns != '[]' FROM {_CONVERSATIONS.name} "
    f"INDEXED BY {PRICING_INDEX} WHERE id ",
    f"SELECT id, duration_s, audio, coalesce(jsonb_array_length(turns), 0) > 0 FROM {_CONVERSATIONS.name} WHERE id ",
)


class SqlConversations(SqlConversationSource):
    """Steps' `ConversationSource` over the store: selections (see selection.py), and conversations for analysis."""

    def load(self, ids: Sequence[str]) -> list[Conversation]:
        with self._sessions() as session:
            session.connection(execution_options=READ_ONLY)
            return load_conversations(session, ids)

    def analysable(self, ids: Sequence[str]) -> list[Analysable]:
        with self._sessions() as session:
            session.connection(execution_options=READ_ONLY)
            return analysable(session, ids)

    def batch_loader(self) -> SqlBatchLoader:
        bind = self._sessions.kw["bind"]
        return SqlBatchLoader(bind.engine.url.render_as_string(hide_password=False))
