"""One trigger firing of one workflow, decided in the caller's transaction: the scheduler's policy.

`fire` claims the firing by its idempotency key (`claim_firing`: a duplicate changes nothing but the
duplicates count), then decides, recording the outcome and its reason on the Firing row:

1. the workflow must be live — a draft or paused one is skipped ("the workflow is paused");
2. the rolling-24-hour call limit must not be reached (the firing is itself a call) — else skipped;
3. the overlap policy, when a run of the workflow is still queued or running (test runs aside):
   "skip" → skipped; "queue" → waiting, at most one: a later sync firing is merged into it (its run gathers every
   merged sync's conversations, `triggers.coalesce`), a later schedule firing is skipped; "parallel" → start;
4. otherwise a run of the ACTIVE version starts (queued, idempotency key "{workflow id}:{firing key}").

`start_waiting` starts the waiting firing once nothing of the workflow is going, re-checking 1 and 2.

Both lock the workflow row first (PostgreSQL), so two schedulers deciding for one workflow take turns:
run numbers, the overlap check and "at most one waiting" are read consistently. On SQLite every
writing transaction holds the database lock from its BEGIN, which serialises them the same way.
The caller commits, then hands `FiringResult.run_id` to the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.firings import claim_firing, waiting_firing
from redflare.adapters.db.orm import Firing, Run, Workflow
from redflare.domain.runs import RunStatus
from redflare.services.run_start import begin_run, call_limit_refusal
from redflare.triggers.coalesce import merge_sync_payload

Outcome = Literal["started", "waiting", "merged", "skipped", "duplicate"]

PAUSED = "the workflow is paused"
STILL_GOING = "a run was still going"
ALREADY_WAITING = "one firing is already waiting"
MERGED_INTO = "a run was still going; merged into the waiting firing"
GOING = (str(RunStatus.QUEUED), str(RunStatus.RUNNING))


@dataclass(frozen=True)
class FiringResult:
    """What came of a firing. `run_id` is set exactly when `outcome` is "started"."""

    workflow_id: str
    key: str
    outcome: Outcome
    reason: str | None = None
    run_id: str | None = None

    @property
    def duplicate(self) -> bool:
        """The firing had happened already (another scheduler, a repeated event): nothing was done."""
        return self.outcome == "duplicate"


def schedule_key(scheduled_for: datetime) -> str:
    """The firing key of a schedule time: one firing per (workflow, fire time)."""
    return f"schedule:{scheduled_for.isoformat()}"


def sync_key(sync_id: str, event_type: str) -> str:
    """The firing key of a sync event: one firing per (workflow, sync, event type)."""
    return f"sync:{sync_id}:{event_type}"


def fire(
    session: Session,
    *,
    workflow: Workflow,
    key: str,
    trigger_type: str,
    scheduled_for: datetime | None,
    payload: dict[str, Any],
    now: datetime,
) -> FiringResult:
    """Fire `workflow` (a row of `session`) once for `key` (see the module docstring); flushes, the caller commits."""
    _lock(session, workflow)
    firing = claim_firing(
        session,
        workflow_id=workflow.id,
        key=key,
        trigger_type=trigger_type,
        scheduled_for=scheduled_for,
        payload=payload,
        now=now,
    )
    if firing is None:
        return FiringResult(workflow.id, key, "duplicate")
    refusal = _refusal(session, workflow, now)
    if refusal is not None:
        return _record(session, workflow, firing, "skipped", refusal)
    if _run_going(session, workflow.id):
        if workflow.overlap_policy == "skip":
            return _record(session, workflow, firing, "skipped", STILL_GOING)
        if workflow.overlap_policy == "queue":
            waiting = _other_waiting(session, workflow.id, firing.id)
            if waiting is None:
                return _record(session, workflow, firing, "waiting", STILL_GOING)
            if waiting.trigger_type == firing.trigger_type and firing.trigger_type.startswith("sync_"):
                # Its sync's conversations ride with the waiting firing's run: nothing a sync brought is dropped.
                waiting.payload = merge_sync_payload(waiting.payload, firing.key, firing.payload)
                return _record(session, workflow, firing, "merged", f"{MERGED_INTO} {waiting.key}")
            return _record(session, workflow, firing, "skipped", ALREADY_WAITING)
        # "parallel": start alongside
    return _start(session, workflow, firing, now)


def start_waiting(session: Session, *, workflow: Workflow, now: datetime) -> FiringResult | None:
    """Start the workflow's waiting firing if nothing of it is queued or running; None if there is nothing to do.

    A waiting firing of a workflow paused meanwhile, or past its call limit by now, is skipped with the reason.
    """
    _lock(session, workflow)
    firing = waiting_firing(session, workflow.id)
    if firing is None or _run_going(session, workflow.id):
        return None
    refusal = _refusal(session, workflow, now)
    if refusal is not None:
        return _record(session, workflow, firing, "skipped", refusal)
    return _start(session, workflow, firing, now)


def _lock(session: Session, workflow: Workflow) -> None:
    # Re-read under the lock: status, active version and policy as they are now, not as the caller listed them.
    session.refresh(workflow, with_for_update=True)


def _refusal(session: Session, workflow: Workflow, now: datetime) -> str | None:
    """Why no run may start now (not live, call limit reached), or None."""
    if workflow.status != "live" or workflow.active_version is None:
        return PAUSED
    return call_limit_refusal(session, workflow, now)


def _run_going(session: Session, workflow_id: str) -> bool:
    """Whether a real run (not a test run) of the workflow is queued or running."""
    going = select(Run.id).where(Run.workflow_id == workflow_id, Run.status.in_(GOING), Run.test.is_(False))
    return bool(session.scalar(select(exists(going))))


def _other_waiting(session: Session, workflow_id: str, firing_id: int) -> Firing | None:
    query = select(Firing).where(Firing.workflow_id == workflow_id, Firing.outcome == "waiting", Firing.id != firing_id)
    return session.scalars(query.order_by(Firing.id)).first()


def _start(session: Session, workflow: Workflow, firing: Firing, now: datetime) -> FiringResult:
    run = begin_run(
        session,
        workflow=workflow,
        now=now,
        trigger_type=firing.trigger_type,
        payload=dict(firing.payload),
        idempotency_key=f"{workflow.id}:{firing.key}",
    )
    firing.run_id = run.id
    covered = list(firing.payload.get("covers", []))
    if covered:  # the firings merged into this one are carried out by its run
        session.execute(
            update(Firing).where(Firing.workflow_id == workflow.id, Firing.key.in_(covered)).values(run_id=run.id),
            execution_options={"synchronize_session": False},
        )
    _record(session, workflow, firing, "started", None)
    return FiringResult(workflow.id, firing.key, "started", None, run.id)


def _record(session: Session, workflow: Workflow, firing: Firing, outcome: Outcome, reason: str | None) -> FiringResult:
    firing.outcome = outcome
    firing.reason = reason
    session.flush()
    return FiringResult(workflow.id, firing.key, outcome, reason)
