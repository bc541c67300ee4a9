"""Runs: starting them (Run now, test runs), cancelling, re-running from the failed step; the run resource
of SPEC appendix E (what the API and `redflare run --json` print), with step previews; the runs list.
The live feed's reads are in `run_feed`.

- Functions that take the acting `principal` answer NotFound for a run or workflow that user may not
  see (never Forbidden: ids do not leak); roles are the web layer's to check.
- Functions that take a `store` commit before they return: the engine looks for what they wrote from
  another thread, so it must be there. The caller then hands the run to the backend (`backend.submit`).
  Runs start through `run_start.begin_run`, the one way every entry point takes.
- A re-run never charges twice: completed steps keep their stored outputs, and Process Conversations
  reuses the results the failed attempt already paid for (the ledger).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import (
    Artifact,
    Integration,
    Run,
    StepRun,
    SyncEvent,
    Workflow,
)
from redflare.adapters.db.outbox import hold_unsent
from redflare.adapters.db.runs import (
    QueuedRun,
    delivered,
    run_row,
    run_status,
    step_rows,
    transition_run,
    transition_step,
)
from redflare.adapters.db.store import Store
from redflare.adapters.exportfiles.links import ExportLinks
from redflare.domain.delivery import NOT_SENT_CANCELLED
from redflare.domain.errors import NotFound
from redflare.domain.runs import RunStatus, StepStatus, limit_stop, runtime_s
from redflare.domain.workflow import TriggerType, WorkflowDocument
from redflare.services.deliveries import step_deliveries
from redflare.services.run_start import begin_run, reopen, runnable_document
from redflare.services.times import iso
from redflare.services.users import Principal
from redflare.services.visibility import may_see, visible_workflow
from redflare.sets.stored import read_stored

PREVIEW_ROWS = 50
TEST_SAMPLE = 100  # conversations per selection in a test run, unless asked otherwise


def cancel_run(session: Session, run_id: str, *, now: datetime) -> None:
    """Cancel a queued or running run. Once this commits, the run starts no batch and spends nothing.

    A queued run's steps are cancelled with it (no engine has them yet); a running run's engine winds
    its own steps down. IllegalTransition for a run that has ended.
    """
    was = run_status(session, run_id)
    transition_run(session, run_id=run_id, to=RunStatus.CANCELLED, now=now, reason="cancelled by request")
    hold_unsent(session, run_id=run_id, reason=NOT_SENT_CANCELLED)  # a message not yet sent stays unsent
    if was is RunStatus.QUEUED:
        pending = session.scalars(
            select(StepRun.step_id).where(StepRun.run_id == run_id, StepRun.status == str(StepStatus.PENDING))
        )
        for step_id in list(pending):
            transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.CANCELLED, now=now)


def run_resource(session: Session, run_id: str, *, links: ExportLinks | None = None) -> dict[str, Any]:
    """The run as appendix E describes it, steps in the workflow's order, each with its exports and messages.

    With `links`, each export carries a freshly signed `download_url`.

    Read afresh from the store (Core rows): status changes are conditional UPDATEs that bypass the session's objects.
    """
    run = run_row(session, run_id)
    if run is None:
        raise NotFound(f"no run {run_id!r}")
    deliveries = step_deliveries(session, run_id, links) if delivered(session, run_id) else {}
    return _resource(run, step_rows(session, run_id), deliveries)


def queued_resource(run: QueuedRun) -> dict[str, Any]:
    """The resource of a run just created, from the rows it was created with: what `run_resource` reads back before
    the engine has touched the run (no exports or messages yet, nothing started), without reading it back."""
    created_at = run.row["created_at"].astimezone(UTC)  # as the store gives times back: in UTC
    unset = {"started_at": None, "finished_at": None, "idle_s": 0.0, "error": None}
    stored = {**run.row, "created_at": created_at, **unset}
    steps = [
        SimpleNamespace(
            **step, started_at=None, finished_at=None, rows_in=None, rows_out=None, credits=0, error=None, progress=None
        )
        for step in run.steps
    ]
    return _resource(SimpleNamespace(**stored), steps, {})


def _resource(run: Any, step_rows: Iterable[Any], deliveries: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The run resource from the run's row and its steps' (attributes named as the columns)."""
    steps = {step.step_id: step for step in step_rows}
    order = [step["id"] for step in run.definition.get("steps", [])]
    return {
        "id": run.id,
        "workflow_id": run.workflow_id,
        "number": run.number,
        "version": run.version,
        "status": run.status,
        "trigger": {"type": run.trigger_type, "payload": run.trigger_payload},
        "test": run.test,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "runtime_s": runtime_s(run.started_at, run.finished_at, run.idle_s),
        "credits": float(run.credits),
        "conversations_processed": run.conversations_processed,
        "error": run.error,
        # Set when a limit cut the run short ({limit, left, message}); the run still ends completed.
        "limit_stop": limit_stop(step.tally or {} for step in steps.values()),
        "steps": [
            {**_step_resource(steps[step_id]), **deliveries.get(step_id, {"exports": [], "messages": []})}
            for step_id in order
            if step_id in steps
        ],
    }


