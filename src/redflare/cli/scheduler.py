"""`redflare scheduler`: the scheduler alone (cluster mode), carrying out the runs it starts, until Ctrl+C.

Any number of schedulers (and servers running their own) may share one store: firings are unique per workflow
in the database, so each makes one run. Runs are carried out in this process by the local engine, as in
`redflare serve`; with SMTP configured a deliverer here sends their emails.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress
from dataclasses import replace

import typer

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import AccessRules
from redflare.domain.ports import Clock, SystemClock
from redflare.engine.delivery import delivery_setup
from redflare.engine.executors import InlineAnalysisExecutor, ProcessPoolAnalysisExecutor
from redflare.engine.runner import RunEngine
from redflare.scheduler.loop import Scheduler
from redflare.services.bootstrap import ensure_builtins
from redflare.services.delivery import Deliverer
from redflare.steps.registry import STEP_KINDS
from redflare.web.state import RunManager


def scheduler_command() -> None:
    """Fire due schedules and integration sync events of live workflows, and run what they start."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    typer.echo("The scheduler is running (Ctrl+C stops it once the runs it started have ended).")
    asyncio.run(_until_signalled(settings))


async def _until_signalled(settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # no signal handlers on this platform: Ctrl+C raises instead
            loop.add_signal_handler(signum, stop.set)
    await run_scheduler(settings, stop=stop)


async def run_scheduler(settings: Settings, *, stop: asyncio.Event, clock: Clock | None = None) -> None:
    """Schedule and carry out runs until `stop` is set; then let the runs in flight end, and close everything."""
    store = Store.open(settings)
    the_clock = clock or SystemClock()
    ensure_builtins(store, the_clock)
    executor = ProcessPoolAnalysisExecutor(settings.workers) if settings.workers > 1 else InlineAnalysisExecutor()
    deliverer = Deliverer(store, settings, the_clock) if settings.smtp_configured else None
    stop_delivering = asyncio.Event()
    sending = asyncio.create_task(deliverer.run(stop_delivering)) if deliverer is not None else None
    delivery = delivery_setup(settings, the_clock)
    if deliverer is not None:
        delivery = replace(delivery, wake_deliverer=deliverer.wake)
    engine = RunEngine(store, the_clock, executor, STEP_KINDS, batch_size=settings.batch_size, delivery=delivery)
    runs = RunManager(engine)

    def submit(run_id: str, access: AccessRules) -> None:
        runs.submit(run_id, access=access)  # called on this loop's thread by Scheduler.run

    try:
        await Scheduler(store, the_clock, settings, submit).run(stop)
    finally:
        await runs.wait_idle()  # runs waiting on their emails still need the deliverer: stop it after
        stop_delivering.set()
        if sending is not None:
            await sending
        executor.close()
        store.close()
