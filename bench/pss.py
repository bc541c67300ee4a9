"""Peak proportional set size (PSS) of a process tree: each shared page counted once, split among its sharers.

Contract: `with PeakPss(process) as peak: …` reads `/proc/PID/smaps_rollup` of the process and every live
descendant every `interval` seconds (children listed afresh every 0.5 s) and keeps the largest sum
(`peak.peak_bytes`). RSS sums count a page a forkserver shares with each of its workers once per process;
PSS divides it among them, so the sum is the memory the tree really holds. Linux only: elsewhere (or
when smaps_rollup is unreadable) `peak.available` is False and the peak stays 0.
"""

from __future__ import annotations

from pathlib import Path

import psutil

from bench.memory import PeakOfTree


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


class PeakPss(PeakOfTree):
    def __init__(self, process: psutil.Process, interval: float = 0.05) -> None:
        super().__init__(process, interval, lambda measured: pss_bytes(measured.pid), "peak-pss")
        self.available = pss_bytes(process.pid) is not None
