"""Peak proportional set size (PSS) of a process tree: each shared page counted once, split among its sharers.

Contract: `with PeakPss(process) as peak: …` reads `/proc/PID/smaps_rollup` of the process and every live
descendant every `interval` seconds (children listed afresh every 0.5 s) and keeps the largest sum
(`peak.peak_bytes`). RSS sums count a page a forkserver shares with each of its workers once per process;
PSS divides it among them, so the sum is the memory the tree really holds. Linux only: elsewhere (or
when smaps_rollup is unreadable) `peak.available` is False and the peak stays 0.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import TracebackType

import psutil

REFRESH_S = 0.5


def pss_bytes(pid: int) -> int | None:
    """The process's PSS in bytes, from smaps_rollup (None: gone, or not readable here)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return None


class PeakPss:
    def __init__(self, process: psutil.Process, interval: float = 0.05) -> None:
        self._process = process
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-pss", daemon=True)
        self.peak_bytes = 0
        self.available = pss_bytes(process.pid) is not None

    def _sample(self) -> None:
        children: list[psutil.Process] = []
        listed_at = -1.0
        while self.available:
            now = time.monotonic()
            try:
                if now - listed_at >= REFRESH_S:
                    children, listed_at = self._process.children(recursive=True), now
            except psutil.Error:  # the measured process has ended
                return
            own = pss_bytes(self._process.pid)
            if own is None:
                return
            total = own + sum(pss_bytes(child.pid) or 0 for child in children)
            self.peak_bytes = max(self.peak_bytes, total)
            if self._stop.wait(self._interval):
                return

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
