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
from types import TracebackType

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


class PeakMemory:
    def __init__(self, interval: float = 0.02, *, process: psutil.Process | None = None) -> None:
        self._interval = interval
        self._process = process or psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)
        self.peak_bytes = 0

    @property
    def mb(self) -> float:
        return self.peak_bytes / MIB

    def _sample(self) -> None:
        # Listing children scans every process on the machine: do it every 0.5 s, read RSS every tick.
        children: list[psutil.Process] = []
        listed_at = -1.0
        while True:
            now = time.monotonic()
            try:
                if now - listed_at >= REFRESH_S:
                    children, listed_at = self._process.children(recursive=True), now
                total = self._process.memory_info().rss
            except psutil.Error:  # the measured process has ended
                return
            for child in children:
                try:
                    total += child.memory_info().rss
                except psutil.Error:  # ended since it was listed
                    continue
            self.peak_bytes = max(self.peak_bytes, int(total))
            if self._stop.wait(self._interval):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        with contextlib.suppress(psutil.Error):  # a measured subprocess may have ended already
            self.peak_bytes = max(self.peak_bytes, tree_rss(self._process))
