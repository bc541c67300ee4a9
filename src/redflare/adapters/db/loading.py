"""Whole conversations out of the store, as the analysis pool's workers load their batches: nothing else.

`SqlBatchLoader` is the `BatchLoader` the analysis pool's workers receive: just the database's address, pickled in
a few bytes. Each worker opens its own engine once (kept per process) and reads its batch itself, so a batch's
turns are decoded once, where they are analysed, instead of being decoded in the process feeding the pool,
packed, pickled, sent and rebuilt. Reads take no write lock (SQLite: a deferred BEGIN under WAL).

A module of its own so that the pool's fork server, which preloads it (`WORKER_PRELOAD`), and every worker forked
from it import no more than loading needs: SQLAlchemy and the tables, not polars nor the steps' ports (selection.py
and batches.py need both). Without them the fork server's image is about 40 MB smaller (133 → 90 MB resident), and
a 100,000-conversation run's memory, summed over its processes, as much.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, String, Table, select, type_coerce
from sqlalchemy.orm import Session

from redflare.adapters.db.database import READ_ONLY, make_engine
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn

# What an analysis worker imports to load its batches (`SqlBatchLoader`): handed to the pool as its fork server's
# preload, so each worker starts with it instead of importing SQLAlchemy, the ORM and Alembic for its first batch.
WORKER_PRELOAD = (__name__,)

# Look-ups of many ids go in chunks: SQLite caps bound parameters, and huge IN lists plan badly.
ID_CHUNK = 5000

_CONVERSATIONS = cast(Table, ConversationRow.__table__)
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


# Speaker(value) goes through the enum machinery; a dict look-up is several times cheaper per turn.
_SPEAKERS: dict[str, Speaker] = {speaker.value: speaker for speaker in Speaker}


def _turns_of(stored: Any) -> list[dict[str, Any]]:
    """The stored turns: JSON text on SQLite; PostgreSQL's driver hands JSONB over already decoded."""
    if stored is None:
        return []
    turns: list[dict[str, Any]] = json.loads(stored) if isinstance(stored, str) else stored
    return turns


def conversation_of(row: Any, integration: str) -> Conversation:
    """A stored conversation (an ORM row, or a row of the loading query) as the domain's `Conversation`."""
    speakers = _SPEAKERS
    return Conversation(
        id=row.id,
        integration=integration,
        channel=Channel(row.channel),
        # Inline, no helper call per turn: this loop is the bulk of loading a batch. An unknown
        # speaker still raises, through Speaker(...).
        turns=tuple(
            [
                Turn(
                    speakers.get(t["speaker"]) or Speaker(t["speaker"]),
                    t.get("text") or "",
                    t.get("offset_s"),
                    t.get("end_s"),
                )
                for t in _turns_of(row.turns)
            ]
        ),
        started_at=row.started_at,
        duration_s=row.duration_s,
        agent=row.agent,
        customer=row.customer,
        team=row.team,
        queue=row.queue,
        tags=tuple(row.tags or ()),
        outcome=row.outcome,
        language=row.language,
        audio=row.audio,
        metadata=dict(row.extra or {}),
    )
