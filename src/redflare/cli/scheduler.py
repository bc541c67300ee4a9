"""`redflare scheduler`: the scheduler alone (cluster mode), carrying out the runs it starts, until Ctrl+C.

Any number of schedulers (and servers running their own) may share one store: firings are unique per workflow
in the database, so each makes one run. Runs are carried out in this process by the local engine, as in
`redflare serve`; with SMTP configured a deliverer here sends their emails.
"""

from __future__ import annotations

import logging
import signal
from contextlib import suppress
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import asyncio

    from redflare.config import Settings
    from redflare.domain.ports import Clock


def scheduler_command() -> None:
    """Run the scheduler alone (cluster mode).

    It fires the due schedules and integration syncs of live workflows and runs what they start, until Ctrl+C."""
    import asyncio

    from redflare.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    typer.echo("The scheduler is running (Ctrl+C stops it once the runs it started have ended).")
    asyncio.run(_until_signalled(settings))


async def _until_signalled(settings: Settings) -> None:
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # no signal handlers on this platform: Ctrl+C raises instead
            loop.add_signal_handler(signum, stop.set)
    await run_scheduler(settings, stop=stop)


async def run_scheduler(settings: Settings, *, stop: asyncio.Event, clock: Clock | None = None) -> None:
    """Schedule and carry out runs until `stop` is set; then let the runs in flight end, and close everything."""
    from redflare.runtime import local_backend

    async with local_backend(settings, clock):
        await stop.wait()
