"""The run's facts for message templates, read from the store when a step asks (counts so far)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.orm import Run, StepRun, Workflow
from redflare.steps.templating import trigger_facts


def run_url(base_url: str, workflow_id: str, run_id: str) -> str:
    """Where a run is shown in the app."""
    return f"{base_url.rstrip('/')}/workflows/{workflow_id}/runs/{run_id}"


class SqlRunFacts:
    def __init__(self, sessions: sessionmaker[Session], run_id: str, base_url: str) -> None:
        self._sessions = sessions
        self._run_id = run_id
        self._base_url = base_url

    def facts(self) -> dict[str, Any]:
        with self._sessions() as session:
            run = session.get(Run, self._run_id)
            if run is None:
                raise LookupError(f"no run {self._run_id!r}")
            workflow = session.get(Workflow, run.workflow_id)
            steps = session.scalars(select(StepRun).where(StepRun.run_id == run.id).order_by(StepRun.step_id))
            return {
                "workflow": {"id": run.workflow_id, "name": workflow.name if workflow is not None else ""},
                "run": {
                    "id": run.id,
                    "number": run.number,
                    "url": run_url(self._base_url, run.workflow_id, run.id),
                    "test": run.test,
                    "started_at": run.started_at,
                    "trigger": run.trigger_type,
                    "credits": float(run.credits),
                    "conversations_processed": run.conversations_processed,
                },
                "trigger": trigger_facts(run.trigger_type, run.trigger_payload or {}),
                "steps": {
                    step.step_id: {
                        "type": step.type,
                        "status": step.status,
                        "rows_in": step.rows_in,
                        "rows_out": step.rows_out,
                        "credits": float(step.credits),
                    }
                    for step in steps
                },
            }
