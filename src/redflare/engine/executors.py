"""Where analysis batches run: a process pool (one worker per core) or inline (tests, tiny jobs)."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator, MutableSequence, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from importlib.machinery import ModuleSpec
from multiprocessing import spawn
from typing import TYPE_CHECKING

from redflare.analysis.analyse import analyse_batch
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition

if TYPE_CHECKING:  # not at run time: the steps' ports import polars, which the fork server and workers never need
    from redflare.steps.context import Batch, BatchLoader, InFlight

PRELOAD = ["redflare.engine.executors"]
WARM_WORKER = "redflare.engine.warm_worker"  # preloaded last: it freezes what the others loaded
MAIN_ENV = "_REDFLARE_POOL_MAIN"  # the parent's main, "path:<script>" or "name:<module>", for the fork server
BATCHES_WAITING = 1  # admitted batches queued for the pool beyond one per worker (see ProcessPoolAnalysisExecutor)
IN_FLIGHT_SECONDS = 0.25  # how often a run waiting on its batches tells its `in_flight` how far they have got
SLOTS = 1024  # batches in flight at once across every run of a process, each counting in a slot of its own

# In a worker: the shared counters its batches count their analysed conversations in (`_attach`, at its start).
_counts: MutableSequence[int] | None = None


def _ready() -> bool:
    return True


def claim_main(main: str | None) -> None:
    """Make this process's `__main__` pass for the parent's `main` (`parent_main`); None leaves it alone.

    The fork server calls it (warm_worker.py) so that its workers do not run the parent's main script again: a
    process the fork server starts re-runs the parent's `__main__` (multiprocessing's `prepare`) unless the fork
    server's own `__main__` already names it, and CPython 3.11's fork server never preloads it (it looks for a key
    "main_path" where the preparation data says "init_main_from_path"). For `redflare` that script imports the
    whole command line: about 1.4 s of CPU and 60 MB in each worker of each pool. Workers need nothing of
    `__main__`: what they run lives in this module."""
    kind, _, value = (main or "").partition(":")
    current = sys.modules["__main__"]
    if kind == "path" and value:
        current.__file__ = value
    elif kind == "name" and value:
        current.__spec__ = ModuleSpec(value, None)


def parent_main() -> str | None:
    """This process's main as multiprocessing hands it to a new worker ("path:…" or "name:…"), if any."""
    data = spawn.get_preparation_data("analysis")
    if "init_main_from_name" in data:
        return f"name:{data['init_main_from_name']}"
    if "init_main_from_path" in data:
        return f"path:{data['init_main_from_path']}"
    return None


class InlineAnalysisExecutor:
    """Analyses batches in the calling thread, one after the other."""

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[Batch], in_flight: InFlight | None = None
    ) -> Iterator[list[AnalysisOutcome]]:
        for batch in batches:
            if in_flight is None:
                yield analyse_batch(pipeline, batch.conversations())
                continue
            outcomes: list[AnalysisOutcome] = []
            conversations = batch.conversations()
            for conversation in conversations:
                outcomes += analyse_batch(pipeline, [conversation])
                if len(outcomes) < len(conversations):  # a whole batch is the caller's to report, once it is stored
                    in_flight(len(outcomes))
            yield outcomes

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass


def _attach(counts: MutableSequence[int]) -> None:
    """A worker's start (the pool's initializer): keep the shared counters its batches count in."""
    global _counts
    _counts = counts


def _analyse(
    pipeline: PipelineDefinition, ids: tuple[str, ...], loader: BatchLoader, slot: int | None = None
) -> list[AnalysisOutcome]:
    """What a worker runs: load its batch from the store itself, then analyse it (top level, so it pickles). The
    batch goes as its ids and loader, not as a `Batch`: unpickling that would import the steps' ports, and polars
    with them, into the fork server's image (about 40 MB of it).

    With a `slot`, counts each conversation analysed in that slot of the shared counters as it goes: one batch is
    one worker's, so nothing else writes its slot, and the count is an integer in shared memory — no lock, no
    message, no write anywhere else."""
    conversations = loader.load(ids)
    if slot is None or _counts is None:
        return analyse_batch(pipeline, conversations)
    outcomes: list[AnalysisOutcome] = []
    for conversation in conversations:
        outcomes += analyse_batch(pipeline, [conversation])
        _counts[slot] = len(outcomes)
    return outcomes