def _step_resource(step: Any) -> dict[str, Any]:
    """A step as the run resource shows it, from its `step_runs` row."""
    return {
        "id": step.step_id,
        "type": step.type,
        "status": step.status,
        "started_at": iso(step.started_at),
        "finished_at": iso(step.finished_at),
        "rows_in": step.rows_in,
        "rows_out": step.rows_out,
        "outputs": step.outputs,
        "credits": float(step.credits),
        "tally": step.tally,
        "error": step.error,
        # {processed, total, credits} as the step last reported it (Process Conversations); null otherwise.
        "progress": step.progress,
    }


# --- Runs over the API ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartedRun:
    """A run committed and ready for the backend."""

    run_id: str
    resource: dict[str, Any]


def visible_run(session: Session, principal: Principal, run_id: str) -> Run:
    """The run if its workflow is one this user may see; NotFound otherwise (as for no such id)."""
    run = session.get(Run, run_id)
    workflow = None if run is None else session.get(Workflow, run.workflow_id)
    if run is None or workflow is None or not may_see(session, principal, workflow):
        raise NotFound(f"no run {run_id!r}")
    return run


def run_now(
    store: Store, *, principal: Principal, workflow_id: str, test: bool, now: datetime, sample: int | None = None
) -> StartedRun:
    """Run now: the active version of a published (live or paused) workflow, else its draft.

    The draft must pass Final checks (InvalidWorkflow with every issue). A real run is a firing, so a
    used-up call limit refuses it (Conflict); a test run charges nothing, counts no call, sends nothing and
    works on a sample (`sample`, default TEST_SAMPLE conversations per selection; for a Sync Completed
    trigger, from the latest completed sync's conversations).
    """
    with store.transaction() as session:
        workflow = visible_workflow(session, principal, workflow_id)
        payload: dict[str, Any] = {}
        trigger_type = "manual"
        if test:
            document, _ = runnable_document(session, workflow)
            payload = test_payload(session, document, sample)
            trigger_type = document.trigger.type if document.trigger is not None else trigger_type
        run = begin_run(session, workflow=workflow, now=now, test=test, payload=payload, trigger_type=trigger_type)
    # Built from what was written, not read back: the engine has not been handed the run yet, so that is the run.
    return StartedRun(run.id, queued_resource(run))


def test_payload(session: Session, document: WorkflowDocument, sample: int | None) -> dict[str, Any]:
    """A test run's trigger payload: its sample size, and for a Sync Completed trigger the latest completed
    sync's window and conversations (of the trigger's integration, or any) as the gathered set."""
    payload: dict[str, Any] = {"sample": sample or TEST_SAMPLE}
    trigger = document.trigger
    if trigger is not None and trigger.type is TriggerType.SYNC_COMPLETED:
        query = select(SyncEvent).where(SyncEvent.type == "sync_completed").order_by(SyncEvent.id.desc()).limit(1)
        if trigger.integration is not None:
            query = query.join(Integration, Integration.id == SyncEvent.integration_id).where(
                Integration.name == trigger.integration
            )
        latest = session.scalars(query).first()
        if latest is not None:
            payload = {**latest.payload, **payload}
    return payload


