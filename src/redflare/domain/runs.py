"""Run and step state machines: one enum and one transition table each; and what a run's runtime is.

Every status change goes through `check_run_transition` / `check_step_transition`;
an illegal change raises `IllegalTransition`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from redflare.domain.errors import IllegalTransition


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


RUN_TERMINAL: frozenset[RunStatus] = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})
STEP_TERMINAL: frozenset[StepStatus] = frozenset(
    {StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED}
)

RUN_ALLOWED: Mapping[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED}),
    # Re-run from the failed step puts a failed run back to work.
    RunStatus.FAILED: frozenset({RunStatus.RUNNING}),
    RunStatus.COMPLETED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}

STEP_ALLOWED: Mapping[StepStatus, frozenset[StepStatus]] = {
    StepStatus.PENDING: frozenset({StepStatus.RUNNING, StepStatus.SKIPPED, StepStatus.CANCELLED}),
    StepStatus.RUNNING: frozenset({StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.CANCELLED}),
    # A re-run resets the failed step and what it skipped downstream.
    StepStatus.FAILED: frozenset({StepStatus.PENDING}),
    StepStatus.SKIPPED: frozenset({StepStatus.PENDING}),
    StepStatus.CANCELLED: frozenset({StepStatus.PENDING}),
    StepStatus.COMPLETED: frozenset(),
}


def check_run_transition(current: RunStatus, to: RunStatus) -> RunStatus:
    """Return `to` if a run may move from `current` to it, else raise `IllegalTransition`."""
    if to not in RUN_ALLOWED[current]:
        raise IllegalTransition(f"a run cannot go from {current} to {to}")
    return to


def check_step_transition(current: StepStatus, to: StepStatus) -> StepStatus:
    """Return `to` if a step may move from `current` to it, else raise `IllegalTransition`."""
    if to not in STEP_ALLOWED[current]:
        raise IllegalTransition(f"a step cannot go from {current} to {to}")
    return to


def runtime_s(started_at: datetime | None, finished_at: datetime | None, idle_s: float = 0.0) -> float | None:
    """Seconds a run worked: start to finish, less the time it stood failed before re-runs; None until it ends."""
    if started_at is None or finished_at is None:
        return None
    return round(max(0.0, (finished_at - started_at).total_seconds() - idle_s), 3)


LIMIT_NAMES: Mapping[str, str] = {"credits_limit": "credits limit", "call_limit": "call limit"}


def limit_stop(tallies: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """A run a limit cut short, from its steps' tallies: which limit, how many conversations it left unprocessed,
    and the sentence every surface shows; None when no limit stopped a step. The run itself still completes."""
    stopped = [tally for tally in tallies if tally.get("stopped_by") in LIMIT_NAMES]
    if not stopped:
        return None
    limit = str(stopped[0]["stopped_by"])
    left = sum(int(tally.get("skipped_by_limit") or 0) for tally in stopped)
    noun = "conversation" if left == 1 else "conversations"
    return {
        "limit": limit,
        "left": left,
        "message": f"Stopped by the {LIMIT_NAMES[limit]}: {left} {noun} left unprocessed.",
    }
