"""Running a workflow now, start to end, in this process (the CLI's `redflare run`, tests, benchmarks).

A `Runner` keeps one local backend (one engine loop and thread pool) for its lifetime, so many runs in one
process pay for them once; `close()` it (or use it as a context manager) when done.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, ClassVar

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import Clock
from redflare.engine.backends.local import LocalBackend
from redflare.services.backends import local_backend
from redflare.services.delivery import Deliverer, delivery_with_deliverer
from redflare.services.delivery_setup import DeliverySetup, unconfigured_delivery
from redflare.services.run_start import begin_run
from redflare.services.runs import run_resource
from redflare.services.workflows import (
    checked_document,
    find_workflow,
    refuse_published_namesake,
    save_draft_by_name,
)
from redflare.steps.base import StepKind
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
    kinds: Mapping[str, StepKind[Any]] = field(default_factory=lambda: STEP_KINDS)

    DRAIN_SECONDS: ClassVar[float] = 120.0  # after the run, how long to keep sending its emails still due

    def __post_init__(self) -> None:
        self._backend: LocalBackend | None = None
        self._deliverer: Deliverer | None = None
        self._closer: weakref.finalize[Any, Any] | None = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def run_document(
        self, data: object, *, test: bool = False, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Check a document (refusing it, with nothing stored, if it has issues), save it as a draft, run it.

        A published workflow of the same name is the user's: it is never overwritten or run in the file's stead
        (Conflict, saying how to run either)."""
        with self.store.transaction() as session:
            document = checked_document(session, data)
            refuse_published_namesake(session, document.name)
            workflow = save_draft_by_name(session, document, now=self.clock.now())
            run = begin_run(
                session, workflow=workflow, document=document, now=self.clock.now(), test=test, payload=payload
            )
        return self.execute(run.id)

    def run_workflow(
        self, name_or_id: str, *, test: bool = False, payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run a stored workflow: its active version if published, else its draft."""
        with self.store.transaction() as session:
            workflow = find_workflow(session, name_or_id)
            run = begin_run(session, workflow=workflow, now=self.clock.now(), test=test, payload=payload)
        return self.execute(run.id)

    def execute(self, run_id: str) -> dict[str, Any]:
        """Carry out a committed run (queued, or failed: re-run from its failed step) and answer its resource.

        With SMTP configured, a deliverer beside the engine sends its emails as steps write them, and those still
        due when the run ends are sent (for up to DRAIN_SECONDS) before this answers.
        """
        backend = self.backend
        backend.run(run_id)
        if self._deliverer is not None:
            drain = self._deliverer.drain(timeout=self.DRAIN_SECONDS, run_id=run_id)
            asyncio.run_coroutine_threadsafe(drain, backend.loop).result()
        with self.store.transaction() as session:
            return run_resource(session, run_id)

    @property
    def backend(self) -> LocalBackend:
        """The runner's local backend, started on first use."""
        if self._backend is None:
            self._backend = self._start()
        return self._backend

    def _start(self) -> LocalBackend:
        delivery = self._delivery()
        backend = local_backend(
            self.store, self.clock, self.executor, delivery, batch_size=self.batch_size, kinds=self.kinds
        )
        stop, delivering = None, None
        if self._deliverer is not None:  # beside the runs, on the backend's loop
            stop = asyncio.Event()
            delivering = asyncio.run_coroutine_threadsafe(self._deliverer.run(stop), backend.loop)
        # close() calls it; so does the garbage collector for a runner dropped without close() (a test).
        self._closer = weakref.finalize(self, _shut_down, backend, stop, delivering)
        return backend

    def _delivery(self) -> DeliverySetup:
        if self.settings is None:  # no settings (engine tests, benchmarks): keep mail, files beside artifacts
            return unconfigured_delivery(self.store.artifacts_dir.parent / "exports", self.clock)
        delivery, self._deliverer = delivery_with_deliverer(self.store, self.settings, self.clock)
        return delivery

    def close(self) -> None:
        """Stop the deliverer and the backend (a run still in flight is cut off)."""
        if self._closer is not None:
            self._closer()
        self._backend = None


def _shut_down(backend: LocalBackend, stop: asyncio.Event | None, delivering: Future[None] | None) -> None:
    if stop is not None and delivering is not None:
        backend.loop.call_soon_threadsafe(stop.set)
        delivering.result(timeout=30)
    backend.close(0.0)
