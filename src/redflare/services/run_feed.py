"""A run's live feed (GET /runs/{id}/events): where it starts, and the changes since what the watcher has seen."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Run, RunEvent, StepRun
from redflare.adapters.db.runs import get_run, run_status
from redflare.domain.runs import RUN_TERMINAL, StepStatus
from redflare.services.runs import run_resource, visible_run
from redflare.services.times import iso
from redflare.services.users import Principal


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    ended: bool  # the run has ended and every event up to its end is in `events` or was seen before
    run: dict[str, Any] | None  # the run resource as it ended, when it has


def feed_start(
    session: Session, *, principal: Principal, run_id: str, after: int | None
) -> tuple[dict[str, Any], set[int]]:
    """The run now, and the ids of the events it already reflects (all so far; those up to `after` on a resume)."""
    run = visible_run(session, principal, run_id)
    ids = set(session.scalars(select(RunEvent.id).where(RunEvent.run_id == run.id)))
    if after is not None:
        ids = {i for i in ids if i <= after}
    # Events first, then the state: the state reflects at least every event counted as seen.
    return run_resource(session, run.id), ids


def feed_since(session: Session, *, run_id: str, seen: Set[int]) -> FeedPage:
    """The run's events not yet seen, in order, each with the counts of what it is about.

    Every event of the run is read, not only those past the newest seen id: on PostgreSQL a lower id can
    commit after a higher one (two steps finishing at once), and it must not be skipped.
    """
    # Read before the events: a terminal status has its event committed. A cancelled run's running step records
    # its own `cancelled` a moment after the run's, so the feed ends only once no step is still running.
    status = run_status(session, run_id)
    steps_running = session.scalar(
        select(func.count())
        .select_from(StepRun)
        .where(StepRun.run_id == run_id, StepRun.status == str(StepStatus.RUNNING))
    )
    rows = session.execute(
        select(RunEvent, StepRun)
        .join(StepRun, (StepRun.run_id == RunEvent.run_id) & (StepRun.step_id == RunEvent.step_id), isouter=True)
        .where(RunEvent.run_id == run_id)
        .order_by(RunEvent.id)
    ).all()
    fresh = [(event, step) for event, step in rows if event.id not in seen]
    run = get_run(session, run_id) if fresh else None
    events = [_event(event, step, run) for event, step in fresh]
    ended = status in RUN_TERMINAL and not steps_running
    return FeedPage(events, ended, run_resource(session, run_id) if ended else None)


def _event(event: RunEvent, step: StepRun | None, run: Run | None) -> dict[str, Any]:
    """A change: a status change with the counts of its run or step as they stand now, or a step's progress
    report (status `running`) whose counts are that report's `{processed, total, credits}`, as it was then.

    Every change also carries `run_counts`, the run's credits and conversations processed as they stand now:
    batches add to them as they settle, so the run page's totals move while the run does, not only at its end."""
    counts: dict[str, Any]
    if event.progress is not None:
        counts = dict(event.progress)
    elif step is not None:
        counts = {
            "rows_in": step.rows_in,
            "rows_out": step.rows_out,
            "outputs": step.outputs,
            "credits": float(step.credits),
        }
    else:
        assert run is not None
        counts = {"credits": float(run.credits), "conversations_processed": run.conversations_processed}
    return {
        "id": event.id,
        "at": iso(event.at),
        "step_id": event.step_id,
        "status": event.status,
        "reason": event.reason,
        "counts": counts,
        "progress": event.progress,
        "run_counts": None
        if run is None
        else {"credits": float(run.credits), "conversations_processed": run.conversations_processed},
    }
