"""What a piece of work cost: wall seconds and CPU seconds of this process and every process under it.

Contract: `with Meter() as meter: …` then `meter.cost` (a `Cost`). CPU counts this process (every
thread), its live descendants (the analysis workers, a forkserver's children: read with psutil,
by pid, against what each had used when the meter started) and its reaped children (getrusage).
Read it before the pool ends: a worker of a forkserver is not our child, so once it exits its CPU
is lost — so `Meter.stop()` can be called inside the pool's block, before shutting it down, and
the block's exit then keeps that reading.
`load_average()` is the machine's 1-, 5- and 15-minute load, printed beside every figure: on a
shared 2-core machine it says how much of a figure is someone else's work.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass
from types import TracebackType

from bench.memory import descendants_cpu


@dataclass(frozen=True)
class Cost:
    wall_s: float
    cpu_s: float  # this process + its descendants


def _reaped_children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return float(usage.ru_utime + usage.ru_stime)


class Meter:
    """Wall and CPU of a block of work, this process's whole tree."""

    def __init__(self) -> None:
        self._started = 0.0
        self._own = 0.0
        self._reaped = 0.0
        self._descendants: dict[int, float] = {}
        self.cost: Cost | None = None

    def __enter__(self) -> Meter:
        self._descendants = descendants_cpu()
        self._reaped = _reaped_children_cpu()
        self._own = time.process_time()
        self._started = time.perf_counter()
        return self

    def stop(self) -> Cost:
        """End the measurement now (the first call counts; later ones return the same cost)."""
        if self.cost is None:
            wall = time.perf_counter() - self._started
            own = time.process_time() - self._own
            live = sum(cpu - self._descendants.get(pid, 0.0) for pid, cpu in descendants_cpu().items())
            reaped = _reaped_children_cpu() - self._reaped
            self.cost = Cost(wall_s=wall, cpu_s=own + live + reaped)
        return self.cost

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def load_average() -> tuple[float, float, float]:
    """The machine's load average over 1, 5 and 15 minutes."""
    return os.getloadavg()
