"""Storing what a sync brought: new and changed conversations are written, unchanged ones are left alone.

`store_arrivals` compares each incoming conversation with the stored one of the same id, so a sync's
`conversation_ids` are exactly those that arrived new or changed — what a Sync Completed workflow then
gathers. An id stored under another integration is refused by the upsert (`Conflict`): callers check
`foreign_ids` first to report it as a bad input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from redflare.adapters.db.conversations import CHUNK, stored_integrations, upsert_conversations
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.adapters.db.selection import conversation_of
from redflare.domain.conversation import Conversation


@dataclass(frozen=True)
class Arrivals:
    """What one batch did: how many were received, new, changed and unchanged, and the new-or-changed ids."""

    received: int
    imported: int
    updated: int
    unchanged: int
    ids: list[str]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "received": self.received,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def foreign_ids(session: Session, *, integration: str, ids: Sequence[str]) -> dict[str, str]:
    """Of `ids`, those stored under another integration, with that integration's name."""
    return {i: owner for i, owner in stored_integrations(session, ids=ids).items() if owner != integration}


def store_arrivals(
    session: Session, *, integration: Integration, conversations: Sequence[Conversation], now: datetime
) -> Arrivals:
    """Write the new and changed conversations (the last copy of a repeated id wins); count the rest."""
    latest = {c.id: c for c in conversations}
    stored = _stored(session, integration, list(latest))
    new = [c for i, c in latest.items() if i not in stored]
    changed = [c for i, c in latest.items() if i in stored and stored[i] != c]
    upsert_conversations(session, integration_id=integration.id, conversations=[*new, *changed], now=now)
    arrived = {c.id for c in (*new, *changed)}
    return Arrivals(
        received=len(conversations),
        imported=len(new),
        updated=len(changed),
        unchanged=len(latest) - len(new) - len(changed),
        ids=[i for i in latest if i in arrived],
    )


def _stored(session: Session, integration: Integration, ids: list[str]) -> dict[str, Conversation]:
    found: dict[str, Conversation] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(ConversationRow)
            .options(undefer(ConversationRow.turns))
            .where(ConversationRow.id.in_(ids[start : start + CHUNK]), ConversationRow.integration_id == integration.id)
        )
        for row in session.scalars(query):
            found[row.id] = conversation_of(row, integration.name)
    return found
