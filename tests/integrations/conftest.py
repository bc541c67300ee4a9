"""Helpers for integration tests: a clock, conversations in appendix D's format, the events written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import SyncEvent
from redflare.adapters.db.store import Store
from redflare.domain.ports import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))


def chat(conversation_id: str, text: str = "Hello, how can I help?", **fields: Any) -> dict[str, Any]:
    """One conversation in appendix D's format."""
    return {
        "id": conversation_id,
        "channel": "chat",
        "started_at": "2026-03-02T09:15:00Z",
        "agent": "Dana Ito",
        "team": "Billing",
        "turns": [{"speaker": "agent", "text": text, "offset_s": 0.0}],
        **fields,
    }


def event_types(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(SyncEvent.type).order_by(SyncEvent.id)))
