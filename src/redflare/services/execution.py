"""Running a workflow now, start to end, in this process (the CLI's `redflare run`, tests, benchmarks)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from redflare.adapters.db.store import Store
from redflare.domain.access import AccessRules
from redflare.domain.ports import Clock
from redflare.engine.runner import RunEngine
from redflare.services.runs import run_resource, runnable_document, start_run
from redflare.services.workflows import checked_document, find_workflow, save_draft_by_name
from redflare.steps.context import AnalysisExecutor
from redflare.steps.registry import STEP_KINDS


@dataclass
class Runner:
    store: Store
    clock: Clock
    executor: AnalysisExecutor
    batch_size: int = 200

    def engine(self) -> RunEngine:
        return RunEngine(self.store, self.clock, self.executor, STEP_KINDS, batch_size=self.batch_size)

    def run_document(
        self, data: object, *, test: bool = False, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Check a document (refusing it, with nothing stored, if it has issues), save it as a draft, run it."""
        with self.store.transaction() as session:
            document = checked_document(session, data)
            workflow = save_draft_by_name(session, document, now=self.clock.now())
            run = start_run(
                session,
                workflow_id=workflow.id,
                document=document,
                version=None,
                now=self.clock.now(),
                test=test,
                payload=payload,
            )
        return self.execute(run.id)

    def run_workflow(
        self, name_or_id: str, *, test: bool = False, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run a stored workflow: its active version if published, else its draft."""
        with self.store.transaction() as session:
            workflow = find_workflow(session, name_or_id)
            document, version = runnable_document(session, workflow)
            run = start_run(
                session,
                workflow_id=workflow.id,
                document=document,
                version=version,
                now=self.clock.now(),
                test=test,
                payload=payload,
            )
        return self.execute(run.id)

    def execute(self, run_id: str, *, access: AccessRules | None = None) -> dict[str, Any]:
        asyncio.run(self.engine().execute(run_id, access=access))
        with self.store.transaction() as session:
            return run_resource(session, run_id)
