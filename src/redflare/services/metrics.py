"""The Runs tab's header: Credits used, Average runtime, and how many runs are in progress, completed,
failed and cancelled — over the workflow's real runs: a test run is a preview, kept out of the figures (and how many
there are is said beside them) unless asked for with `include_tests`.

Average runtime is the mean of the completed runs' runtimes (start to finish, less any wait before a
re-run: `domain.runs.runtime_s`): a failed or cancelled run stopped early, so it would make the
workflow look faster than it is. With no completed run it is None. With no run at all the answer
carries the guide's empty state.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Run
from redflare.domain.runs import RunStatus, runtime_s
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow

NO_RUNS_TITLE = "No Runs yet"
NO_RUNS_MESSAGE = "Your workflow runs will appear here once the workflow has been executed."


@dataclass(frozen=True)
class EmptyState:
    title: str
    message: str


@dataclass(frozen=True)
class RunMetrics:
    credits_used: Decimal
    average_runtime_s: float | None
    in_progress: int  # queued or running
    completed: int
    failed: int
    cancelled: int
    total: int
    empty_state: EmptyState | None
    test_runs: int = 0
    """How many test runs the workflow has (in the figures only with `include_tests`)."""


def workflow_metrics(
    session: Session, *, principal: Principal, workflow_id: str, include_tests: bool = False
) -> RunMetrics:
    """The figures of one workflow's runs (NotFound for a workflow this user may not see)."""
    workflow = visible_workflow(session, principal, workflow_id)
    by_status: dict[str, int] = {}
    credits_used = Decimal(0)
    test_runs = 0
    for status, test, count, spent in session.execute(
        select(Run.status, Run.test, func.count(), func.sum(Run.credits))
        .where(Run.workflow_id == workflow.id)
        .group_by(Run.status, Run.test)
    ):
        test_runs += count if test else 0
        if test and not include_tests:
            continue
        by_status[status] = by_status.get(status, 0) + count
        credits_used += spent or Decimal(0)
    # Runtimes in Python: date arithmetic differs between SQLite and PostgreSQL, and one workflow's runs are few.
    spans = session.execute(
        select(Run.started_at, Run.finished_at, Run.idle_s).where(
            Run.workflow_id == workflow.id,
            Run.status == str(RunStatus.COMPLETED),
            Run.started_at.is_not(None),
            Run.finished_at.is_not(None),
            *([] if include_tests else [Run.test.is_(False)]),
        )
    ).all()
    runtimes = [seconds for span in spans if (seconds := runtime_s(*span)) is not None]
    total = sum(by_status.values())
    return RunMetrics(
        credits_used=credits_used,
        average_runtime_s=round(sum(runtimes) / len(runtimes), 3) if runtimes else None,
        in_progress=by_status.get(RunStatus.QUEUED, 0) + by_status.get(RunStatus.RUNNING, 0),
        completed=by_status.get(RunStatus.COMPLETED, 0),
        failed=by_status.get(RunStatus.FAILED, 0),
        cancelled=by_status.get(RunStatus.CANCELLED, 0),
        total=total,
        empty_state=None if total or test_runs else EmptyState(NO_RUNS_TITLE, NO_RUNS_MESSAGE),
        test_runs=test_runs,
    )
