"""Workflows: storing documents as drafts, and the checks that stand between a draft and a run.

The core the other workflow services share: finding and locking a workflow, storing a document as a
new draft (or by name, for the CLI), the guardrail columns and their document form, and the checks a
document passes to be stored (`storable_document`) or run (`final_checks`). The list lives in
`workflow_list`, drafts over the API in `drafts`, Settings in `guardrails`, import/export in `workflow_files`.

Functions taking the acting `principal` answer NotFound for a workflow that user may not see (never
Forbidden: ids do not leak); roles are checked by the web layer before calling them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.limits import limits_of
from redflare.adapters.db.orm import Integration, Workflow, table_of
from redflare.adapters.db.pipelines import pipeline_criteria
from redflare.domain.errors import Conflict, InvalidWorkflow, Issue, NotFound
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.validation import Columns, Environment, data_issues, input_columns, validate
from redflare.domain.workflow import Settings as Limits
from redflare.domain.workflow import WorkflowDocument
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.steps.registry import STEP_KINDS

_INTEGRATION_NAMES = select(table_of(Integration).c.name)  # a Core statement, built once: every run reads it


def environment(session: Session) -> Environment:
    """What validation may know of the store: its pipelines and integrations."""
    return Environment(
        pipelines=pipeline_criteria(session),
        integrations=frozenset(session.scalars(_INTEGRATION_NAMES)),
    )


def step_input_columns(session: Session, data: object) -> dict[str, Columns]:
    """Per step, the columns its input will have (validation's own following of the graph): what its pickers offer.

    A document too broken to read answers nothing (its Final checks say why)."""
    try:
        document = document_from_data(data)
    except InvalidWorkflow:
        return {}
    return input_columns(document, STEP_KINDS, environment(session))


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


def refuse_published_namesake(session: Session, name: str) -> None:
    """A file run stores its document as a draft by name; a published (live or paused) workflow of that name is the
    user's and stays as it is: Conflict naming both ways forward."""
    published = session.scalars(
        select(Workflow).where(Workflow.name == name, Workflow.status.in_(("live", "paused")))
    ).first()
    if published is not None:
        raise Conflict(
            f"a {published.status} workflow is named {name!r}: run it by its name (redflare run {name!r}), or give "
            "the file's workflow another name to run the file"
        )


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
    workflow.overlap_policy = settings.overlap


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
    if limits.overlap != "queue":  # the default stays out of documents, as they were before overlap existed
        data["overlap"] = limits.overlap
    return data


def every_issue(session: Session, data: object, refused: InvalidWorkflow | None = None) -> InvalidWorkflow:
    """A document refused as it is, with every issue it has at once: those it was refused for (a trigger that does
    not parse …) and the Final checks of the rest of it."""
    first = refused.issues if refused is not None else []
    more = [issue for issue in data_issues(data, STEP_KINDS, environment(session)) if issue not in first]
    return InvalidWorkflow([*first, *more])


def checked_document(session: Session, data: object) -> WorkflowDocument:
    """Parse and fully check a document; raises InvalidWorkflow with every issue.

    Every run of a draft asks this of the same document again and again: its issues are kept per document and
    environment (all that the checks read), so an unchanged draft in an unchanged store is checked once per process.
    The environment is read afresh each time (another process may add or archive a pipeline, or add an
    integration): a change to it, or to the document, is a new key, checked anew."""
    try:
        document = document_from_data(data)
    except InvalidWorkflow as refused:
        raise every_issue(session, data, refused) from None
    env = environment(session)
    key = (document.model_dump_json(), _environment_key(env))
    issues = _CHECKED.get(key)
    if issues is None:
        issues = tuple(validate(document, STEP_KINDS, env))
        if len(_CHECKED) >= _CHECKED_KEPT:
            _CHECKED.clear()  # a rare reset keeps it bounded; the next runs check once more
        _CHECKED[key] = issues
    if issues:
        raise InvalidWorkflow(list(issues))
    return document


EnvironmentKey = tuple[tuple[tuple[str, tuple[str, ...]], ...], frozenset[str]]
_CHECKED: dict[tuple[str, EnvironmentKey], tuple[Issue, ...]] = {}  # (document as JSON, environment) → issues
_CHECKED_KEPT = 512


def _environment_key(env: Environment) -> EnvironmentKey:
    pipelines = tuple(sorted((name, tuple(criteria)) for name, criteria in (env.pipelines or {}).items()))
    return pipelines, env.integrations or frozenset()


MAX_CALL_LIMIT = 2**31 - 1  # the column is a 32-bit INTEGER on PostgreSQL
MAX_CREDITS_LIMIT = Decimal(10**12)  # credits are stored as ten-thousandths in a BIGINT


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
        raise InvalidWorkflow([prefixed(issue, prefix) for issue in exc.issues]) from None
    issues = nul_issues(data)
    if document.settings.call_limit is not None and document.settings.call_limit > MAX_CALL_LIMIT:
        issues.append(Issue("settings.call_limit", f"must be at most {MAX_CALL_LIMIT}"))
    if document.settings.credits_limit is not None and document.settings.credits_limit > MAX_CREDITS_LIMIT:
        issues.append(Issue("settings.credits_limit", f"must be at most {MAX_CREDITS_LIMIT}"))
    if issues:
        raise InvalidWorkflow([prefixed(issue, prefix) for issue in issues])
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


def prefixed(issue: Issue, prefix: str) -> Issue:
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


def locked_workflow(session: Session, principal: Principal, workflow_id: str) -> Workflow:
    """The workflow, its row locked until commit (PostgreSQL) so two changes of its state queue, not race."""
    session.execute(select(Workflow.id).where(Workflow.id == workflow_id).with_for_update())
    return visible_workflow(session, principal, workflow_id)
