"""The conversation repository under the import service: chunked upserts, foreign ids, integrations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from redflare.adapters.db.conversations import (
    count_conversations,
    ensure_integration,
    stored_integrations,
    upsert_conversations,
)
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.store import Store
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn
from redflare.domain.errors import Conflict

T0 = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def _stored(store: Store) -> dict[str, ConversationRow]:
    with store.transaction() as session:
        rows = session.scalars(select(ConversationRow).options()).all()
        for row in rows:
            _ = row.turns  # deferred: load it before the session closes
        return {row.id: row for row in rows}


def _count(store: Store, integration: str | None = None) -> int:
    with store.transaction() as session:
        return count_conversations(session, integration=integration)


class TestConversationRepository:
    """The repository under the import service (adapters/db/conversations.py)."""

    @staticmethod
    def _domain(n: int, *, agent: str = "Dana") -> Conversation:
        return Conversation(
            id=f"r-{n}",
            integration="repo",
            channel=Channel.CALL,
            turns=(Turn(Speaker.AGENT, "Hello", 0.0, 1.0),),
            started_at=T0,
            agent=agent,
            metadata={"n": n},
        )

    def test_upsert_counts_across_chunks(self, store: Store) -> None:
        """More rows than one statement takes: inserted and updated still add up."""
        conversations = [self._domain(n) for n in range(2_500)]
        with store.transaction() as session:
            integration = ensure_integration(session, name="repo")
            first = upsert_conversations(session, integration_id=integration.id, conversations=conversations[:1_200])
            second = upsert_conversations(session, integration_id=integration.id, conversations=conversations)
        assert (first.inserted, first.updated, second.inserted, second.updated) == (1_200, 0, 1_300, 1_200)
        assert _count(store, "repo") == 2_500

    def test_a_foreign_id_is_never_overwritten(self, store: Store) -> None:
        """Upserting an id of another integration raises Conflict and writes nothing."""
        with store.transaction() as session:
            alpha = ensure_integration(session, name="alpha")
            upsert_conversations(session, integration_id=alpha.id, conversations=[self._domain(1)])
        with store.transaction() as session:
            beta = ensure_integration(session, name="beta")
            mixed = [self._domain(2), self._domain(1, agent="Eve")]
            with pytest.raises(Conflict, match="belong to another integration"):
                upsert_conversations(session, integration_id=beta.id, conversations=mixed)
        with store.transaction() as session:
            assert stored_integrations(session, ids=["r-1", "r-2", "r-9"]) == {"r-1": "alpha"}
        stored = _stored(store)
        assert (stored["r-1"].agent, "r-2" in stored) == ("Dana", False)

    def test_ensure_integration_is_get_or_create(self, store: Store) -> None:
        """Asking twice for the same name gives the same integration."""
        with store.transaction() as session:
            first = ensure_integration(session, name="x", kind="push").id
            again = ensure_integration(session, name="x")
            assert (again.id, again.kind) == (first, "push")
