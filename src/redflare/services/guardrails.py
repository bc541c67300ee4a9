"""A workflow's Settings (guardrails): its call and credits limits, with what counts against them now.

Limits apply at once, to runs in flight too; a credits limit set or changed counts spending from then.
Every change is audited (also one made by replacing the draft: see `record_settings_change`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from redflare.adapters.db.ledger import calls_by_kind, credits_spent
from redflare.adapters.db.limits import limits_of
from redflare.adapters.db.orm import Workflow
from redflare.domain.workflow import Settings as Limits
from redflare.services import audit
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflows import apply_settings, limits_data, locked_workflow, settings_data


def record_settings_change(
    session: Session, *, principal: Principal, workflow: Workflow, before: Limits, now: datetime
) -> None:
    audit.record(
        session,
        principal=principal,
        action="settings",
        workflow_id=workflow.id,
        detail={"before": limits_data(before), "after": settings_data(workflow)},
        now=now,
    )


@dataclass(frozen=True)
class GuardrailsView:
    call_limit: int | None
    credits_limit: float | None
    overlap: str
    credits_limit_since: datetime | None
    credits_spent: float
    calls_last_24h: int
    triggers_last_24h: int
    """Of the calls: runs started (each firing, Run now included, is one)."""
    conversations_last_24h: int
    """Of the calls: conversations sent to a pipeline (each one is one)."""


def guardrails(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> GuardrailsView:
    """The limits with what counts against them: credits spent since the limit was set, calls in the last 24 h."""
    workflow = visible_workflow(session, principal, workflow_id)
    calls = calls_by_kind(session, workflow.id, now)
    return GuardrailsView(
        call_limit=workflow.call_limit,
        credits_limit=None if workflow.credits_limit is None else float(workflow.credits_limit),
        overlap=workflow.overlap_policy,
        credits_limit_since=workflow.credits_limit_since,
        credits_spent=float(credits_spent(session, workflow.id, workflow.credits_limit_since)),
        calls_last_24h=sum(calls.values()),
        triggers_last_24h=calls.get("firing", 0),
        conversations_last_24h=calls.get("pipeline", 0),
    )


def set_guardrails(
    session: Session, *, principal: Principal, workflow_id: str, limits: Limits, now: datetime
) -> GuardrailsView:
    """Apply the limits at once (to runs in flight too); a credits limit set or changed counts from now."""
    workflow = locked_workflow(session, principal, workflow_id)
    before = limits_of(workflow)
    apply_settings(workflow, limits, now=now)
    if limits_of(workflow) != before:
        workflow.draft = {**workflow.draft, "settings": settings_data(workflow)}
        workflow.updated_at = now
        record_settings_change(session, principal=principal, workflow=workflow, before=before, now=now)
    session.flush()
    return guardrails(session, principal=principal, workflow_id=workflow_id, now=now)
