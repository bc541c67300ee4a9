"""The audit log: who published, paused, resumed, set a version active, changed settings or deleted what.

`record` appends one AuditEntry in the caller's transaction, so an entry exists exactly when the change
it describes was committed. Entries keep the user's email as it was: the log still reads after the user
is gone. `entries` answers one workflow's log, newest first; `search` the log across the workflows a user may
see (the audit log page), filtered by workflow, action, who acted and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from redflare.adapters.db.audit import record_audit
from redflare.adapters.db.orm import AuditEntry, Workflow
from redflare.domain.access import Role
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import visible_clause


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


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log page narrows the log to; None is no narrowing."""

    workflow_id: str | None = None
    action: str | None = None  # exact, e.g. "workflow.publish"
    actor: str | None = None  # part of the acting user's email, any case
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class AuditPage:
    data: list[dict[str, Any]]
    count: int
    actions: list[str]  # every action the user's visible log holds, for the filter's choices


def search(session: Session, *, principal: Principal, filters: AuditFilters, limit: int, offset: int) -> AuditPage:
    """The audit log across the workflows this user may see, newest first, each entry with its workflow's name.

    Entries about no workflow (RedFlare's own) are an admin's only; a workflow named that the user may not see is
    NotFound, as everywhere.
    """
    visible = select(Workflow.id).where(visible_clause(session, principal))
    scope: ColumnElement[bool] = AuditEntry.workflow_id.in_(visible)
    if principal.role is Role.ADMIN:
        scope = or_(scope, AuditEntry.workflow_id.is_(None), ~AuditEntry.workflow_id.in_(select(Workflow.id)))
    where = [scope]
    if filters.workflow_id is not None:
        where.append(AuditEntry.workflow_id == visible_workflow(session, principal, filters.workflow_id).id)
    if filters.action is not None:
        where.append(AuditEntry.action == filters.action)
    if filters.actor is not None:
        where.append(func.lower(AuditEntry.user_email).contains(filters.actor.lower(), autoescape=True))
    if filters.since is not None:
        where.append(AuditEntry.at >= filters.since)
    if filters.until is not None:
        where.append(AuditEntry.at < filters.until)
    count = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.execute(
        select(AuditEntry, Workflow.name)
        .join(Workflow, Workflow.id == AuditEntry.workflow_id, isouter=True)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    actions = sorted(session.scalars(select(AuditEntry.action).where(scope).distinct()))
    data = [
        {
            "id": entry.id,
            "at": entry.at,
            "user_id": entry.user_id,
            "user_email": entry.user_email,
            "action": entry.action,
            "workflow_id": entry.workflow_id,
            "workflow_name": name,
            "detail": entry.detail,
        }
        for entry, name in rows
    ]
    return AuditPage(data, count, actions)
