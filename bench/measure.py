"""Running a workflow through the real engine while measuring it: wall time, CPU, step times, memory.

Contract:
- `engine_runner(data_dir, workers=…, batch_size=…)` opens the store in a data folder and yields a
  `redflare.services.execution.Runner` with a process-pool analysis executor, as `redflare run`
  builds one. The pool is not warmed: it starts inside the first run (a run pays its start, as a
  CLI run does and as the baseline's pool does) and is shut down, with the runner's backend and the
  store, when the block ends. The one place that knows how to build the engine: adapt it here when
  the engine's construction changes.
- `timed_run(runner, document)` runs a document once (`run_document`: check, draft, run, resource)
  and returns an `EngineRun`: the run resource and the `Cost` of the call (wall, and CPU of this
  process and its workers, read before the pool shuts down). Raises unless the run completed.
  `timed_rerun(runner, name)` does the same for a stored workflow (`run_workflow`).
- `step_seconds(resource, step_id)`: a step's recorded time (started_at → finished_at).
- `TimedRunner` is the Runner given the registered step kinds with each `execute` wrapped in a
  timer: `busy[step_id]` is the seconds the step's own body took (what the step kind computes), as
  opposed to the step's recorded time, which also holds the engine's work around it. Steps listed
  in `profile_steps` run their body under cProfile; `profiles[step_id]` holds the stats.
  `measure_run(runner, document)` runs it once, sampling peak memory, and returns a `Measured` run.
- `open_store(folder)` makes (or opens) a migrated SQLite store in `folder`, the way `redflare serve` does.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from bench.cost import Cost, Meter
from bench.memory import PeakMemory, current_mb, descendants_cpu
from redflare.adapters.db.batches import WORKER_PRELOAD
from redflare.adapters.db.database import make_engine, migrate, session_factory
from redflare.adapters.db.store import Store
from redflare.domain.ports import SystemClock
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.services.execution import Runner
from redflare.steps.base import StepKind, StepResult
from redflare.steps.context import StepContext
from redflare.steps.registry import STEP_KINDS

DB_FILE = "redflare.db"  # the name `redflare serve` gives the SQLite file in its data folder


def open_store(folder: Path) -> Store:
    """A migrated SQLite store (WAL, like the embedded default) with its artifacts folder."""
    engine = make_engine(f"sqlite:///{folder / DB_FILE}")
    migrate(engine)
    (folder / "artifacts").mkdir(exist_ok=True)
    return Store(engine=engine, sessions=session_factory(engine), artifacts_dir=folder / "artifacts")


@contextmanager
def engine_runner(data_dir: Path, *, workers: int, batch_size: int) -> Iterator[Runner]:
    """The engine as `redflare run` builds it, over the store in `data_dir`; closed at the end of the block."""
    store = open_store(data_dir)
    executor = ProcessPoolAnalysisExecutor(workers, preload=WORKER_PRELOAD)
    try:
        with Runner(store, SystemClock(), executor, batch_size=batch_size) as runner:
            yield runner
    finally:
        executor.close()
        store.close()


@dataclass(frozen=True)
class EngineRun:
    resource: dict[str, Any]
    cost: Cost

    @property
    def run_id(self) -> str:
        return str(self.resource["id"])


def _completed(resource: dict[str, Any]) -> dict[str, Any]:
    if resource["status"] != "completed":
        failed = [f"{s['id']}: {s['error']}" for s in resource["steps"] if s.get("error")]
        raise RuntimeError(f"benchmark run {resource['status']}: {resource.get('error')} {failed}")
    return resource


def timed_run(runner: Runner, document: dict[str, Any]) -> EngineRun:
    """One `run_document` call, its wall and CPU (this process and the workers); raises unless it completed."""
    with Meter() as meter:
        resource = runner.run_document(document)
    return EngineRun(_completed(resource), meter.stop())


def timed_rerun(runner: Runner, name: str) -> EngineRun:
    """One `run_workflow` call on a stored workflow, timed like `timed_run`."""
    with Meter() as meter:
        resource = runner.run_workflow(name)
    return EngineRun(_completed(resource), meter.stop())


def step_seconds(resource: Mapping[str, Any], step_id: str) -> float:
    """A step's time as the run recorded it (started_at → finished_at)."""
    step = next(s for s in resource["steps"] if s["id"] == step_id)
    return _seconds(step)


@dataclass
class TimedRunner(Runner):
    busy: dict[str, float] = field(default_factory=dict)
    profile_steps: frozenset[str] = frozenset()
    profiles: dict[str, pstats.Stats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.kinds = {name: self._timed(kind) for name, kind in STEP_KINDS.items()}

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
    _completed(resource)
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
