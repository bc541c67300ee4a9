"""A workflow's versions: the list, one version's document, and "Set as active".

Versions are immutable; "Set as active" only moves the pointer, and runs in flight keep the definition
they pinned when they were created. A workflow the user may not see is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import User, WorkflowVersion
from redflare.domain.errors import NotFound
from redflare.services import audit
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import WorkflowSummary, summary_of
from redflare.services.workflows import (
    locked_workflow,
)


@dataclass(frozen=True)
class VersionSummary:
    number: int
    created_at: datetime
    created_by: str | None
    created_by_email: str | None
    active: bool


def versions(session: Session, *, principal: Principal, workflow_id: str) -> list[VersionSummary]:
    """Every version, newest first, with who published it and which one is active."""
    workflow = visible_workflow(session, principal, workflow_id)
    rows = session.execute(
        select(WorkflowVersion.number, WorkflowVersion.created_at, WorkflowVersion.created_by, User.email)
        .outerjoin(User, User.id == WorkflowVersion.created_by)
        .where(WorkflowVersion.workflow_id == workflow.id)
        .order_by(WorkflowVersion.number.desc())
    )
    return [VersionSummary(n, at, by, email, n == workflow.active_version) for n, at, by, email in rows]


def version_of(session: Session, *, principal: Principal, workflow_id: str, number: int) -> WorkflowVersion:
    workflow = visible_workflow(session, principal, workflow_id)
    version = session.get(WorkflowVersion, (workflow.id, number))
    if version is None:
        raise NotFound(f"this workflow has no version {number}")
    return version


@dataclass(frozen=True)
class VersionView:
    number: int
    active: bool
    created_at: datetime
    created_by: str | None
    document: dict[str, Any]


def version_view(session: Session, *, principal: Principal, workflow_id: str, number: int) -> VersionView:
    """One version's document, as it was published (it never changes)."""
    version = version_of(session, principal=principal, workflow_id=workflow_id, number=number)
    workflow = visible_workflow(session, principal, workflow_id)
    active = workflow.active_version == version.number
    return VersionView(version.number, active, version.created_at, version.created_by, dict(version.definition))


def activate(
    session: Session, *, principal: Principal, workflow_id: str, number: int, now: datetime
) -> WorkflowSummary:
    """ "Set as active": runs created from now on run this version; runs in flight keep the one they pinned."""
    workflow = locked_workflow(session, principal, workflow_id)
    version_of(session, principal=principal, workflow_id=workflow_id, number=number)
    previous = workflow.active_version
    workflow.active_version = number
    workflow.updated_at = now
    audit.record(
        session,
        principal=principal,
        action="set_active",
        workflow_id=workflow.id,
        detail={"version": number, "previous": previous},
        now=now,
    )
    return summary_of(session, workflow)
