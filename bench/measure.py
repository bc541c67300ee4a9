"""Running a workflow through the real engine while measuring it: wall time, step times, step bodies, memory.

Contract:
- `TimedRunner` is `redflare.services.execution.Runner` whose engine runs the registered step kinds
  with each `execute` wrapped in a timer: `busy[step_id]` is the seconds the step's own body took
  (what the step kind computes), as opposed to the step's recorded time, which also holds the
  engine's work around it (reading inputs, writing Parquet outputs, status rows). Steps listed in
  `profile_steps` run their body under cProfile; `profiles[step_id]` holds the stats.
- `measure_run(runner, document)` runs the document once (document check, draft, run, resource),
  sampling peak memory, and returns a `Measured` run: wall seconds of the whole call, the run
  resource, and per step (recorded seconds from the resource's started_at/finished_at, body seconds).
- `open_store(folder)` makes a migrated SQLite store in `folder`, the way `redflare serve` does.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from bench.memory import PeakMemory, current_mb, descendants_cpu
from redflare.adapters.db.database import make_engine, migrate, session_factory
from redflare.adapters.db.store import Store
from redflare.engine.runner import RunEngine
from redflare.services.execution import Runner
from redflare.steps.base import StepKind, StepResult
from redflare.steps.context import StepContext
from redflare.steps.registry import STEP_KINDS


def open_store(folder: Path) -> Store:
    """A freshly migrated SQLite store (WAL, like the embedded default) with its artifacts folder."""
    engine = make_engine(f"sqlite:///{folder / 'redflare.db'}")
    migrate(engine)
    (folder / "artifacts").mkdir(exist_ok=True)
    return Store(engine=engine, sessions=session_factory(engine), artifacts_dir=folder / "artifacts")


@dataclass
class TimedRunner(Runner):
    busy: dict[str, float] = field(default_factory=dict)
    profile_steps: frozenset[str] = frozenset()
    profiles: dict[str, pstats.Stats] = field(default_factory=dict)

    def engine(self) -> RunEngine:
        kinds = {name: self._timed(kind) for name, kind in STEP_KINDS.items()}
        return RunEngine(self.store, self.clock, self.executor, kinds, batch_size=self.batch_size)

    def _timed(self, kind: StepKind[Any]) -> StepKind[Any]:
        inner = kind.execute

        def execute(ctx: StepContext, config: Any, frame: pl.DataFrame | None) -> StepResult:
            profiler = cProfile.Profile() if ctx.step_id in self.profile_steps else None
            started = time.perf_counter()
            try:
                if profiler is None:
                    return inner(ctx, config, frame)
                return profiler.runcall(inner, ctx, config, frame)
            finally:
                self.busy[ctx.step_id] = time.perf_counter() - started
                if profiler is not None:
                    self.profiles[ctx.step_id] = pstats.Stats(profiler)

        return replace(kind, execute=execute)


@dataclass
class StepTime:
    type: str
    recorded_s: float  # finished_at − started_at, as the run resource says
    body_s: float  # the step kind's execute alone
    rows_out: int | None
    outputs: dict[str, int]


@dataclass
class Measured:
    wall_s: float
    resource: dict[str, Any]
    steps: dict[str, StepTime]
    peak_mb: float
    floor_mb: float  # this process and its children just before the run
    main_cpu_s: float  # CPU of this process (every thread) during the run
    children_cpu_s: float  # CPU of its descendants (the analysis workers) during the run

    @property
    def runtime_s(self) -> float:
        return float(self.resource["runtime_s"])

    @property
    def busy_s(self) -> float:
        return sum(step.body_s for step in self.steps.values())


def _seconds(step: Mapping[str, Any]) -> float:
    started, finished = step.get("started_at"), step.get("finished_at")
    if not started or not finished:
        return float("nan")
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def measure_run(runner: TimedRunner, document: dict[str, Any], *, sample_memory: bool = True) -> Measured:
    """Run a document once through the engine, measured; raises if the run did not complete.

    Call it before closing the runner's executor: the workers' CPU is read while they are alive.
    """
    runner.busy.clear()
    floor = current_mb()
    children_before = descendants_cpu()
    main_before = time.process_time()
    peak = PeakMemory()
    with peak if sample_memory else nullcontext():  # off: no sampler thread competing with a tiny run
        started = time.perf_counter()
        resource = runner.run_document(document)
        wall = time.perf_counter() - started
    main_cpu = time.process_time() - main_before
    children_cpu = sum(cpu - children_before.get(pid, 0.0) for pid, cpu in descendants_cpu().items())
    if resource["status"] != "completed":
        failed = [f"{s['id']}: {s['error']}" for s in resource["steps"] if s.get("error")]
        raise RuntimeError(f"benchmark run {resource['status']}: {resource.get('error')} {failed}")
    steps = {
        s["id"]: StepTime(
            type=s["type"],
            recorded_s=_seconds(s),
            body_s=runner.busy.get(s["id"], float("nan")),
            rows_out=s["rows_out"],
            outputs=dict(s["outputs"] or {}),
        )
        for s in resource["steps"]
    }
    return Measured(
        wall_s=wall,
        resource=resource,
        steps=steps,
        peak_mb=peak.mb,
        floor_mb=floor,
        main_cpu_s=main_cpu,
        children_cpu_s=children_cpu,
    )
