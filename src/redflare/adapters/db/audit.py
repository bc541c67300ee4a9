"""The audit log's rows: one appended in the caller's transaction, so an entry exists exactly when its change did."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from redflare.adapters.db.orm import AuditEntry


def record_audit(
    session: Session,
    *,
    actor: tuple[str, str] | None,
    action: str,
    workflow_id: str | None,
    detail: Mapping[str, Any] | None,
    now: datetime,
) -> AuditEntry:
    """Append one audit entry; `actor` None means RedFlare acted (an auto-pause)."""
    entry = AuditEntry(
        at=now,
        user_id=actor[0] if actor is not None else None,
        user_email=actor[1] if actor is not None else None,
        action=action,
        workflow_id=workflow_id,
        detail=dict(detail or {}),
    )
    session.add(entry)
    session.flush()
    return entry
