"""The local backend: runs carried out in this process, on one event loop in a thread of its own.

One loop and one thread pool serve every run of the process (the web server's, the scheduler's, a CLI run's):
nothing is built per run, and nothing a run does touches the loop that answers requests. Each run's loop and
its steps' threads live there; the step's own work (polars, the analysis pool) runs outside the GIL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

from redflare.domain.runs import RunStatus
from redflare.engine.runner import RunEngine

log = logging.getLogger(__name__)
# Steps and store calls of every run share the pool: enough for several runs' steps side by side.
DEFAULT_THREADS = min(32, 4 * (os.cpu_count() or 1) + 4)


class LocalBackend:
    """The `Backend` of one process (see engine/backends/__init__.py)."""

    def __init__(self, engine: RunEngine, *, threads: int = DEFAULT_THREADS) -> None:
        self.engine = engine
        self._loop = asyncio.new_event_loop()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="redflare-step")
        self._loop.set_default_executor(self._pool)
        self._runs: dict[str, Future[RunStatus]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._loop.run_forever, name="redflare-engine", daemon=True)
        self._thread.start()

    def submit(self, run_id: str) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the backend is closed: the run stays queued for the next start")
            if run_id in self._runs:
                return  # carried out already: a second hand-over of one run changes nothing
            future = asyncio.run_coroutine_threadsafe(self.engine.execute(run_id), self._loop)
            self._runs[run_id] = future
        future.add_done_callback(lambda done: self._finished(run_id, done))

    def run(self, run_id: str) -> RunStatus:
        """Submit a run and wait for it to end (the command line, benchmarks); answers its status."""
        self.submit(run_id)
        with self._lock:
            future = self._runs.get(run_id)
        if future is None:  # it has ended already
            return self.engine.runs.states(run_id)[0]
        return future.result()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The backend's loop, for work that lives beside the runs (a command's deliverer)."""
        return self._loop

    def _finished(self, run_id: str, future: Future[RunStatus]) -> None:
        with self._lock:
            self._runs.pop(run_id, None)
        if not future.cancelled() and future.exception() is not None:
            log.error("run %s stopped with an error", run_id, exc_info=future.exception())

    @property
    def in_flight(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._runs)

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._lock:
            futures = list(self._runs.values())
        _, not_done = wait_futures(futures, timeout=timeout)
        return not not_done

    def close(self, grace_s: float) -> set[str]:
        with self._lock:
            self._closed = True
            futures = dict(self._runs)
        _, not_done = wait_futures(list(futures.values()), timeout=max(0.0, grace_s))
        cut = {run_id for run_id, future in futures.items() if future in not_done}
        for run_id in cut:
            futures[run_id].cancel()  # cancels the run's task on the loop; its steps' tasks go with it
        wait_futures([futures[run_id] for run_id in cut], timeout=5)
        if cut:
            log.warning("stopped with %d run(s) still in flight after %.0f s: %s", len(cut), grace_s, sorted(cut))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._loop.is_running():
            self._loop.close()
        # Step threads still busy (a step's own work cannot be interrupted) are not waited for: the store fences
        # what they would write, and the process is ending.
        self._pool.shutdown(wait=False, cancel_futures=True)
        return cut
