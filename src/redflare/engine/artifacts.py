"""Conversation sets at rest: a small one in its artifact row (sets/stored.py), a larger one as a Parquet file per
(run, step, port) under the artifacts folder.

What is kept is the record (previews, a re-run, another worker read it); the next step of the same run is fed from
memory. So keeping is off the hot path: `keep` answers a small set's bytes at once, and hands a larger frame to a
writer thread, answering with the file's path; `settle(run_id)` waits until every file of the run is on disk (the
engine calls it before the run ends, and before reading a set from its file).
"""

from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from pathlib import Path

import polars as pl

from redflare.sets.stored import StoredSet, inline, is_small, read_stored

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
WRITERS = 2  # Parquet encoding runs outside the GIL: two writers keep up with any run's steps


class ArtifactFiles:
    def __init__(self, root: Path) -> None:
        self._root = root
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[str, list[Future[int]]] = {}
        self._lock = threading.Lock()
        self._encoding = threading.Lock()

    def path_for(self, run_id: str, step_id: str, port: str) -> Path:
        # Port names are user text ("Reviewer A"): keep the file name safe and still unique.
        safe_port = _UNSAFE.sub("_", port) + f"-{port.encode().hex()[:16]}"
        return self._root / run_id / step_id / f"{safe_port}.parquet"

    def keep(self, run_id: str, step_id: str, port: str, frame: pl.DataFrame) -> StoredSet:
        """Keep a set: a small one as bytes for its record, a larger one in a file written in the background."""
        # One step thread at a time: two of them measuring and encoding their sets at once (a Distribute's
        # groups) were once found blocked inside polars for good, each in one of these calls. Small sets take
        # tens of microseconds here, so the queue is short.
        with self._encoding:
            if is_small(frame):
                return inline(frame)
            path, size = self.write_later(run_id, step_id, port, frame)  # measures it; the write is the writer's
        return StoredSet(path=path, data=None, size=size)

    def write_later(self, run_id: str, step_id: str, port: str, frame: pl.DataFrame) -> tuple[str, int]:
        """Store a set in the background; returns its path and the set's size in memory (bytes, estimated)."""
        path = self.path_for(run_id, step_id, port)
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="redflare-sets")
            future = self._pool.submit(_write, path, frame)
            self._pending.setdefault(run_id, []).append(future)
        return str(path), int(frame.estimated_size())

    def settle(self, run_id: str) -> None:
        """Wait until every set of the run handed to `write_later` is on disk; a write that failed is logged (the
        set's counts stand; its preview and a re-run from it are what is lost)."""
        with self._lock:
            pending = self._pending.pop(run_id, [])
        wait_futures(pending)
        for future in pending:
            if future.exception() is not None:
                log.error("a set of run %s was not written", run_id, exc_info=future.exception())

    @staticmethod
    def read(stored: StoredSet) -> pl.DataFrame:
        return read_stored(stored.path, stored.data)


def _write(path: Path, frame: pl.DataFrame) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, compression="lz4", statistics=False)
    return path.stat().st_size
