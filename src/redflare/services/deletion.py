"""Deleting a workflow: cancel its ongoing runs, let the engine wind them down, then remove rows and files.

Versions, runs and their files go; the conversations' analysis results stay (only their note of the
run that made them goes). The deletion is audited. A workflow the user may not see is NotFound.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.exports import export_keys_of_workflow
from redflare.adapters.db.orm import AnalysisResult, Artifact, Run, WorkflowVersion
from redflare.adapters.db.store import Store
from redflare.adapters.storage import ExportStorage
from redflare.domain.errors import IllegalTransition
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus
from redflare.services import audit
from redflare.services.runs import cancel_run
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflows import (
    locked_workflow,
)

ONGOING = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


WindDown = Callable[[frozenset[str]], Awaitable[None]]


async def delete_workflow(
    store: Store,
    *,
    principal: Principal,
    workflow_id: str,
    clock: Clock,
    wind_down: WindDown,
    storage: ExportStorage | None = None,
) -> None:
    """Delete a workflow with its versions, runs and their files, cancelling its ongoing runs first.

    In steps, each its own transaction: cancel what is queued or running (committed, so the engine sees
    it); wait for `wind_down` — the engine has stopped those runs and writes no more files —; delete the
    rows (cancelling any run that started meanwhile) and then the runs' files. The store work runs in a
    worker thread: the engine shares this event loop and must keep moving while we wait.
    """
    cancelled = await asyncio.to_thread(_cancel_for_delete, store, principal, workflow_id, clock)
    await wind_down(cancelled)
    late, run_ids, files, exports = await asyncio.to_thread(
        _delete_rows, store, principal, workflow_id, clock, cancelled
    )
    if late:
        await wind_down(late)
    await asyncio.to_thread(_remove_files, store.artifacts_dir, run_ids, files)
    if storage is not None:
        await asyncio.to_thread(_remove_exports, storage, exports)


def _cancel_for_delete(store: Store, principal: Principal, workflow_id: str, clock: Clock) -> frozenset[str]:
    with store.transaction() as session:
        visible_workflow(session, principal, workflow_id)
        return _cancel_ongoing(session, workflow_id, clock.now())


def _delete_rows(
    store: Store, principal: Principal, workflow_id: str, clock: Clock, cancelled: frozenset[str]
) -> tuple[frozenset[str], list[str], list[str], list[str]]:
    with store.transaction() as session:
        workflow = locked_workflow(session, principal, workflow_id)
        exports = export_keys_of_workflow(session, workflow.id)
        late = _cancel_ongoing(session, workflow_id, clock.now())
        run_ids = list(session.scalars(select(Run.id).where(Run.workflow_id == workflow.id)))
        files = [
            path
            for path in session.scalars(
                select(Artifact.path).join(Run, Run.id == Artifact.run_id).where(Run.workflow_id == workflow.id)
            )
            if path is not None  # a small set is kept in its row: no file
        ]
        versions_count = session.scalar(
            select(func.count()).select_from(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow.id)
        )
        # Step runs, events, artifacts, exports, outbox messages, charges and calls go with their run or
        # workflow (ON DELETE CASCADE).
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
    return late, run_ids, files, exports


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


def _remove_exports(storage: ExportStorage, keys: Sequence[str]) -> None:
    for key in keys:
        with suppress(OSError, ValueError):  # already gone, or a storage hiccup: the rows are gone either way
            storage.delete(key)
