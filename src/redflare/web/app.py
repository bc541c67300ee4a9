"""The FastAPI application: built by `create_app`, its resources made in the lifespan and kept on app.state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI

from redflare import __version__
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import Clock, SystemClock
from redflare.engine.delivery import delivery_setup
from redflare.engine.executors import InlineAnalysisExecutor, ProcessPoolAnalysisExecutor
from redflare.engine.runner import RunEngine
from redflare.scheduler.loop import Scheduler
from redflare.services.bootstrap import ensure_builtins
from redflare.services.delivery import Deliverer
from redflare.services.recovery import recover_runs
from redflare.steps.registry import STEP_KINDS
from redflare.web.errors import install_error_handlers
from redflare.web.routes import auth, catalog, estimate, exports, integrations, outbox, runs, workflows
from redflare.web.state import AppServices, RunManager

API = "/api"


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
        for run_id, access in recover_runs(store, the_clock):  # what the last server left behind
            runs.submit(run_id, access=access)
        # The scheduler fires due schedules and sync events into runs this server carries out.
        scheduler = Scheduler(store, the_clock, settings, lambda run_id, access: runs.submit(run_id, access=access))
        stop_scheduling = asyncio.Event()
        scheduling = asyncio.create_task(scheduler.run(stop_scheduling))
        app.state.services = AppServices(
            settings, store, the_clock, runs, settings.secret_key(), delivery, wake_scheduler=scheduler.wake
        )
        try:
            yield
        finally:
            stop_scheduling.set()  # no new runs from here on
            await scheduling
            await runs.wait_idle()  # runs waiting on their emails still need the deliverer: stop it after
            stop_delivering.set()
            if sending is not None:
                await sending
            executor.close()
            store.close()

    app = FastAPI(
        title="RedFlare Workflows",
        version=__version__,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (auth, workflows, runs, estimate, catalog, outbox, exports, integrations):
        app.include_router(module.router, prefix=API)
    return app
