"""Workflows: storing documents as drafts, and the checks that stand between a draft and a run."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Integration, Workflow
from redflare.adapters.db.pipelines import pipeline_criteria
from redflare.domain.errors import Conflict, InvalidWorkflow, Issue, NotFound
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.validation import Environment, validate
from redflare.domain.workflow import Settings as Limits
from redflare.domain.workflow import WorkflowDocument
from redflare.steps.registry import STEP_KINDS


def environment(session: Session) -> Environment:
    """What validation may know of the store: its pipelines and integrations."""
    return Environment(
        pipelines=pipeline_criteria(session),
        integrations=frozenset(session.scalars(select(Integration.name))),
    )


def final_checks(session: Session, document: WorkflowDocument) -> list[Issue]:
    """Every issue of SPEC's Final checks, each pointing at its node."""
    return validate(document, STEP_KINDS, environment(session))


def get_workflow(session: Session, workflow_id: str) -> Workflow:
    workflow = session.get(Workflow, workflow_id)
    if workflow is None:
        raise NotFound(f"no workflow {workflow_id!r}")
    return workflow


def find_workflow(session: Session, name_or_id: str) -> Workflow:
    """A workflow by id, or by its exact name when that name is unique."""
    workflow = session.get(Workflow, name_or_id)
    if workflow is not None:
        return workflow
    matches = list(session.scalars(select(Workflow).where(Workflow.name == name_or_id)))
    if not matches:
        raise NotFound(f"no workflow with id or name {name_or_id!r}")
    if len(matches) > 1:
        raise Conflict(f"{len(matches)} workflows are named {name_or_id!r}: use the id")
    return matches[0]


def save_draft_by_name(
    session: Session, document: WorkflowDocument, *, now: datetime, created_by: str | None = None
) -> Workflow:
    """Create a workflow from a document, or replace the draft of the one with its name."""
    existing = list(session.scalars(select(Workflow).where(Workflow.name == document.name)))
    data = dump_document(document)
    if len(existing) > 1:
        raise Conflict(f"{len(existing)} workflows are named {document.name!r}")
    if existing:
        workflow = existing[0]
        workflow.draft = data
        workflow.updated_at = now
    else:
        workflow = Workflow(
            id=uuid.uuid4().hex,
            name=document.name,
            status="draft",
            draft=data,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        session.add(workflow)
    apply_settings(workflow, document.settings, now=now)
    session.flush()
    return workflow


def apply_settings(workflow: Workflow, settings: Limits, *, now: datetime) -> None:
    """Set the guardrails; a new or changed credits limit counts spending from now (SPEC: since set or reset)."""
    if settings.credits_limit != workflow.credits_limit or workflow.credits_limit_since is None:
        workflow.credits_limit_since = now if settings.credits_limit is not None else None
    workflow.call_limit = settings.call_limit
    workflow.credits_limit = settings.credits_limit


def limits_of(workflow: Workflow) -> Limits:
    return Limits(call_limit=workflow.call_limit, credits_limit=workflow.credits_limit)


def checked_document(session: Session, data: object) -> WorkflowDocument:
    """Parse and fully check a document; raises InvalidWorkflow with every issue."""
    document = document_from_data(data)
    issues = final_checks(session, document)
    if issues:
        raise InvalidWorkflow(issues)
    return document
