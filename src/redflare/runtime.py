"""The local backend as one piece: store, engine, run manager, deliverer and scheduler, started and stopped in order.

`redflare serve` and `redflare scheduler` both live inside `local_backend(...)`. On the way in: migrate and open the
store, ship the built-ins, start the deliverer (when SMTP is configured), optionally take over runs the last server
left behind, start the scheduler. On the way out, in the order that loses nothing: stop scheduling (no new runs),
let the runs in flight end (they may wait on their emails), stop the deliverer, close the pool and the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import Clock, SystemClock
from redflare.engine.delivery import DeliverySetup, delivery_setup
from redflare.engine.executors import InlineAnalysisExecutor, ProcessPoolAnalysisExecutor
from redflare.engine.manager import RunManager
from redflare.engine.runner import RunEngine
from redflare.scheduler.loop import Scheduler
from redflare.services.bootstrap import ensure_builtins
from redflare.services.delivery import Deliverer
from redflare.services.recovery import recover_runs
from redflare.steps.registry import STEP_KINDS


@dataclass(frozen=True)
class LocalBackend:
    store: Store
    clock: Clock
    runs: RunManager
    delivery: DeliverySetup
    scheduler: Scheduler


@asynccontextmanager
async def local_backend(
    settings: Settings, clock: Clock | None = None, *, recover: bool = False
) -> AsyncIterator[LocalBackend]:
    """Everything running; `recover` takes over queued runs and fails cut-off ones (one process owns the runs)."""
    store = Store.open(settings)
    the_clock = clock or SystemClock()
    ensure_builtins(store, the_clock)
    executor = ProcessPoolAnalysisExecutor(settings.workers) if settings.workers > 1 else InlineAnalysisExecutor()
    # With SMTP configured, a deliverer sends the outbox in this loop; the engine wakes it on new messages.
    deliverer = Deliverer(store, settings, the_clock) if settings.smtp_configured else None
    stop_delivering = asyncio.Event()
    sending = asyncio.create_task(deliverer.run(stop_delivering)) if deliverer is not None else None
    delivery = delivery_setup(settings, the_clock)
    if deliverer is not None:
        delivery = replace(delivery, wake_deliverer=deliverer.wake)
    engine = RunEngine(store, the_clock, executor, STEP_KINDS, batch_size=settings.batch_size, delivery=delivery)
    runs = RunManager(engine)
    if recover:
        for run_id, access in recover_runs(store, the_clock):
            runs.submit(run_id, access=access)
    # The scheduler fires due schedules and sync events into runs carried out here.
    scheduler = Scheduler(store, the_clock, settings, lambda run_id, access: runs.submit(run_id, access=access))
    stop_scheduling = asyncio.Event()
    scheduling = asyncio.create_task(scheduler.run(stop_scheduling))
    try:
        yield LocalBackend(store, the_clock, runs, delivery, scheduler)
    finally:
        stop_scheduling.set()
        await scheduling
        await runs.wind_down(settings.shutdown_grace_s)
        stop_delivering.set()
        if sending is not None:
            await sending
        executor.close()
        store.close()
