"""Repository of firings: one row per (workflow, idempotency key), so a firing happens at most once.

`claim_firing` inserts the row inside a SAVEPOINT: when another scheduler (or a duplicate event) got there
first, the unique (workflow, key) refuses it, the savepoint rolls back, the existing row's `duplicates`
count goes up, and the caller is told it is not theirs — the surrounding transaction carries on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Firing


def claim_firing(
    session: Session,
    *,
    workflow_id: str,
    key: str,
    trigger_type: str,
    scheduled_for: datetime | None,
    payload: dict[str, Any],
    now: datetime,
) -> Firing | None:
    """The new firing row (outcome not yet decided: "skipped" until the caller says), or None for a duplicate."""
    firing = Firing(
        workflow_id=workflow_id,
        key=key,
        trigger_type=trigger_type,
        scheduled_for=scheduled_for,
        payload=payload,
        outcome="skipped",
        reason="being decided",
        duplicates=0,
        at=now,
    )
    try:
        with session.begin_nested():
            session.add(firing)
            session.flush()
    except IntegrityError:
        session.execute(
            update(Firing)
            .where(Firing.workflow_id == workflow_id, Firing.key == key)
            .values(duplicates=Firing.duplicates + 1),
            execution_options={"synchronize_session": False},
        )
        return None
    return firing


def last_scheduled(session: Session, workflow_id: str) -> datetime | None:
    """The latest schedule time this workflow fired for (any outcome): where the next catch-up looks from."""
    value: datetime | None = session.scalar(
        select(func.max(Firing.scheduled_for)).where(Firing.workflow_id == workflow_id)
    )
    return value


def waiting_firing(session: Session, workflow_id: str) -> Firing | None:
    """The firing queued behind a running run of this workflow, if any (there is at most one)."""
    return session.scalars(
        select(Firing).where(Firing.workflow_id == workflow_id, Firing.outcome == "waiting").order_by(Firing.id)
    ).first()


def firings_of(session: Session, workflow_id: str, *, limit: int = 50) -> list[Firing]:
    return list(
        session.scalars(select(Firing).where(Firing.workflow_id == workflow_id).order_by(Firing.id.desc()).limit(limit))
    )
