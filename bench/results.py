"""What the engine benchmark measured, per N and for the overhead run, and the issue's targets.

Contract: `SizeResult` keeps every repeat of one N; its headline figures (`engine`, `noop`,
`baseline`, `ratio`) take each side's best repeat — on a shared machine the least disturbed run is
the one closest to what the code costs — and `ratios` keeps each repeat's own engine ÷ baseline so
the spread stays visible. Peak memory takes the worst repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.baseline import BaselineResult
from bench.measure import Measured

TARGET_N = 100_000
TARGET_RATIO = 0.80  # engine process-step rate ÷ plain multiprocessing rate, at TARGET_N
TARGET_SET_OPS_S = 1.0  # filter + sort + distribute over a million rows
TARGET_OVERHEAD_S = 0.050  # the engine's own time in a 7-step run
TARGET_PEAK_BYTES = 1.5e9  # at TARGET_N


@dataclass
class BaselineRun:
    result: BaselineResult
    peak_mb: float
    main_cpu_s: float
    workers_cpu_s: float


@dataclass
class SizeResult:
    """Every repeat of one N; the figures are each side's best repeat (least disturbed by other load)."""

    n: int
    generate_s: float
    load_s: float
    engines: list[Measured]
    noops: list[Measured]
    baselines: list[BaselineRun]

    @property
    def engine(self) -> Measured:
        return min(self.engines, key=lambda m: m.steps["analyse"].recorded_s)

    @property
    def noop(self) -> Measured:
        return min(self.noops, key=lambda m: m.steps["analyse"].recorded_s)

    @property
    def baseline(self) -> BaselineRun:
        return min(self.baselines, key=lambda b: b.result.seconds["process"])

    @property
    def engine_rate(self) -> float:
        return self.n / self.engine.steps["analyse"].recorded_s

    @property
    def baseline_rate(self) -> float:
        return self.n / self.baseline.result.seconds["process"]

    @property
    def ratio(self) -> float:
        return self.engine_rate / self.baseline_rate

    @property
    def ratios(self) -> list[float]:
        """Engine ÷ baseline process rate within each repeat."""
        return [
            b.result.seconds["process"] / e.steps["analyse"].recorded_s
            for e, b in zip(self.engines, self.baselines, strict=True)
        ]

    @property
    def peak_mb(self) -> float:
        return max(m.peak_mb for m in self.engines)

    @property
    def engine_cpu_ms(self) -> float:
        """CPU per conversation over the whole engine run, this process and the workers together."""
        return (self.engine.main_cpu_s + self.engine.children_cpu_s) / self.n * 1000

    @property
    def baseline_cpu_ms(self) -> float:
        return (self.baseline.main_cpu_s + self.baseline.workers_cpu_s) / self.n * 1000


@dataclass
class Overhead:
    wall_s: float  # median run_document wall time
    runtime_s: float  # median run runtime (run started → finished, as recorded)
    critical_busy_s: float  # median step-body time along the critical path
    busy_s: float  # median sum of all step bodies

    @property
    def overhead_s(self) -> float:
        return self.wall_s - self.critical_busy_s
