"""Drafts over the API: create a workflow from a document, rename it, read, check and replace its draft.

Functions take the acting `principal` and answer NotFound for a workflow that user may not see. A
draft may hold Final-checks issues (they are answered beside it); what cannot be stored is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from redflare.adapters.db.limits import limits_of
from redflare.adapters.db.orm import Workflow
from redflare.domain.errors import InvalidWorkflow, Issue
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.workflow import WorkflowDocument
from redflare.services import audit
from redflare.services.guardrails import record_settings_change
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import WorkflowSummary, summary_of
from redflare.services.workflows import (
    Draft,
    apply_settings,
    every_issue,
    final_checks,
    limits_data,
    new_workflow,
    storable_document,
)


@dataclass(frozen=True)
class Created:
    workflow: WorkflowSummary
    issues: list[Issue]


def create_workflow(session: Session, *, principal: Principal, data: object, now: datetime) -> Created:
    """POST /workflows: a new draft from an appendix-A document; issues are reported, not refused."""
    document = _storable(session, data)
    workflow = new_workflow(session, document, principal=principal, now=now)
    return Created(summary_of(session, workflow), final_checks(session, document))


def rename_workflow(
    session: Session, *, principal: Principal, workflow_id: str, name: str, now: datetime
) -> WorkflowSummary:
    """The name lives on the workflow and in its draft; published versions keep the name they had."""
    workflow = visible_workflow(session, principal, workflow_id)
    previous = workflow.name
    workflow.name = name
    workflow.draft = {**workflow.draft, "name": name}
    workflow.updated_at = now
    if previous != name:
        audit.record(
            session,
            principal=principal,
            action="rename",
            workflow_id=workflow.id,
            detail={"from": previous, "to": name},
            now=now,
        )
    session.flush()
    return summary_of(session, workflow)


def draft_of(session: Session, *, principal: Principal, workflow_id: str) -> dict[str, Any]:
    """GET /workflows/{id}/draft: the draft as an appendix-A document."""
    return dict(visible_workflow(session, principal, workflow_id).draft)


def checked_draft(session: Session, *, principal: Principal, workflow_id: str) -> Draft:
    """The draft with its Final checks: every issue, each pointing at its node."""
    workflow = visible_workflow(session, principal, workflow_id)
    return Draft(workflow, workflow.draft, final_checks(session, document_from_data(workflow.draft)))


def replace_draft(session: Session, *, principal: Principal, workflow_id: str, data: object, now: datetime) -> Draft:
    """PUT /workflows/{id}/draft: store the document as the draft (a live version runs on untouched).

    The document's name renames the workflow and its settings are applied at once (guardrails act on
    the workflow, not on a version); a change of settings is audited like one made in Settings.
    """
    workflow = visible_workflow(session, principal, workflow_id)
    document = _storable(session, data)
    _store_draft(session, workflow, document, principal=principal, now=now)
    return Draft(workflow, workflow.draft, final_checks(session, document))


def _storable(session: Session, data: object) -> WorkflowDocument:
    """The document to store; one that cannot be stored is refused with all its issues at once (a trigger that
    does not parse and the steps' issues too), so the editor lists them together."""
    try:
        return storable_document(data)
    except InvalidWorkflow as refused:
        try:
            document_from_data(data)
        except InvalidWorkflow:
            raise every_issue(session, data, refused) from None
        raise  # it parses but cannot be stored (NUL text, a limit too large): that alone is the answer


def _store_draft(
    session: Session, workflow: Workflow, document: WorkflowDocument, *, principal: Principal, now: datetime
) -> None:
    before = limits_of(workflow)
    workflow.draft = {**dump_document(document), "settings": limits_data(document.settings)}
    workflow.name = document.name
    workflow.updated_at = now
    apply_settings(workflow, document.settings, now=now)
    if limits_of(workflow) != before:
        record_settings_change(session, principal=principal, workflow=workflow, before=before, now=now)
    session.flush()
