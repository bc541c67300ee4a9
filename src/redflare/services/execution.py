"""Running a workflow now, start to end, in this process (the CLI's `redflare run`, tests, benchmarks)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import AccessRules
from redflare.domain.ports import Clock
from redflare.engine.delivery import DeliverySetup, delivery_setup
from redflare.engine.runner import RunEngine
from redflare.services.delivery import Deliverer
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
    settings: Settings | None = None
    """Where export files go, how links are signed, and SMTP; None keeps mail in the outbox (engine default)."""

    DRAIN_SECONDS: ClassVar[float] = 120.0  # after the run, how long to keep sending its emails still due

    def engine(self, delivery: DeliverySetup | None = None) -> RunEngine:
        if delivery is None and self.settings is not None:
            delivery = delivery_setup(self.settings, self.clock)
        return RunEngine(
            self.store, self.clock, self.executor, STEP_KINDS, batch_size=self.batch_size, delivery=delivery
        )

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
        asyncio.run(self._execute(run_id, access))
        with self.store.transaction() as session:
            return run_resource(session, run_id)

    async def _execute(self, run_id: str, access: AccessRules | None) -> None:
        """Run it; with SMTP configured, a deliverer in this process sends its emails as steps write them."""
        if self.settings is None or not self.settings.smtp_configured:
            await self.engine().execute(run_id, access=access)
            return
        deliverer = Deliverer(self.store, self.settings, self.clock)
        stop = asyncio.Event()
        sending = asyncio.create_task(deliverer.run(stop))
        delivery = replace(delivery_setup(self.settings, self.clock), wake_deliverer=deliverer.wake)
        try:
            await self.engine(delivery).execute(run_id, access=access)
            await deliverer.drain(timeout=self.DRAIN_SECONDS, run_id=run_id)
        finally:
            stop.set()
            await sending
