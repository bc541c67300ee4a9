"""Workflows: storing documents as drafts, and the checks that stand between a draft and a run.

The API's functions here take the acting `principal` and answer NotFound for a workflow that user may
not see (never Forbidden: ids do not leak); roles are checked by the web layer before calling them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from redflare.adapters.db.ledger import calls_in_window, credits_spent
from redflare.adapters.db.orm import Integration, Run, User, Workflow, WorkflowVersion
from redflare.adapters.db.pipelines import pipeline_criteria
from redflare.domain.access import Role
from redflare.domain.errors import Conflict, InvalidWorkflow, Issue, NotFound
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.validation import Environment, validate
from redflare.domain.workflow import Settings as Limits
from redflare.domain.workflow import WorkflowDocument
from redflare.services import audit
from redflare.services.users import Principal, principal_of
from redflare.services.visibility import visible_workflow
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


def settings_data(workflow: Workflow) -> dict[str, Any]:
    """The workflow's guardrails as a document's `settings` (what drafts, versions and exports carry)."""
    return limits_data(limits_of(workflow))


def limits_data(limits: Limits) -> dict[str, Any]:
    """Limits as JSON numbers (credits from the store come back as 100.0000; documents say 100)."""
    data: dict[str, Any] = {}
    if limits.call_limit is not None:
        data["call_limit"] = limits.call_limit
    if limits.credits_limit is not None:
        amount = limits.credits_limit
        data["credits_limit"] = int(amount) if amount == amount.to_integral_value() else float(amount)
    return data


def checked_document(session: Session, data: object) -> WorkflowDocument:
    """Parse and fully check a document; raises InvalidWorkflow with every issue."""
    document = document_from_data(data)
    issues = final_checks(session, document)
    if issues:
        raise InvalidWorkflow(issues)
    return document


# --- Workflows over the API: documents in and out, drafts, the list, settings ------------------------------------

MAX_CALL_LIMIT = 2**31 - 1  # the column is a 32-bit INTEGER on PostgreSQL
MAX_CREDITS_LIMIT = Decimal(10**12)  # credits are stored as ten-thousandths in a BIGINT
Status = Literal["Draft", "Live", "Paused", "Unpublished Changes"]
UNPUBLISHED_NOTICE = "This workflow has changes that are not published yet."
# Name and settings live on the workflow row (renames and guardrails apply at once), not in a version.
_NOT_PUBLISHED_PARTS = frozenset({"name", "settings"})


@dataclass(frozen=True)
class Draft:
    """A draft as stored, with the Final checks' issues."""

    workflow: Workflow
    document: dict[str, Any]
    issues: list[Issue]


def storable_document(data: object, *, prefix: str = "") -> WorkflowDocument:
    """Parse a document that will be stored (as a draft: Final-checks issues allowed); raises InvalidWorkflow."""
    try:
        document = document_from_data(data)
    except InvalidWorkflow as exc:
        raise InvalidWorkflow([_prefixed(issue, prefix) for issue in exc.issues]) from None
    issues = nul_issues(data)
    if document.settings.call_limit is not None and document.settings.call_limit > MAX_CALL_LIMIT:
        issues.append(Issue("settings.call_limit", f"must be at most {MAX_CALL_LIMIT}"))
    if document.settings.credits_limit is not None and document.settings.credits_limit > MAX_CREDITS_LIMIT:
        issues.append(Issue("settings.credits_limit", f"must be at most {MAX_CREDITS_LIMIT}"))
    if issues:
        raise InvalidWorkflow([_prefixed(issue, prefix) for issue in issues])
    return document


