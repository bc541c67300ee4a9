"""Assembles a backend from this process's parts: the SQL run store and step contexts, the set files, delivery.

The one place that knows how the engine is put together; `runtime.local_backend` (serve, scheduler) and
`execution.Runner` (the command line, tests, benchmarks) both build theirs here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redflare.adapters.db.progress import PROGRESS_INTERVAL_SECONDS
from redflare.adapters.db.run_store import SqlRunStore
from redflare.adapters.db.step_contexts import SqlStepContexts
from redflare.adapters.db.store import Store
from redflare.domain.ports import Clock
from redflare.engine.artifacts import ArtifactFiles
from redflare.engine.backends.local import LocalBackend
from redflare.engine.runner import RunEngine
from redflare.services.delivery_setup import DeliverySetup
from redflare.steps.base import StepKind
from redflare.steps.context import AnalysisExecutor
from redflare.steps.registry import STEP_KINDS


def run_engine(
    store: Store,
    clock: Clock,
    executor: AnalysisExecutor,
    delivery: DeliverySetup,
    *,
    batch_size: int = 200,
    kinds: Mapping[str, StepKind[Any]] = STEP_KINDS,
    progress_interval: float = PROGRESS_INTERVAL_SECONDS,
) -> RunEngine:
    contexts = SqlStepContexts(
        store.sessions,
        clock,
        executor,
        delivery.storage,
        delivery.links,
        delivery.base_url,
        batch_size=batch_size,
        progress_interval=progress_interval,
    )
    return RunEngine(SqlRunStore(store, clock), contexts, delivery, ArtifactFiles(store.artifacts_dir), kinds)


def local_backend(
    store: Store,
    clock: Clock,
    executor: AnalysisExecutor,
    delivery: DeliverySetup,
    *,
    batch_size: int = 200,
    kinds: Mapping[str, StepKind[Any]] = STEP_KINDS,
    progress_interval: float = PROGRESS_INTERVAL_SECONDS,
) -> LocalBackend:
    """The local backend over this store (its thread and loop start now; `close` it)."""
    engine = run_engine(
        store, clock, executor, delivery, batch_size=batch_size, kinds=kinds, progress_interval=progress_interval
    )
    return LocalBackend(engine)
