"""Runs: creating them, and the run resource of SPEC appendix E that the API and `redflare run --json` print."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Call, Run, StepRun
from redflare.adapters.db.runs import create_run, get_run, transition_run
from redflare.domain.loading import dump_document
from redflare.domain.runs import RunStatus
from redflare.domain.workflow import WorkflowDocument


def start_run(
    session: Session,
    *,
    workflow_id: str,
    document: WorkflowDocument,
    version: int | None,
    now: datetime,
    trigger_type: str = "manual",
    payload: dict[str, Any] | None = None,
    test: bool = False,
    idempotency_key: str | None = None,
) -> Run:
    """A queued run of this document; the firing itself counts as one call against the call limit."""
    run = create_run(
        session,
        workflow_id=workflow_id,
        version=version,
        definition=dump_document(document),
        steps={step.id: step.type for step in document.steps},
        trigger_type=trigger_type,
        trigger_payload=payload or {},
        test=test,
        idempotency_key=idempotency_key,
        now=now,
    )
    if not test:
        session.add(Call(workflow_id=workflow_id, run_id=run.id, kind="firing", count=1, at=now))
    session.flush()
    return run


def cancel_run(session: Session, run_id: str, *, now: datetime) -> None:
    """Cancel a queued or running run. Once this commits, the run starts no batch and spends nothing."""
    transition_run(session, run_id=run_id, to=RunStatus.CANCELLED, now=now, reason="cancelled by request")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def run_resource(session: Session, run_id: str) -> dict[str, Any]:
    """The run as appendix E describes it, steps in the workflow's order."""
    run = get_run(session, run_id)
    step_rows = {s.step_id: s for s in session.scalars(select(StepRun).where(StepRun.run_id == run_id))}
    order = [step["id"] for step in run.definition.get("steps", [])]
    runtime = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else None
    return {
        "id": run.id,
        "workflow_id": run.workflow_id,
        "number": run.number,
        "version": run.version,
        "status": run.status,
        "trigger": {"type": run.trigger_type, "payload": run.trigger_payload},
        "test": run.test,
        "created_at": _iso(run.created_at),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "runtime_s": None if runtime is None else round(runtime, 3),
        "credits": float(run.credits),
        "conversations_processed": run.conversations_processed,
        "error": run.error,
        "steps": [_step_resource(step_rows[step_id]) for step_id in order if step_id in step_rows],
    }


def _step_resource(step: StepRun) -> dict[str, Any]:
    return {
        "id": step.step_id,
        "type": step.type,
        "status": step.status,
        "started_at": _iso(step.started_at),
        "finished_at": _iso(step.finished_at),
        "rows_in": step.rows_in,
        "rows_out": step.rows_out,
        "outputs": step.outputs,
        "credits": float(step.credits),
        "tally": step.tally,
        "error": step.error,
    }
