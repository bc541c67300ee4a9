"""Conversations for analysis: priced from their columns, loaded whole in the process that analyses them.

`SqlBatchLoader` is the `BatchLoader` the analysis pool's workers receive: just the database's address, pickled in
a few bytes. Each worker opens its own engine once (kept per process) and reads its batch itself, so a batch's
turns are decoded once, where they are analysed, instead of being decoded in the process feeding the pool,
packed, pickled, sent and rebuilt. Reads take no write lock (SQLite: a deferred BEGIN under WAL).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, String, Table, select, type_coerce
from sqlalchemy.orm import Session

from redflare.adapters.db.database import READ_ONLY, make_engine
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.adapters.db.selection import ID_CHUNK, SqlConversationSource, conversation_of, driver_in_ids
from redflare.domain.conversation import Conversation
from redflare.steps.context import Analysable

# What an analysis worker imports to load its batches (`SqlBatchLoader`): handed to the pool as its fork server's
# preload, so each worker starts with it instead of importing SQLAlchemy, the ORM and Alembic for its first batch.
WORKER_PRELOAD = (__name__,)

_CONVERSATIONS = cast(Table, ConversationRow.__table__)
PRICING_INDEX = "ix_conversations_pricing"  # SQLite's: what pricing reads (migration 0010)
_INTEGRATIONS = cast(Table, Integration.__table__)
# Table columns, not ORM attributes: the query runs on the Core path, without ORM result handling.
LOAD = select(
    _CONVERSATIONS.c.id,
    _INTEGRATIONS.c.name.label("integration"),
    _CONVERSATIONS.c.channel,
    _CONVERSATIONS.c.started_at,
    _CONVERSATIONS.c.duration_s,
    _CONVERSATIONS.c.agent,
    _CONVERSATIONS.c.customer,
    _CONVERSATIONS.c.team,
    _CONVERSATIONS.c.queue,
    _CONVERSATIONS.c.tags,
    _CONVERSATIONS.c.outcome,
    _CONVERSATIONS.c.language,
    _CONVERSATIONS.c.audio,
    _CONVERSATIONS.c.metadata.label("extra"),
    # As stored, decoded in conversation_of by json.loads directly: the JSON type's result processing around the
    # same call cost about a fifth of a batch's loading time.
    type_coerce(_CONVERSATIONS.c.turns, String).label("turns"),
).join(_INTEGRATIONS, _INTEGRATIONS.c.id == _CONVERSATIONS.c.integration_id)


def load_conversations(connection: Connection | Session, ids: Sequence[str]) -> list[Conversation]:
    """Whole conversations by id, in the order asked (ids not found are left out)."""
    rows = [row for start in range(0, len(ids), ID_CHUNK) for row in _rows(connection, ids[start : start + ID_CHUNK])]
    found = {row.id: conversation_of(row, row.integration) for row in rows}
    return [found[i] for i in ids if i in found]


def _rows(connection: Connection | Session, chunk: Sequence[str]) -> Sequence[Any]:
    return connection.execute(LOAD.where(_CONVERSATIONS.c.id.in_(list(chunk)))).all()


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


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(url: str) -> Engine:
    """This process's engine for `url` (a worker makes one on its first batch and keeps it)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = make_engine(url)
        return engine


@dataclass(frozen=True)
class SqlBatchLoader:
    """Loads a batch from the store at `database_url` (with its password: it goes only to our own workers)."""

    database_url: str

    def load(self, ids: Sequence[str]) -> list[Conversation]:
        with _engine(self.database_url).connect() as connection:
            read_only = connection.execution_options(**READ_ONLY)
            with read_only.begin():
                return load_conversations(read_only, ids)


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
