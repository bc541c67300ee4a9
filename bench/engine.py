"""Engine benchmark (issue P1): the appendix-A workflow through the real engine, next to plain Python.

Run from the repository root:  .venv/bin/python bench/engine.py [--sizes 1000,10000] [--quick]
                               (or: .venv/bin/python -m bench.engine …)
                                   [--repeat 2] [--batch-size 500] [--profile] [--set-rows 1000000]

For each N (default 1,000 / 10,000 / 100,000), `--repeat` times in turn:
- a fresh SQLite store in a temp folder (migrated, built-in pipelines seeded, plus the `noop`
  pipeline) gets N seeded synthetic conversations (`bench.synthetic`, loaded with
  `upsert_conversations`; generating and loading are reported, not timed as part of any run);
- engine: select → process (default-qa) → filter → sort, and distribute (`bench.workflows`), one
  `Runner.run_document` call with `ProcessPoolAnalysisExecutor(os.cpu_count())`; per-step seconds
  from the run resource (started_at → finished_at) and, in brackets, the step kind's body alone;
- engine + noop: the same graph with a pipeline that does nothing and costs nothing, so the
  process step shows what the engine spends per conversation around the analysis;
- baseline: the same N conversations, regenerated in memory, analysed by a plain
  `multiprocessing.Pool(os.cpu_count())` and filtered, sorted and split in plain lists
  (`bench.baseline`), in this same process.
The figure is engine process-step rate ÷ baseline process rate, each side's best repeat (the
machine is shared; every repeat's own ratio is printed too). Both sides start a new pool inside
their timing. Peak memory is this process plus its children (RSS, sampled every 20 ms), the worst
repeat. CPU seconds of this process and of the workers are printed, since on 2 cores the process
feeding the workers competes with them for a core.

Then the 1,000,000-row set operations (`bench.set_ops`) and the engine's own overhead on a 7-step
run over 10 conversations: the median over 20 runs (after 2 warm-up runs on a warm pool) of the
whole `run_document` wall time minus the step bodies on the graph's critical path.

Batch size: 500 by default. At N=10,000 on 2 cores, 200 / 500 / 1,000 gave process-step rates
within the run-to-run noise (engine ÷ baseline 79 % / 83 % / 81 %); 500 keeps per-batch
transactions and hand-overs rare without a long tail on the last batch. `--batch-size` overrides.
`--profile` prints cProfile of the process step's body (its thread) for the largest N.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable for `bench.*`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl

from bench.baseline import run_baseline
from bench.measure import Measured, TimedRunner, measure_run, open_store
from bench.memory import PeakMemory
from bench.report import print_overhead, print_set_ops, print_size, print_targets
from bench.results import BaselineRun, Overhead, SizeResult
from bench.set_ops import bench_set_ops
from bench.synthetic import INTEGRATION, conversations, iter_conversations
from bench.workflows import NOOP, appendix_a, seven_steps
from redflare.adapters.db.conversations import ensure_integration, upsert_conversations
from redflare.adapters.db.pipelines import save_pipeline
from redflare.adapters.db.store import Store
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.domain.ports import SystemClock
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.services.bootstrap import ensure_builtins

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_BATCH = 500
LOAD_CHUNK = 10_000
OVERHEAD_RUNS = 20
WORKERS = os.cpu_count() or 1


def import_seconds() -> float:
    """Importing what a run needs, in a fresh interpreter (this one has it imported already)."""
    code = (
        "import time; t = time.perf_counter(); "
        "import redflare.services.execution, redflare.engine.executors, redflare.services.bootstrap; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def prepare_store(folder: Path, n: int) -> tuple[Store, float, float]:
    """A fresh store with the built-in and no-op pipelines and `n` conversations; (store, generate s, load s)."""
    store = open_store(folder)
    clock = SystemClock()
    ensure_builtins(store, clock)
    with store.transaction() as session:
        save_pipeline(session, NOOP, now=clock.now())
        integration_id = ensure_integration(session, name=INTEGRATION).id
    generate_s = load_s = 0.0
    stream = iter_conversations(n)
    while True:  # in chunks, so the whole list never sits in memory during the engine runs
        started = time.perf_counter()
        chunk = list(islice(stream, LOAD_CHUNK))
        generate_s += time.perf_counter() - started
        if not chunk:
            return store, generate_s, load_s
        started = time.perf_counter()
        with store.transaction() as session:
            upsert_conversations(session, integration_id=integration_id, conversations=chunk, now=clock.now())
        load_s += time.perf_counter() - started


def engine_run(store: Store, document: dict[str, object], batch: int, *, profile: bool = False) -> Measured:
    executor = ProcessPoolAnalysisExecutor(WORKERS)
    runner = TimedRunner(store, SystemClock(), executor, batch_size=batch)
    if profile:
        runner.profile_steps = frozenset({"analyse"})
    try:
        measured = measure_run(runner, document)
    finally:
        executor.close()
    if profile and "analyse" in runner.profiles:
        print("\n--- cProfile of the process step's body (its thread only), top 35 by cumulative time ---")
        runner.profiles["analyse"].sort_stats("cumulative").print_stats(35)
        print("--- top 25 by own time ---")
        runner.profiles["analyse"].sort_stats("tottime").print_stats(25)
    return measured


def baseline_run(n: int, batch: int) -> BaselineRun:
    items = conversations(n)  # regenerated, so the list never sits in memory during an engine run
    pipeline = load_builtin_pipelines()["default-qa"]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers are reaped children
    main_before = time.process_time()
    with PeakMemory() as peak:
        result = run_baseline(items, pipeline, workers=WORKERS, chunksize=batch)
    main_cpu = time.process_time() - main_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (after.ru_utime + after.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
    return BaselineRun(result, peak.mb, main_cpu, workers_cpu)


def bench_size(n: int, batch: int, *, repeat: int, profile: bool) -> SizeResult:
    """Engine, engine + noop and baseline, `repeat` times in turn, each engine pair on a fresh store."""
    result = SizeResult(n, 0.0, 0.0, [], [], [])
    for attempt in range(repeat):
        with tempfile.TemporaryDirectory(prefix=f"redflare-bench-{n}-") as folder:
            store, result.generate_s, result.load_s = prepare_store(Path(folder), n)
            try:
                result.engines.append(
                    engine_run(store, appendix_a("default-qa"), batch, profile=profile and not attempt)
                )
                result.noops.append(engine_run(store, appendix_a(NOOP.name), batch))
            finally:
                store.close()
        result.baselines.append(baseline_run(n, batch))
    return result


def critical_path(document: dict[str, object], busy: dict[str, float]) -> float:
    """The longest chain of step-body seconds through the graph (steps are listed in topological order)."""
    longest: dict[str, float] = {}
    steps = document["steps"]
    assert isinstance(steps, list)
    for step in steps:
        before = [longest[ref.split(".", 1)[0]] for ref in step["after"]]
        longest[step["id"]] = busy.get(step["id"], 0.0) + max(before, default=0.0)
    return max(longest.values())


def bench_overhead(runs: int = OVERHEAD_RUNS) -> Overhead:
    document = seven_steps()
    with tempfile.TemporaryDirectory(prefix="redflare-bench-overhead-") as folder:
        store, _, _ = prepare_store(Path(folder), 10)
        executor = ProcessPoolAnalysisExecutor(WORKERS)
        runner = TimedRunner(store, SystemClock(), executor, batch_size=DEFAULT_BATCH)
        try:
            for _ in range(2):  # warm-up: start the pool, fill caches
                measure_run(runner, document, sample_memory=False)
            measured = [measure_run(runner, document, sample_memory=False) for _ in range(runs)]
        finally:
            executor.close()
            store.close()
    return Overhead(
        wall_s=statistics.median(m.wall_s for m in measured),
        runtime_s=statistics.median(m.runtime_s for m in measured),
        critical_busy_s=statistics.median(
            critical_path(document, {k: s.body_s for k, s in m.steps.items()}) for m in measured
        ),
        busy_s=statistics.median(m.busy_s for m in measured),
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES), help="comma-separated N")
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="conversations per analysis batch")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side per N; the best counts")
    parser.add_argument("--profile", action="store_true", help="cProfile the process step of the largest N")
    parser.add_argument("--set-rows", type=int, default=1_000_000, help="rows for the set-operation figures")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [1_000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"RedFlare engine benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python {platform.python_version()} · "
        f"polars {pl.__version__} · {WORKERS} cores · {memory_gib:.0f} GiB"
    )
    print(f"import of the engine, fresh interpreter (not part of any run): {import_seconds():.2f} s")
    results = []
    for n in sizes:
        result = bench_size(n, args.batch_size, repeat=args.repeat, profile=args.profile and n == max(sizes))
        print_size(result, args.batch_size, WORKERS)
        results.append(result)
    ops = bench_set_ops(args.set_rows)
    print_set_ops(ops)
    overhead = bench_overhead()
    print_overhead(overhead, OVERHEAD_RUNS)
    print_targets(results, ops, overhead)
    return 0


if __name__ == "__main__":
    sys.exit(main())
