"""A workflow's life (SPEC Lifecycle): publish, pause, resume, edit, versions, the canvas's trigger and
deletion helpers, duplicate, delete, and the audit log.

Versions are immutable; "Set as active" only moves the pointer, and runs in flight keep the definition
they pinned when they were created. Every change SPEC's audit bullet names is recorded in the same
transaction as the change. Functions take the acting `principal`: a workflow the user may not see is
NotFound; roles are the web layer's to check. State changes answer the workflow as the list shows it.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import AnalysisResult, Artifact, AuditEntry, Run, User, Workflow, WorkflowVersion
from redflare.adapters.db.store import Store
from redflare.domain.errors import Conflict, IllegalTransition, InvalidInput, InvalidWorkflow, Issue, NotFound
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus
from redflare.domain.validation import TRIGGER_NODE
from redflare.domain.workflow import Trigger, WorkflowDocument, split_port_ref
from redflare.engine.planner import downstream_of
from redflare.services import audit
from redflare.services.runs import cancel_run
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import WorkflowSummary, summary_of
from redflare.services.workflows import (
    Draft,
    final_checks,
    locked_workflow,
    new_workflow,
    nul_issues,
    settings_data,
)

PUBLISH_REFUSED = "Please resolve the issues in the workflow before publishing the workflow."
FIX_BEFORE_PUBLISHING = "Make sure all issues are fixed before publishing this workflow."
ONGOING = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)
CHANGE_TRIGGER_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?"


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
    workflow.status = "live"
    workflow.paused_reason = None
    workflow.updated_at = now
    audit.record(
        session, principal=principal, action="publish", workflow_id=workflow.id, detail={"version": number}, now=now
    )
    return summary_of(session, workflow)


def pause(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> WorkflowSummary:
    """Stop new runs; runs already going finish (Pausing "will not affect any ongoing workflow runs")."""
    workflow = locked_workflow(session, principal, workflow_id)
    if workflow.status != "live":
        raise IllegalTransition(f"only a live workflow can be paused; this one is {workflow.status}")
    workflow.status = "paused"
    workflow.paused_reason = f"Paused by {principal.email}."
    workflow.updated_at = now
    audit.record(session, principal=principal, action="pause", workflow_id=workflow.id, now=now)
    return summary_of(session, workflow)


def resume(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> WorkflowSummary:
    """Live again: upcoming runs happen (Resuming "will resume any upcoming workflow runs"); the reason clears."""
    workflow = locked_workflow(session, principal, workflow_id)
    if workflow.status != "paused":
        raise IllegalTransition(f"only a paused workflow can be resumed; this one is {workflow.status}")
    reason = workflow.paused_reason
    workflow.status = "live"
    workflow.paused_reason = None
    workflow.updated_at = now
    audit.record(
        session,
        principal=principal,
        action="resume",
        workflow_id=workflow.id,
        detail={"paused_reason": reason},
        now=now,
    )
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


# --- Versions ------------------------------------------------------------------------------------------------------


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


# --- The canvas: change or clear the trigger, and what deleting a step or connection affects ----------------


@dataclass(frozen=True)
class Impact:
    """The steps that deleting a step or a connection leaves without (all or part of) their input."""

    steps: list[str]


def draft_graph(document: WorkflowDocument) -> dict[str, list[str]]:
    """Step id → the step ids it waits for, leaving out references to steps that do not exist."""
    ids = {step.id for step in document.steps}
    graph: dict[str, list[str]] = {}
    for step in document.steps:
        upstream = [split_port_ref(ref)[0] for ref in step.after]
        graph.setdefault(step.id, []).extend(u for u in upstream if u in ids)
    return graph


def deletion_impact(
    session: Session, *, principal: Principal, workflow_id: str, step: str | None, connection: str | None
) -> Impact:
    """How many downstream steps deleting a step (or the connection `FROM->TO`) affects, and which.

    Deleting a step affects every step downstream of it; deleting a connection affects the step it
    feeds and everything downstream of that one.
    """
    if (step is None) == (connection is None):
        raise InvalidInput("give exactly one of step or connection", [Issue("step", "give step or connection")])
    document = document_from_data(visible_workflow(session, principal, workflow_id).draft)
    graph = draft_graph(document)
    if step is not None:
        if step not in graph:
            raise NotFound(f"no step {step!r} in the draft")
        affected = downstream_of(graph, [step])
    else:
        assert connection is not None
        source, arrow, target = connection.partition("->")
        target_step = document.step(target) if arrow and target in graph else None
        if target_step is None or source not in target_step.after:
            raise NotFound(f"no connection {connection!r} in the draft (write it FROM->TO)")
        affected = {target} | downstream_of(graph, [target])
    return Impact([s.id for s in document.steps if s.id in affected])


def change_trigger(
    session: Session, *, principal: Principal, workflow_id: str, trigger: Trigger, confirm: bool, now: datetime
) -> Draft:
    """Change trigger: set it and clear the steps. With steps to lose, it needs `confirm` (the UI's warning)."""
    workflow = visible_workflow(session, principal, workflow_id)
    issues = nul_issues(trigger.model_dump(mode="json", exclude_none=True), "trigger")
    if issues:
        raise InvalidInput("the trigger cannot be stored", issues)
    document = document_from_data(workflow.draft)
    if document.steps and not confirm:
        raise Conflict(f"{CHANGE_TRIGGER_WARNING} Send confirm: true to change it.")
    return _restart(session, workflow, document, trigger=trigger, now=now)


def clear_trigger(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> Draft:
    """Clear trigger: start over — no trigger and no steps; the name and settings stay."""
    workflow = visible_workflow(session, principal, workflow_id)
    return _restart(session, workflow, document_from_data(workflow.draft), trigger=None, now=now)


def _restart(
    session: Session, workflow: Workflow, document: WorkflowDocument, *, trigger: Trigger | None, now: datetime
) -> Draft:
    # Canvas positions of the removed steps go with them; the trigger's own position stays.
    layout = {node: place for node, place in document.layout.items() if node == TRIGGER_NODE}
    fresh = document.model_copy(update={"trigger": trigger, "steps": [], "layout": layout})
    workflow.draft = {**dump_document(fresh), "settings": settings_data(workflow)}
    workflow.updated_at = now
    session.flush()
    return Draft(workflow, workflow.draft, final_checks(session, fresh))


# --- Duplicate and delete ------------------------------------------------------------------------------------------


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


WindDown = Callable[[frozenset[str]], Awaitable[None]]


async def delete_workflow(
    store: Store, *, principal: Principal, workflow_id: str, clock: Clock, wind_down: WindDown
) -> None:
    """Delete a workflow with its versions, runs and their files, cancelling its ongoing runs first.

    In steps, each its own transaction: cancel what is queued or running (committed, so the engine sees
    it); wait for `wind_down` — the engine has stopped those runs and writes no more files —; delete the
    rows (cancelling any run that started meanwhile) and then the runs' files. The store work runs in a
    worker thread: the engine shares this event loop and must keep moving while we wait.
    """
    cancelled = await asyncio.to_thread(_cancel_for_delete, store, principal, workflow_id, clock)
    await wind_down(cancelled)
    late, run_ids, files = await asyncio.to_thread(_delete_rows, store, principal, workflow_id, clock, cancelled)
    if late:
        await wind_down(late)
    await asyncio.to_thread(_remove_files, store.artifacts_dir, run_ids, files)


def _cancel_for_delete(store: Store, principal: Principal, workflow_id: str, clock: Clock) -> frozenset[str]:
    with store.transaction() as session:
        visible_workflow(session, principal, workflow_id)
        return _cancel_ongoing(session, workflow_id, clock.now())


def _delete_rows(
    store: Store, principal: Principal, workflow_id: str, clock: Clock, cancelled: frozenset[str]
) -> tuple[frozenset[str], list[str], list[str]]:
    with store.transaction() as session:
        workflow = locked_workflow(session, principal, workflow_id)
        late = _cancel_ongoing(session, workflow_id, clock.now())
        run_ids = list(session.scalars(select(Run.id).where(Run.workflow_id == workflow.id)))
        files = list(
            session.scalars(
                select(Artifact.path).join(Run, Run.id == Artifact.run_id).where(Run.workflow_id == workflow.id)
            )
        )
        versions_count = session.scalar(
            select(func.count()).select_from(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id)
        )
        # Step runs, events, artifacts, charges and calls go with their run or workflow (ON DELETE CASCADE).
        # Analysis results stay: they are the conversations' (and keep them from being billed twice);
        # only their note of which run made them goes.
        quick = {"synchronize_session": False}
        session.execute(
            update(AnalysisResult).where(AnalysisResult.run_id.in_(run_ids)).values(run_id=None),
            execution_options=quick,
        )
        session.execute(delete(Run).where(Run.workflow_id == workflow.id), execution_options=quick)
        session.execute(
            delete(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id), execution_options=quick
        )
        session.delete(workflow)
        audit.record(
            session,
            principal=principal,
            action="delete",
            workflow_id=workflow_id,
            detail={
                "name": workflow.name,
                "versions": versions_count,
                "runs": len(run_ids),
                "cancelled_runs": sorted(cancelled | late),
            },
            now=clock.now(),
        )
    return late, run_ids, files


def _cancel_ongoing(session: Session, workflow_id: str, now: datetime) -> frozenset[str]:
    ongoing = frozenset(session.scalars(select(Run.id).where(Run.workflow_id == workflow_id, Run.status.in_(ONGOING))))
    for run_id in ongoing:
        with suppress(IllegalTransition):  # it ended between the query and the cancel: nothing to stop
            cancel_run(session, run_id, now=now)
    return ongoing


def _remove_files(root: Path, run_ids: Sequence[str], files: Sequence[str]) -> None:
    """Remove the artifacts the rows named, then each run's folder (a cancelled step may have left a file unnamed)."""
    for name in files:
        Path(name).unlink(missing_ok=True)
    for run_id in run_ids:
        folder = root / run_id  # the engine's layout: <artifacts>/<run id>/<step>/<port>.parquet
        if folder.resolve().is_relative_to(root.resolve()) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


# --- Audit log -----------------------------------------------------------------------------------------------------


def audit_log(
    session: Session, *, principal: Principal, workflow_id: str, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """Who did what to this workflow and when, newest first, with the total."""
    workflow = visible_workflow(session, principal, workflow_id)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.workflow_id == workflow.id))
    return list(audit.entries(session, workflow_id=workflow.id, limit=limit, offset=offset)), total or 0
