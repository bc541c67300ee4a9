"""A workflow's life (SPEC Lifecycle): publish, pause, resume, edit, duplicate, and the audit log.

Every change SPEC's audit bullet names is recorded in the same transaction as the change. Functions
take the acting `principal`: a workflow the user may not see is NotFound; roles are the web layer's to
check. State changes answer the workflow as the list shows it. Versions and Set as active live in
`versions`, the canvas's trigger and deletion helpers in `canvas`, deleting a workflow in `deletion`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.lifecycle import apply
from redflare.adapters.db.orm import AuditEntry, Workflow, WorkflowVersion
from redflare.domain.errors import Conflict, InvalidWorkflow, Issue
from redflare.domain.lifecycle import LifecycleAction
from redflare.domain.loading import document_from_data
from redflare.services import audit
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import WorkflowSummary, summary_of
from redflare.services.workflows import (
    final_checks,
    locked_workflow,
    new_workflow,
    settings_data,
)

PUBLISH_REFUSED = "Please resolve the issues in the workflow before publishing the workflow."
FIX_BEFORE_PUBLISHING = "Make sure all issues are fixed before publishing this workflow."


class PublishRefused(InvalidWorkflow):
    """Publishing a draft that still has issues: the guide's message, with every issue."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(issues)
        self.args = (PUBLISH_REFUSED,)


# --- Publish, pause, resume, edit --------------------------------------------------------------------------------


def publish(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> WorkflowSummary:
    """Make the draft an immutable version (n+1), set it active and the workflow live; refused while issues remain."""
    workflow = locked_workflow(session, principal, workflow_id)
    issues = final_checks(session, document_from_data(workflow.draft))
    if issues:
        raise PublishRefused(issues)
    number = (
        session.scalar(select(func.max(WorkflowVersion.number)).where(WorkflowVersion.workflow_id == workflow.id)) or 0
    ) + 1
    definition = {**workflow.draft, "name": workflow.name, "settings": settings_data(workflow)}
    version = WorkflowVersion(
        workflow_id=workflow.id, number=number, definition=definition, created_by=principal.user_id, created_at=now
    )
    session.add(version)
    workflow.active_version = number
    actor = audit.actor_of(principal)
    apply(session, workflow, LifecycleAction.PUBLISH, now=now, actor=actor, detail={"version": number})
    return summary_of(session, workflow)


def pause(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> WorkflowSummary:
    """Stop new runs; runs already going finish (Pausing "will not affect any ongoing workflow runs")."""
    workflow = locked_workflow(session, principal, workflow_id)
    actor = audit.actor_of(principal)
    apply(session, workflow, LifecycleAction.PAUSE, now=now, actor=actor, reason=f"Paused by {principal.email}.")
    return summary_of(session, workflow)


def resume(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> WorkflowSummary:
    """Live again: upcoming runs happen (Resuming "will resume any upcoming workflow runs"); the reason clears."""
    workflow = locked_workflow(session, principal, workflow_id)
    apply(session, workflow, LifecycleAction.RESUME, now=now, actor=audit.actor_of(principal))
    return summary_of(session, workflow)


def _active_definition(session: Session, workflow: Workflow) -> dict[str, Any]:
    if workflow.active_version is None:
        raise Conflict("this workflow has not been published yet: edit its draft")
    version = session.get(WorkflowVersion, (workflow.id, workflow.active_version))
    assert version is not None, "the active version of a workflow always exists"
    return dict(version.definition)


def edit(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> WorkflowSummary:
    """ "Edit workflow": the draft becomes a fresh copy of the active version; what runs is untouched."""
    workflow = visible_workflow(session, principal, workflow_id)
    definition = _active_definition(session, workflow)
    workflow.draft = {**definition, "name": workflow.name, "settings": settings_data(workflow)}
    workflow.updated_at = now
    session.flush()
    return summary_of(session, workflow)


# --- Duplicate ----------------------------------------------------------------------------------------------------


def duplicate(
    session: Session,
    *,
    principal: Principal,
    workflow_id: str,
    source: Literal["draft", "active"],
    now: datetime,
) -> WorkflowSummary:
    """A new draft named "… (copy)" from the draft (or the active version), with the same settings; yours."""
    workflow = visible_workflow(session, principal, workflow_id)
    data = workflow.draft if source == "draft" else _active_definition(session, workflow)
    document = document_from_data({**data, "settings": settings_data(workflow)})
    name = f"{workflow.name[: 200 - len(' (copy)')]} (copy)"
    copy = new_workflow(session, document, principal=principal, now=now, name=name)
    audit.record(
        session,
        principal=principal,
        action="duplicate",
        workflow_id=workflow.id,
        detail={"copy_id": copy.id, "copy_name": copy.name, "source": source},
        now=now,
    )
    return summary_of(session, copy)


# --- Audit log -----------------------------------------------------------------------------------------------------


def audit_log(
    session: Session, *, principal: Principal, workflow_id: str, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """Who did what to this workflow and when, newest first, with the total."""
    workflow = visible_workflow(session, principal, workflow_id)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.workflow_id == workflow.id))
    return list(audit.entries(session, workflow_id=workflow.id, limit=limit, offset=offset)), total or 0