def nul_issues(value: object, path: str = "") -> list[Issue]:
    """Every place in plain data holding a NUL character, which PostgreSQL's text and JSONB cannot store."""
    if isinstance(value, str):
        return [Issue(path, "text cannot contain NUL characters")] if "\x00" in value else []
    issues: list[Issue] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            issues += [Issue(here, "names cannot contain NUL characters")] if "\x00" in str(key) else []
            issues += nul_issues(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            issues += nul_issues(item, f"{path}[{index}]")
    return issues


def _prefixed(issue: Issue, prefix: str) -> Issue:
    if not prefix:
        return issue
    return Issue(f"{prefix}.{issue.path}" if issue.path else prefix, issue.message, issue.node)


def new_workflow(
    session: Session, document: WorkflowDocument, *, principal: Principal, now: datetime, name: str | None = None
) -> Workflow:
    """Store a document as a new draft workflow created by `principal` (names need not be unique)."""
    data = {**dump_document(document), "settings": limits_data(document.settings)}
    if name is not None:
        data["name"] = name
    workflow = Workflow(
        id=uuid.uuid4().hex,
        name=data["name"],
        status="draft",
        draft=data,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(workflow)
    apply_settings(workflow, document.settings, now=now)
    session.flush()
    return workflow


@dataclass(frozen=True)
class Created:
    workflow: WorkflowSummary
    issues: list[Issue]


def create_workflow(session: Session, *, principal: Principal, data: object, now: datetime) -> Created:
    """POST /workflows: a new draft from an appendix-A document; issues are reported, not refused."""
    document = storable_document(data)
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
    document = storable_document(data)
    _store_draft(session, workflow, document, principal=principal, now=now)
    return Draft(workflow, workflow.draft, final_checks(session, document))


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
        issues.extend(_prefixed(issue, f"[{index}]") for issue in final_checks(session, document))
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
    return _summaries(session, stored)


# --- What the list and the workflow page show ------------------------------------------------------------------


@dataclass(frozen=True)
class LastRun:
    id: str
    number: int
    status: str
    at: datetime


@dataclass(frozen=True)
class WorkflowSummary:
    id: str
    name: str
    status: Status
    state: str
    active_version: int | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    paused_reason: str | None
    notice: str | None
    last_run: LastRun | None


@dataclass(frozen=True)
class WorkflowPage:
    data: list[WorkflowSummary]
    count: int


def has_unpublished_changes(draft: Mapping[str, Any], published: Mapping[str, Any]) -> bool:
    """Whether the draft differs from a published definition in anything a version carries."""

    def versioned(document: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in document.items() if key not in _NOT_PUBLISHED_PARTS}

    return versioned(draft) != versioned(published)


def displayed_status(state: str, draft: Mapping[str, Any], active: Mapping[str, Any] | None) -> Status:
    """The status the list shows: Draft, Live, Paused, or Unpublished Changes."""
    if state == "draft" or active is None:
        return "Draft"
    if has_unpublished_changes(draft, active):
        return "Unpublished Changes"
    return "Paused" if state == "paused" else "Live"


def _summary(workflow: Workflow, active: Mapping[str, Any] | None, last_run: LastRun | None) -> WorkflowSummary:
    status = displayed_status(workflow.status, workflow.draft, active)
    return WorkflowSummary(
        id=workflow.id,
        name=workflow.name,
        status=status,
        state=workflow.status,
        active_version=workflow.active_version,
        created_by=workflow.created_by,
        created_at=workflow.created_at,
        updated_at=workflow.updated_at,
        paused_reason=workflow.paused_reason,
        notice=UNPUBLISHED_NOTICE if status == "Unpublished Changes" else None,
        last_run=last_run,
    )


def _summaries(session: Session, workflows: Sequence[Workflow]) -> list[WorkflowSummary]:
    """Summaries of a page of workflows: two queries, whatever the page size."""
    ids = [w.id for w in workflows]
    rows = session.execute(
        select(WorkflowVersion.workflow_id, WorkflowVersion.definition)
        .join(
            Workflow,
            and_(Workflow.id == WorkflowVersion.workflow_id, Workflow.active_version == WorkflowVersion.number),
        )
        .where(Workflow.id.in_(ids))
    )
    active: dict[str, dict[str, Any]] = dict(rows.all())
    latest = (
        select(Run.workflow_id, func.max(Run.number).label("number"))
        .where(Run.workflow_id.in_(ids))
        .group_by(Run.workflow_id)
        .subquery()
    )
    last_runs = {
        run.workflow_id: LastRun(run.id, run.number, run.status, run.started_at or run.created_at)
        for run in session.scalars(
            select(Run).join(latest, and_(Run.workflow_id == latest.c.workflow_id, Run.number == latest.c.number))
        )
    }
    return [_summary(w, active.get(w.id), last_runs.get(w.id)) for w in workflows]


def summary_of(session: Session, workflow: Workflow) -> WorkflowSummary:
    return _summaries(session, [workflow])[0]


def visible_clause(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL for `visibility.may_see`: admins, the creator, or users whose rules cover the creator's."""
    if principal.role is Role.ADMIN:
        return true()
    covered = [u.id for u in session.scalars(select(User)) if principal.access.covers(principal_of(u).access)]
    creator_gone = and_(Workflow.created_by.is_not(None), ~exists().where(User.id == Workflow.created_by))
    return or_(
        Workflow.created_by == principal.user_id,
        Workflow.created_by.in_(covered),
        creator_gone,  # a deleted creator's rules allow nothing, which everyone's rules cover
        Workflow.created_by.is_(None) if principal.access.sees_everything else false(),
    )


def list_workflows(
    session: Session, *, principal: Principal, search: str | None, limit: int, offset: int
) -> WorkflowPage:
    """The workflows this user may see, by name (case-insensitive `search` within it), one page and the total."""
    where = [visible_clause(session, principal)]
    if search:
        where.append(func.lower(Workflow.name).contains(search.lower(), autoescape=True))
    count = session.scalar(select(func.count()).select_from(Workflow).where(*where)) or 0
    page = list(
        session.scalars(
            select(Workflow).where(*where).order_by(func.lower(Workflow.name), Workflow.id).limit(limit).offset(offset)
        )
    )
    return WorkflowPage(_summaries(session, page), count)


def locked_workflow(session: Session, principal: Principal, workflow_id: str) -> Workflow:
    """The workflow, its row locked until commit (PostgreSQL) so two changes of its state queue, not race."""
    session.execute(select(Workflow.id).where(Workflow.id == workflow_id).with_for_update())
    return visible_workflow(session, principal, workflow_id)


def workflow_summary(session: Session, *, principal: Principal, workflow_id: str) -> WorkflowSummary:
    return summary_of(session, visible_workflow(session, principal, workflow_id))


# --- Settings (guardrails) -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardrailsView:
    call_limit: int | None
    credits_limit: float | None
    credits_limit_since: datetime | None
    credits_spent: float
    calls_last_24h: int


def guardrails(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> GuardrailsView:
    """The limits with what counts against them: credits spent since the limit was set, calls in the last 24 h."""
    workflow = visible_workflow(session, principal, workflow_id)
    return GuardrailsView(
        call_limit=workflow.call_limit,
        credits_limit=None if workflow.credits_limit is None else float(workflow.credits_limit),
        credits_limit_since=workflow.credits_limit_since,
        credits_spent=float(credits_spent(session, workflow.id, workflow.credits_limit_since)),
        calls_last_24h=calls_in_window(session, workflow.id, now),
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
