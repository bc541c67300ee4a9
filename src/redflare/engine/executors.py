"""Where analysis batches run: a process pool (one worker per core) or inline (tests, tiny jobs)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from redflare.analysis.analyse import analyse_batch
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.conversation import Conversation


class InlineAnalysisExecutor:
    """Analyses batches in the calling thread, one after the other."""

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[list[Conversation]]
    ) -> Iterator[list[AnalysisOutcome]]:
        for batch in batches:
            yield analyse_batch(pipeline, batch)

    def close(self) -> None:
        pass


class ProcessPoolAnalysisExecutor:
    """Spreads batches over worker processes, keeping exactly one batch per worker in flight.

    The next batch is pulled from the iterator only when a worker is free, so the caller's admission
    check (limits, cancellation) happens just before a batch starts, never long before.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: workers do not inherit the server's threads and locks, and start from a warm image.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["redflare.analysis.analyse"])
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
        return self._pool

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[list[Conversation]]
    ) -> Iterator[list[AnalysisOutcome]]:
        pool = self._get_pool()
        in_flight: set[Future[list[AnalysisOutcome]]] = set()
        exhausted = False
        try:
            while True:
                while not exhausted and len(in_flight) < self._workers:
                    batch = next(batches, None)
                    if batch is None:
                        exhausted = True
                    elif batch:
                        in_flight.add(pool.submit(analyse_batch, pipeline, batch))
                if not in_flight:
                    return
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in in_flight:  # the consumer stopped early (cancel, error): start nothing more
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
