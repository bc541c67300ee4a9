"""The one way a run starts, whoever starts it: Run now, a test run, a re-run, a scheduler firing, the command line.

`begin_run` holds, in one place, what every start needs: the call-limit refusal, the document a run of the
workflow executes (its active version when published, else its checked draft), and the run row with its
steps and the call it counts. Its caller commits, then hands the run to the backend with `backend.submit(run_id)`;
the engine reads the workflow creator's data-access rules itself when the run begins. A re-run (`reopen`) passes
the same refusal; recovery hands queued runs — started through here — to the backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from redflare.adapters.db.driver import DriverStatement
from redflare.adapters.db.ledger import calls_in_window
from redflare.adapters.db.orm import Run, Workflow, WorkflowVersion, table_of
from redflare.adapters.db.runs import QueuedRun, connection_of, create_run, reopen_run, run_status
from redflare.domain.errors import Conflict, IllegalTransition
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.runs import RunStatus
from redflare.domain.workflow import WorkflowDocument
from redflare.services.workflows import checked_document

PUBLISHED = ("live", "paused")  # a manual run of a paused workflow is allowed: pausing stops the trigger only
_WORKFLOWS = table_of(Workflow)
_LOCK_WORKFLOW = DriverStatement(select(_WORKFLOWS.c.id).where(_WORKFLOWS.c.id == bindparam("b_id")).with_for_update())


class CallLimitReached(Conflict):
    """The workflow's call limit is used up: this start makes no run."""


def call_limit_refusal(session: Session, workflow: Workflow, now: datetime) -> str | None:
    """Why the call limit refuses a new run of this workflow now, or None (the one place this rule is written)."""
    if workflow.call_limit is None:
        return None
    used = calls_in_window(session, workflow.id, now)
    if used < workflow.call_limit:
        return None
    return (
        f"The call limit of {workflow.call_limit} calls in 24 hours is reached ({used} used): this firing makes no run."
    )


def runnable_document(session: Session, workflow: Workflow) -> tuple[WorkflowDocument, int | None]:
    """What a run of this workflow executes: its active version if published, else its checked draft."""
    if workflow.status in PUBLISHED and workflow.active_version is not None:
        stored = session.get(WorkflowVersion, (workflow.id, workflow.active_version))
        if stored is not None:
            return document_from_data(stored.definition), stored.number
    return checked_document(session, workflow.draft), None


def begin_run(
    session: Session,
    *,
    workflow: Workflow,
    now: datetime,
    trigger_type: str = "manual",
    payload: dict[str, Any] | None = None,
    test: bool = False,
    idempotency_key: str | None = None,
    document: WorkflowDocument | None = None,
) -> QueuedRun:
    """A queued run of `workflow` (flushed; the caller commits, then submits it to the backend).

    `document` runs that document instead of the workflow's runnable one (a workflow file from the command line,
    stored as the draft it runs). A real run is a firing: a used-up call limit refuses it (CallLimitReached) and
    it counts one call; a test run neither.
    """
    # Lock the workflow row (PostgreSQL): run numbers and the active version are read consistently.
    _LOCK_WORKFLOW.execute(connection_of(session), {"b_id": workflow.id}).fetchall()
    if not test:
        refusal = call_limit_refusal(session, workflow, now)
        if refusal is not None:
            raise CallLimitReached(refusal)
    version: int | None = None
    if document is None:
        document, version = runnable_document(session, workflow)
    return start_run(
        session,
        workflow_id=workflow.id,
        document=document,
        version=version,
        now=now,
        trigger_type=trigger_type,
        payload=payload,
        test=test,
        idempotency_key=idempotency_key,
    )


def reopen(session: Session, *, run: Run, workflow: Workflow, now: datetime) -> None:
    """Put a failed run back to work from its failed step, for the backend to carry on (IllegalTransition for
    any other status; CallLimitReached, as for a new run, when the call limit is used up)."""
    status = run_status(session, run.id)
    if status is not RunStatus.FAILED:
        raise IllegalTransition(f"only a failed run can be re-run; run {run.number} is {status}")
    refusal = None if run.test else call_limit_refusal(session, workflow, now)
    if refusal is not None:
        raise CallLimitReached(refusal)
    reopen_run(session, run_id=run.id, now=now)  # a conditional update: of two re-runs at once, one wins


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
) -> QueuedRun:
    """The run row of `begin_run`, without its checks: a queued run of this document that counts one call."""
    return create_run(
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
        counts_call=not test,
    )
