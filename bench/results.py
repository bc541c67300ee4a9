"""The engine benchmark's figures and the targets issue P7 sets for them (printed beside, never asserted).

Contract: a `Figure` is one printed number with its target: `met` is True or False when the figure
was measured where the target applies, and None when it has no target there (another N) or was not
measured. The `*_target` functions hold the issue's numbers in one place:
- Process Conversations ≥ 0.9× a Pool(cores) over the same `analyse()` at N = 10,000 and 100,000,
  ≥ 0.7× at 1,000, by wall and by CPU per conversation;
- the no-op DAG ≤ 0.15 s over the bare sqlite3 → polars script at 10,000, ≤ 1 s at 100,000;
- per-step overhead < 1 ms (slope from 2 to 8 steps); ≥ 300 trivial runs per second, warm;
- peak RSS of the process tree of a 100,000-conversation run < 400 MB (10^6 bytes);
- filter + sort (with limit) + distribute over 1,000,000 rows < 0.5 s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    text: str  # "≥ 0.90×"
    met: Callable[[float], bool]


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None  # None: not measured
    shown: str  # the value as printed, with its unit
    target: Target | None  # None: no target for this figure at this size
    spread: str = ""  # the lowest and highest per-round value, where the figure is a median of rounds

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.target.met(self.value)

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        if self.target is None:
            return "no target here"
        return "met" if self.met else "not met"


def at_least(value: float, text: str) -> Target:
    return Target(text=f"≥ {text}", met=lambda measured: measured >= value)


def at_most(value: float, text: str) -> Target:
    return Target(text=f"≤ {text}", met=lambda measured: measured <= value)


def below(value: float, text: str) -> Target:
    return Target(text=f"< {text}", met=lambda measured: measured < value)


def process_target(n: int) -> Target | None:
    """Engine ÷ Pool(cores), by wall and by CPU per conversation."""
    if n in (10_000, 100_000):
        return at_least(0.9, "0.90×")
    if n == 1_000:
        return at_least(0.7, "0.70×")
    return None


def noop_target(n: int) -> Target | None:
    """Seconds the engine's no-op DAG takes over the bare script."""
    if n == 10_000:
        return at_most(0.15, "+0.15 s")
    if n == 100_000:
        return at_most(1.0, "+1 s")
    return None


STEP_OVERHEAD = below(1.0, "1 ms per step")  # milliseconds
RUNS_PER_SECOND = at_least(300, "300 runs/s")
RSS_N = 100_000
RSS = below(400.0, "400 MB")  # MB of 10^6 bytes
SET_ROWS = 1_000_000
SET_OPS = below(0.5, "0.5 s")  # seconds


def rss_target(n: int) -> Target | None:
    return RSS if n == RSS_N else None


def set_ops_target(rows: int) -> Target | None:
    return SET_OPS if rows == SET_ROWS else None