def rerun(store: Store, *, principal: Principal, run_id: str, now: datetime) -> StartedRun:
    """Re-run a failed run from its failed step (IllegalTransition for any other status)."""
    with store.transaction() as session:
        run = visible_run(session, principal, run_id)
        workflow = visible_workflow(session, principal, run.workflow_id)
        reopen(session, run=run, workflow=workflow, now=now)
        return StartedRun(run.id, run_resource(session, run.id))


def cancel(session: Session, *, principal: Principal, run_id: str, now: datetime) -> dict[str, Any]:
    """Cancel a queued or running run (IllegalTransition once it has ended); answers the run."""
    run = visible_run(session, principal, run_id)
    cancel_run(session, run.id, now=now)
    return run_resource(session, run.id)


def run_detail(
    session: Session, *, principal: Principal, run_id: str, links: ExportLinks | None = None
) -> dict[str, Any]:
    """The run resource, each step with a preview: the first rows of each of its outputs."""
    run = visible_run(session, principal, run_id)
    resource = run_resource(session, run.id, links=links)
    previews = step_previews(session, run_id=run.id)
    for step in resource["steps"]:
        step["preview"] = previews.get(step["id"], {})
    return resource


def step_previews(session: Session, *, run_id: str, rows: int = PREVIEW_ROWS) -> dict[str, dict[str, list[Any]]]:
    """Per step, per output port, its first `rows` rows as JSON-safe records (a missing file previews nothing)."""
    previews: dict[str, dict[str, list[Any]]] = {}
    for artifact in session.scalars(select(Artifact).where(Artifact.run_id == run_id).order_by(Artifact.id)):
        frame = preview_frame(artifact, rows)
        previews.setdefault(artifact.step_id, {})[artifact.port] = [json_safe(row) for row in frame.to_dicts()]
    return previews


def preview_frame(artifact: Artifact, rows: int = PREVIEW_ROWS) -> pl.DataFrame:
    """An output set's first `rows` rows; empty when its file went or broke (the counts stand, the rows are gone)."""
    try:
        return read_stored(artifact.path, artifact.data, n_rows=rows)
    except (OSError, pl.exceptions.PolarsError):
        return pl.DataFrame()


def json_safe(value: Any) -> Any:
    """A value as JSON can carry it: datetimes in ISO 8601, lists as lists, NaN and infinities as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return json_safe(float(value))
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | pl.Series):
        return [json_safe(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class RunPage:
    data: list[dict[str, Any]]
    count: int


def list_runs(session: Session, *, principal: Principal, workflow_id: str, limit: int, offset: int) -> RunPage:
    """One page of a workflow's runs, newest first, with how many there are in all."""
    workflow = visible_workflow(session, principal, workflow_id)
    count = session.scalar(select(func.count()).select_from(Run).where(Run.workflow_id == workflow.id)) or 0
    page = list(
        session.scalars(
            select(Run).where(Run.workflow_id == workflow.id).order_by(Run.number.desc()).limit(limit).offset(offset)
        )
    )
    tallies: dict[str, list[dict[str, Any]]] = {}
    if page:  # the page's processing steps in one query: only they can be stopped by a limit
        rows = session.execute(
            select(StepRun.run_id, StepRun.tally).where(
                StepRun.run_id.in_([run.id for run in page]), StepRun.type == "process_conversations"
            )
        )
        for run_id, tally in rows:
            tallies.setdefault(run_id, []).append(tally or {})
    return RunPage([{**_summary(run), "limit_stop": limit_stop(tallies.get(run.id, []))} for run in page], count)


def _summary(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "number": run.number,
        "status": run.status,
        "version": run.version,
        "trigger_type": run.trigger_type,
        "test": run.test,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "runtime_s": runtime_s(run.started_at, run.finished_at, run.idle_s),
        "credits": float(run.credits),
        "conversations_processed": run.conversations_processed,
    }


# --- The live feed: what happened to a run since the client last looked --------------------------------------------
