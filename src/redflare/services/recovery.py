"""What a server does on start with the runs the last one left behind (local backend: one server owns its runs).

- A queued run was committed but never handed to a backend (the process stopped in between): it is handed over
  now (`backend.submit`).
- A running run lost its engine mid-way: its running steps fail ("interrupted …") and the run fails, so nobody
  waits on it forever; "Re-run from failed step" carries it on without charging twice (completed steps keep
  their outputs; paid analysis results are reused). Its emails the dead server's deliverer had claimed go back
  to pending at once rather than after the claim's lease (minutes): whether the server had got one out before it
  died cannot be known either way, and waiting out the lease only delays the same retry.
"""

from __future__ import annotations

from sqlalchemy import select

from redflare.adapters.db.orm import Run, StepRun
from redflare.adapters.db.outbox import release_claims
from redflare.adapters.db.runs import transition_run, transition_step
from redflare.adapters.db.store import Store
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus, StepStatus

INTERRUPTED = "interrupted: the server stopped during the run; re-run it from the failed step"


def recover_runs(store: Store, clock: Clock) -> list[str]:
    """Fail the runs that were running; answer the queued ones, oldest first, to hand to the backend."""
    now = clock.now()
    with store.transaction() as session:
        running = list(session.scalars(select(Run).where(Run.status == str(RunStatus.RUNNING))))
        for run in running:
            steps = session.scalars(
                select(StepRun.step_id).where(StepRun.run_id == run.id, StepRun.status == str(StepStatus.RUNNING))
            )
            for step_id in list(steps):
                transition_step(
                    session, run_id=run.id, step_id=step_id, to=StepStatus.FAILED, now=now, error=INTERRUPTED
                )
            transition_run(session, run_id=run.id, to=RunStatus.FAILED, now=now, error=INTERRUPTED)
            release_claims(session, run_id=run.id, now=now)
        queued = select(Run.id).where(Run.status == str(RunStatus.QUEUED)).order_by(Run.created_at)
        return list(session.scalars(queued))
