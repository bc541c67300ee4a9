"""The audit log: who published, paused, resumed, set a version active, changed settings or deleted what.

`record` appends one AuditEntry in the caller's transaction, so an entry exists exactly when the change
it describes was committed. Entries keep the user's email as it was: the log still reads after the user
is gone. `entries` answers one workflow's log, newest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.audit import record_audit
from redflare.adapters.db.orm import AuditEntry
from redflare.services.users import Principal


def record(
    session: Session,
    *,
    principal: Principal | None,
    action: str,
    workflow_id: str | None,
    detail: Mapping[str, Any] | None = None,
    now: datetime,
) -> AuditEntry:
    """Append one entry; `principal` None means the system acted (an auto-pause, a scheduler)."""
    return record_audit(
        session, actor=actor_of(principal), action=action, workflow_id=workflow_id, detail=detail, now=now
    )


def actor_of(principal: Principal | None) -> tuple[str, str] | None:
    """Who acted, as the audit log keeps them: (user id, email), or None for RedFlare itself."""
    return None if principal is None else (principal.user_id, principal.email)


def entries(session: Session, *, workflow_id: str, limit: int = 100, offset: int = 0) -> Sequence[AuditEntry]:
    """One workflow's entries, newest first (ties broken by insertion order, newest first)."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.workflow_id == workflow_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))
