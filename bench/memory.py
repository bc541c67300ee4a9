"""Peak memory (and CPU used) of this process and its children, sampled in a background thread.

Contract: `with PeakMemory() as peak: …` samples the resident set size (RSS) of this process (or of
`process=`, e.g. a `redflare run` started as a subprocess) plus every live descendant (the analysis
worker pool, the forkserver) every `interval` seconds until the block ends (or the process does);
`peak.mb` is the largest sum seen, in MiB. The sum counts pages a forked child still shares with
its parent twice, so it errs high — the honest side for a "stays under" target.
A child that starts and ends between two samples is missed; at 20 ms that is no worker of a pool.
The list of children is refreshed every 0.5 s (listing scans every process on the machine, which
would make the sampler itself a noticeable load); a child is counted from the next refresh on.
`descendants_cpu()` gives each live descendant's CPU seconds, so a caller can tell how busy the
analysis workers were over a run.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

import psutil

MIB = 1024 * 1024
REFRESH_S = 0.5


def tree_rss(process: psutil.Process) -> int:
    """RSS of a process plus its live descendants, in bytes (children that vanish mid-count are skipped)."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:  # ended between listing and reading: no longer holds memory
            continue
    return int(total)


def descendants_cpu() -> dict[int, float]:
    """CPU seconds (user + system) each live descendant of this process has used so far, by pid."""
    used: dict[int, float] = {}
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        used[child.pid] = float(times.user + times.system)
    return used


def current_mb() -> float:
    """This process and its live descendants now, in MiB."""
    return tree_rss(psutil.Process()) / MIB


class PeakOfTree:
    """The largest sum of `measure` over a process and its live descendants, sampled every `interval` seconds in a
    background thread while the block runs (`peak_bytes`). `measure` answers bytes, or None when it cannot read
    the process (the measured process: sampling stops; a child: it counts 0)."""

    def __init__(
        self, process: psutil.Process, interval: float, measure: Callable[[psutil.Process], int | None], name: str
    ) -> None:
        self._process = process
        self._interval = interval
        self._measure = measure
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name=name, daemon=True)
        self.peak_bytes = 0

    def _sample(self) -> None:
        # Listing children scans every process on the machine: do it every 0.5 s, measure every tick.
        children: list[psutil.Process] = []
        listed_at = -1.0
        while True:
            now = time.monotonic()
            try:
                if now - listed_at >= REFRESH_S:
                    children, listed_at = self._process.children(recursive=True), now
                own = self._measure(self._process)
            except psutil.Error:  # the measured process has ended
                return
            if own is None:
                return
            total = own + sum(self._of_child(child) for child in children)
            self.peak_bytes = max(self.peak_bytes, int(total))
            if self._stop.wait(self._interval):
                return

    def _of_child(self, child: psutil.Process) -> int:
        try:
            return self._measure(child) or 0
        except psutil.Error:  # ended since it was listed
            return 0

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()


def _rss(process: psutil.Process) -> int:
    return int(process.memory_info().rss)


class PeakMemory(PeakOfTree):
    def __init__(self, interval: float = 0.02, *, process: psutil.Process | None = None) -> None:
        super().__init__(process or psutil.Process(), interval, _rss, "peak-memory")

    @property
    def mb(self) -> float:
        return self.peak_bytes / MIB

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        super().__exit__(kind, error, trace)
        with contextlib.suppress(psutil.Error):  # a measured subprocess may have ended already
            self.peak_bytes = max(self.peak_bytes, tree_rss(self._process))
