"""Repository of sync events (Sync Started / Completed / Failed): written in the transaction that changes the
sync (outbox pattern), read by schedulers, marked consumed once turned into firings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import SyncEvent

SYNC_EVENT_TYPES = ("sync_started", "sync_completed", "sync_failed")


def emit_event(
    session: Session, *, type: str, integration_id: int, sync_id: str, payload: dict[str, Any], now: datetime
) -> SyncEvent:
    if type not in SYNC_EVENT_TYPES:
        raise ValueError(f"unknown sync event {type!r}")
    event = SyncEvent(
        type=type, integration_id=integration_id, sync_id=sync_id, payload=payload, created_at=now, consumed_at=None
    )
    session.add(event)
    session.flush()
    return event


def unconsumed_events(session: Session, *, limit: int = 100) -> list[SyncEvent]:
    """Events no scheduler has finished with, oldest first."""
    return list(
        session.scalars(select(SyncEvent).where(SyncEvent.consumed_at.is_(None)).order_by(SyncEvent.id).limit(limit))
    )


def mark_consumed(session: Session, event_id: int, *, now: datetime) -> None:
    """Done with: every listening workflow has its firing (a second scheduler doing the same is harmless)."""
    session.execute(
        update(SyncEvent).where(SyncEvent.id == event_id, SyncEvent.consumed_at.is_(None)).values(consumed_at=now),
        execution_options={"synchronize_session": False},
    )
