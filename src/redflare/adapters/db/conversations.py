"""Conversations and their integrations in the store: get-or-create, bulk upsert, counts.

Repositories take keyword-only arguments and flush; the caller's session owns the transaction.
A conversation's id is its source's id and the primary key, unique across integrations: an upsert
never moves a conversation from one integration to another (`stored_integrations` lets the caller
report such ids first; `upsert_conversations` refuses them with `Conflict`).

The upsert is one `INSERT … ON CONFLICT (id) DO UPDATE` per chunk of rows, sent as executemany
with the dialect's own insert (SQLite, PostgreSQL): a hundred thousand conversations load in
seconds. A re-imported conversation keeps its `imported_at`; every other column is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Table, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.domain.conversation import Conversation
from redflare.domain.errors import Conflict

CHUNK = 1_000  # rows per statement: well under SQLite's bound-parameter limit for the id lookups
_TABLE = cast(Table, ConversationRow.__table__)
_KEPT_ON_UPDATE = frozenset({"id", "imported_at"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    inserted: int
    updated: int


def ensure_integration(
    session: Session, *, name: str, kind: str = "import", now: datetime | None = None
) -> Integration:
    """The integration called `name`, created (with `kind`) when it does not exist yet."""
    integration = session.scalar(select(Integration).where(Integration.name == name))
    if integration is None:
        integration = Integration(name=name, kind=kind, config={}, created_at=now or datetime.now(UTC))
        session.add(integration)
        session.flush()
    return integration


def stored_integrations(session: Session, *, ids: Iterable[str]) -> dict[str, str]:
    """For each of `ids` already stored: the name of the integration it belongs to."""
    found: dict[str, str] = {}
    _plan_lookups_afresh(session)
    for chunk in _chunks(sorted(set(ids)), CHUNK):
        query = (
            select(ConversationRow.id, Integration.name)
            .join(Integration, Integration.id == ConversationRow.integration_id)
            .where(ConversationRow.id.in_(chunk))
        )
        found.update(session.execute(query).all())
    return found


def upsert_conversations(
    session: Session, *, integration_id: int, conversations: Sequence[Conversation], now: datetime | None = None
) -> UpsertCounts:
    """Insert new conversations and update stored ones (by id) of this integration, in chunks.

    Raises Conflict, writing nothing, when an id is stored under another integration. When an id
    appears twice in `conversations`, the later one is stored.
    """
    latest = {conversation.id: conversation for conversation in conversations}
    owners = _stored_owners(session, latest)
    foreign = sorted(i for i, owner in owners.items() if owner != integration_id)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise Conflict(f"{len(foreign)} conversation id(s) belong to another integration: {shown}")
    moment = now or datetime.now(UTC)
    statement = _upsert_statement(session)
    rows = [_row(conversation, integration_id, moment) for conversation in latest.values()]
    for chunk in _chunks(rows, CHUNK):
        session.execute(statement, chunk)
    session.flush()
    return UpsertCounts(inserted=len(latest) - len(owners), updated=len(owners))


def turn_count(session: Session) -> ColumnElement[int]:
    """A conversation's number of turns, counted in the database: the turns themselves stay deferred (unread)."""
    length = func.jsonb_array_length if session.get_bind().dialect.name == "postgresql" else func.json_array_length
    return func.coalesce(length(ConversationRow.turns), 0)


def count_conversations(session: Session, *, integration: str | None = None) -> int:
    """How many conversations are stored, in all or in the integration called `integration`."""
    query = select(func.count()).select_from(ConversationRow)
    if integration is not None:
        query = query.join(Integration, Integration.id == ConversationRow.integration_id).where(
            Integration.name == integration
        )
    return int(session.scalar(query) or 0)


def _stored_owners(session: Session, ids: Iterable[str]) -> dict[str, int]:
    owners: dict[str, int] = {}
    _plan_lookups_afresh(session)
    for chunk in _chunks(sorted(ids), CHUNK):
        query = select(ConversationRow.id, ConversationRow.integration_id).where(ConversationRow.id.in_(chunk))
        owners.update(session.execute(query).all())
    return owners


def _plan_lookups_afresh(session: Session) -> None:
    """On PostgreSQL, plan each id lookup with its own values for the rest of the transaction.

    psycopg prepares a statement it sees repeatedly, and PostgreSQL may then keep one generic plan
    for it; made while the table was still empty, that plan scans the whole table for each chunk
    of ids (minutes for a re-import of 100,000 conversations instead of seconds).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _upsert_statement(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        insert: Any = sqlite.insert(_TABLE)
    elif dialect == "postgresql":
        insert = postgresql.insert(_TABLE)
    else:
        raise NotImplementedError(f"conversation upsert is not written for {dialect}")
    updated = {
        column.key: insert.excluded[column.key] for column in _TABLE.columns if column.key not in _KEPT_ON_UPDATE
    }
    # The guard repeats the Conflict check inside the statement: a row of another integration is never touched.
    return insert.on_conflict_do_update(
        index_elements=[_TABLE.c.id],
        set_=updated,
        where=_TABLE.c.integration_id == insert.excluded.integration_id,
    )


def _row(conversation: Conversation, integration_id: int, now: datetime) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "integration_id": integration_id,
        "channel": conversation.channel.value,
        "started_at": conversation.started_at,
        "duration_s": conversation.duration_s,
        "agent": conversation.agent,
        "customer": conversation.customer,
        "team": conversation.team,
        "queue": conversation.queue,
        "tags": list(conversation.tags),
        "outcome": conversation.outcome,
        "language": conversation.language,
        "audio": conversation.audio,
        "metadata": conversation.metadata,
        "turns": [
            {"speaker": turn.speaker.value, "text": turn.text, "offset_s": turn.offset_s, "end_s": turn.end_s}
            for turn in conversation.turns
        ],
        "imported_at": now,
        "updated_at": now,
    }


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
