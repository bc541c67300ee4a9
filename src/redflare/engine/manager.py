"""Carries out runs in the process's event loop (the local backend), keeping a handle on each."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from redflare.domain.access import AccessRules
from redflare.engine.runner import RunEngine

log = logging.getLogger(__name__)


@dataclass
class RunManager:
    """Carries out runs in the server's event loop (the local backend), keeping a handle on each."""

    engine: RunEngine
    _tasks: dict[str, asyncio.Task[object]] = field(default_factory=dict)

    def submit(self, run_id: str, *, access: AccessRules) -> None:
        task = asyncio.get_running_loop().create_task(self.engine.execute(run_id, access=access))
        self._tasks[run_id] = task
        task.add_done_callback(lambda done: self._finished(run_id, done))

    def _finished(self, run_id: str, task: asyncio.Task[object]) -> None:
        self._tasks.pop(run_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("run %s stopped with an error", run_id, exc_info=task.exception())

    @property
    def in_flight(self) -> set[str]:
        return set(self._tasks)

    async def wait_idle(self) -> None:
        """Wait until every submitted run has ended (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def wind_down(self, grace_s: float) -> set[str]:
        """Let runs in flight end for up to `grace_s`, then cut off the rest; answers the ids cut off.

        A run waiting on an SMTP server that is down could otherwise keep the server from stopping for as long as
        its retries last. What is cut off stays `running` in the store; the next start fails it as interrupted.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(list(self._tasks.values()), timeout=left)
        cut = {run_id for run_id, task in self._tasks.items() if not task.done()}
        for run_id in cut:
            self._tasks[run_id].cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        if cut:
            log.warning("stopped with %d run(s) still in flight after %.0f s: %s", len(cut), grace_s, sorted(cut))
        return cut
