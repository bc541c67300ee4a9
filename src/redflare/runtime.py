"""A serving process as one piece: store, backend, deliverer and scheduler, started and stopped in order.

`redflare serve` and `redflare scheduler` both live inside `local_backend(...)`. On the way in: migrate and open the
store, ship the built-ins, start the backend (its own thread and event loop: runs never share the web server's
loop) and the deliverer (when SMTP is configured), optionally take over runs the last server left behind, start
the scheduler. On the way out, in the order that loses nothing: stop scheduling (no new runs), let the runs in
flight end for the grace period (they may wait on their emails), stop the deliverer, close the pool and the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from redflare.adapters.db.batches import WORKER_PRELOAD
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import Clock, SystemClock
from redflare.engine.backends.local import LocalBackend
from redflare.engine.executors import analysis_executor
from redflare.scheduler.loop import Scheduler
from redflare.services import backends
from redflare.services.bootstrap import ensure_builtins
from redflare.services.delivery import delivery_with_deliverer
from redflare.services.delivery_setup import DeliverySetup
from redflare.services.recovery import recover_runs


@dataclass(frozen=True)
class Runtime:
    store: Store
    clock: Clock
    backend: LocalBackend
    delivery: DeliverySetup
    scheduler: Scheduler


@asynccontextmanager
async def local_backend(
    settings: Settings, clock: Clock | None = None, *, recover: bool = False
) -> AsyncIterator[Runtime]:
    """Everything running; `recover` takes over queued runs and fails cut-off ones (one process owns the runs)."""
    store = Store.open(settings)
    the_clock = clock or SystemClock()
    ensure_builtins(store, the_clock)
    executor = analysis_executor(settings.workers, preload=WORKER_PRELOAD)
    # With SMTP configured, a deliverer sends the outbox in this loop; the engine wakes it on new messages.
    delivery, deliverer = delivery_with_deliverer(store, settings, the_clock)
    stop_delivering = asyncio.Event()
    sending = asyncio.create_task(deliverer.run(stop_delivering)) if deliverer is not None else None
    backend = backends.local_backend(store, the_clock, executor, delivery, batch_size=settings.batch_size)
    warming = asyncio.create_task(asyncio.to_thread(executor.warm))  # the pool starts while the server does
    if recover:
        for run_id in await asyncio.to_thread(recover_runs, store, the_clock):
            backend.submit(run_id)
    # The scheduler fires due schedules and sync events into runs the backend carries out.
    scheduler = Scheduler(store, the_clock, settings, backend.submit)
    stop_scheduling = asyncio.Event()
    scheduling = asyncio.create_task(scheduler.run(stop_scheduling))
    try:
        yield Runtime(store, the_clock, backend, delivery, scheduler)
    finally:
        stop_scheduling.set()
        await scheduling
        await asyncio.to_thread(backend.close, settings.shutdown_grace_s)
        await asyncio.gather(warming, return_exceptions=True)
        stop_delivering.set()
        if sending is not None:
            await sending
        executor.close()
        store.close()
