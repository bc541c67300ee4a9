"""What a server does on start with the runs the last one left behind (local backend: one server owns its runs).

- A queued run was committed but never handed to an engine (the process stopped in between): it is handed over
  now, acting with its workflow creator's rules.
- A running run lost its engine mid-way: its running steps fail ("interrupted …") and the run fails, so nobody
  waits on it forever; "Re-run from failed step" carries it on without charging twice (completed steps keep
  their outputs; paid analysis results are reused).
"""

from __future__ import annotations

from sqlalchemy import select

from redflare.adapters.db.orm import Run, StepRun, Workflow
from redflare.adapters.db.runs import transition_run, transition_step
from redflare.adapters.db.store import Store
from redflare.domain.access import AccessRules
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus, StepStatus
from redflare.services.visibility import creator_rules

INTERRUPTED = "interrupted: the server stopped during the run; re-run it from the failed step"


def recover_runs(store: Store, clock: Clock) -> list[tuple[str, AccessRules]]:
    """Fail the runs that were running; answer the queued ones (with their access rules) to hand to the engine."""
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
        queued = list(session.scalars(select(Run).where(Run.status == str(RunStatus.QUEUED)).order_by(Run.created_at)))
        handed = []
        for run in queued:
            workflow = session.get(Workflow, run.workflow_id)
            if workflow is not None:
                handed.append((run.id, creator_rules(session, workflow)))
        return handed
