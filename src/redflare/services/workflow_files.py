"""Workflow documents in and out: export drafts as appendix-A documents, import documents as new drafts.

An import is all or nothing: any document with an issue refuses the lot, each issue's path prefixed
with the document's index (`[i].…`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from redflare.domain.errors import InvalidWorkflow, Issue
from redflare.domain.workflow import WorkflowDocument
from redflare.services import audit
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import WorkflowSummary, summaries
from redflare.services.workflows import final_checks, new_workflow, prefixed, storable_document


def export_documents(session: Session, *, principal: Principal, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The drafts of these workflows as appendix-A documents, in the order asked; NotFound if any is not visible."""
    return [dict(visible_workflow(session, principal, workflow_id).draft) for workflow_id in ids]


def import_documents(
    session: Session, *, principal: Principal, documents: Sequence[object], now: datetime
) -> list[WorkflowSummary]:
    """Store each document as a new draft; refused, storing nothing, if any has an issue (paths `[i].…`)."""
    parsed: list[WorkflowDocument] = []
    issues: list[Issue] = []
    for index, data in enumerate(documents):
        try:
            document = storable_document(data, prefix=f"[{index}]")
        except InvalidWorkflow as exc:
            issues.extend(exc.issues)
            continue
        issues.extend(prefixed(issue, f"[{index}]") for issue in final_checks(session, document))
        parsed.append(document)
    if issues:
        raise InvalidWorkflow(issues)
    stored = []
    for document in parsed:
        workflow = new_workflow(session, document, principal=principal, now=now)
        audit.record(
            session,
            principal=principal,
            action="import",
            workflow_id=workflow.id,
            detail={"name": workflow.name},
            now=now,
        )
        stored.append(workflow)
    return summaries(session, stored)