class ProcessPoolAnalysisExecutor:
    """Spreads batches over worker processes, keeping one batch per worker in flight and one more waiting.

    The next batch is pulled from the iterator only when a batch finishes, so the caller's admission check
    (limits, cancellation) happens at most one batch ahead of the batch's start, never long before. The
    waiting batch is already in the pool's call queue when a worker finishes, so the worker takes it at once:
    with exactly one batch per worker, a worker idled from its batch's end until this thread woke, admitted
    the next batch (a transaction) and handed it over through the pool's manager thread — several GIL hand-offs
    of up to 5 ms each while this thread stores results, a tenth of a 200-conversation batch's time here.
    A free worker's next batch is also admitted before the finished batch's outcomes are handed to the caller,
    so the caller's storing of results overlaps the analysis.

    `preload`: more modules for the fork server to import once, before it forks any worker — what a worker
    needs besides the analysis, named by whoever assembles the process (the store's batch loader: the engine
    does not know it). Without it every worker of every pool imported the loader's module when its first batch
    arrived: SQLAlchemy, the ORM and Alembic, about 0.35 s of CPU per worker, a third of a 1,000-conversation
    run's CPU. The fork server is one per process: the first pool's preload is the one that counts.
    """

    def __init__(self, workers: int, *, preload: Sequence[str] = ()) -> None:
        self._workers = workers
        self._preload = list(preload)
        self._pool: ProcessPoolExecutor | None = None
        # Per batch in flight, how many of its conversations are analysed: shared with the workers (`_attach`).
        self._counts: MutableSequence[int] | None = None
        self._free = list(range(SLOTS))
        self._slots_lock = threading.Lock()

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: workers do not inherit the server's threads and locks, and start from a warm image: the
            # fork server imports the analysis modules and VADER's lexicon once, and every worker is forked from
            # it; the parent's main module is not run again in any of them (`claim_main` says how and why).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([*PRELOAD, *self._preload, WARM_WORKER])
            # Read by warm_worker in the fork server, which inherits this environment: always this process's own
            # main, never one inherited from a parent process that ran a pool of its own.
            main = parent_main()
            if main is None:
                os.environ.pop(MAIN_ENV, None)
            else:
                os.environ[MAIN_ENV] = main
            self._counts = context.RawArray("q", SLOTS)
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=context, initializer=_attach, initargs=(self._counts,)
            )
        return self._pool

    def _slot(self) -> int | None:
        """A free counter for a batch about to be submitted, set to 0; None when all are taken (it goes uncounted)."""
        with self._slots_lock:
            if not self._free or self._counts is None:
                return None
            slot = self._free.pop()
            self._counts[slot] = 0
            return slot

    def _release(self, slot: int | None) -> None:
        if slot is not None:
            with self._slots_lock:
                self._free.append(slot)

    def _released(self, slot: int | None, _: Future[list[AnalysisOutcome]]) -> None:
        self._release(slot)

    def warm(self) -> None:
        """Start every worker now (a server does, so its first run pays no start-up)."""
        pool = self._get_pool()
        for future in [pool.submit(_ready) for _ in range(self._workers)]:
            future.result()

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[Batch], in_flight: InFlight | None = None
    ) -> Iterator[list[AnalysisOutcome]]:
        pool = self._get_pool()
        # Each batch in flight: its counter slot and how many conversations it has.
        running: dict[Future[list[AnalysisOutcome]], tuple[int | None, int]] = {}
        exhausted = False

        def fill() -> None:
            nonlocal exhausted
            while not exhausted and len(running) < self._workers + BATCHES_WAITING:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                elif batch.ids:
                    slot = self._slot() if in_flight is not None else None
                    running[pool.submit(_analyse, pipeline, batch.ids, batch.loader, slot)] = (slot, len(batch.ids))

        try:
            fill()
            while running:
                # Without `in_flight`, wait for a batch as before; with it, look at the counters every so often.
                timeout = None if in_flight is None else IN_FLIGHT_SECONDS
                done = wait(running, timeout=timeout, return_when=FIRST_COMPLETED).done
                if not done:
                    # Only between yields: every batch yielded so far is the caller's, every other one is counted here
                    # (a finished batch not yet yielded as one short of whole: the caller reports it whole, stored).
                    counts = self._counts
                    if in_flight is not None and counts is not None:
                        in_flight(
                            sum(min(counts[slot], size - 1) for slot, size in running.values() if slot is not None)
                        )
                    continue
                for future in done:
                    self._release(running.pop(future)[0])
                if all(future.exception() is None for future in done):  # a failure surfaces before more is admitted
                    fill()  # the freed workers start their next batch while the caller stores these outcomes
                for future in done:
                    yield future.result()
        finally:
            for future, (slot, _) in running.items():  # the consumer stopped early (cancel, error): start nothing more
                future.cancel()
                # A batch still running keeps its slot until it ends: its worker may still write to it.
                future.add_done_callback(partial(self._released, slot))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def analysis_executor(
    workers: int, *, preload: Sequence[str] = ()
) -> ProcessPoolAnalysisExecutor | InlineAnalysisExecutor:
    """A process's analysis executor: a pool of `workers` (its fork server preloading `preload` too), or inline
    for one worker."""
    return ProcessPoolAnalysisExecutor(workers, preload=preload) if workers > 1 else InlineAnalysisExecutor()
