"""The one place a workflow's status changes: the domain's state machine applied to the row, and audited.

`apply` moves the workflow (`domain.lifecycle.move`: IllegalTransition when the action may not), sets or clears
its pause reason, stamps `updated_at`, and appends the audit entry — who (None: RedFlare itself), the action, the
reason and any detail — in the caller's transaction, so an entry exists exactly when the change committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from redflare.adapters.db.audit import record_audit
from redflare.adapters.db.orm import Workflow
from redflare.domain.lifecycle import LifecycleAction, WorkflowStatus, move


def apply(
    session: Session,
    workflow: Workflow,
    action: LifecycleAction,
    *,
    now: datetime,
    actor: tuple[str, str] | None,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> WorkflowStatus:
    """Move `workflow` (a row of `session`, locked by the caller where it matters) by `action`; answers its new
    status. `actor` is (user id, email), None for RedFlare itself; a pause keeps `reason` as the workflow's
    `paused_reason`, any other move clears it."""
    was = workflow.paused_reason
    workflow.status = str(move(workflow.status, action))
    workflow.paused_reason = reason if workflow.status == WorkflowStatus.PAUSED else None
    workflow.updated_at = now
    entry = dict(detail or {})
    if reason is not None:
        entry["reason"] = reason
    if action is LifecycleAction.RESUME:
        entry["paused_reason"] = was
    record_audit(session, actor=actor, action=str(action), workflow_id=workflow.id, detail=entry, now=now)
    return WorkflowStatus(workflow.status)
