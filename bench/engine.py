"""Engine benchmark (issue P7): the engine's figures, each beside a baseline doing the same work in this run.

Run from the repository root:  .venv/bin/python bench/engine.py [--sizes 1000,10000,100000] [--rounds 3]
                                   [--quick] [--batch-size 200] [--workers N] [--set-rows 1000000]
                               (or: .venv/bin/python -m bench.engine …)

Rounds are paired: each runs the baseline, then the engine, back to back, and a figure is the median
over rounds (at least 3) of the value taken within each round; every round's load average is
printed, since the machine is shared. Outputs are compared by value (ids, scores), every round.
One untimed run first starts the analysis forkserver (`bench.processing.warm_up`), so rounds are alike.
1. Process Conversations (default-qa) against `multiprocessing.Pool(workers)` over the same
   `analyse()` on the same conversations, by wall and by CPU per conversation (`bench.processing`);
2. the no-op DAG (select → process with a pipeline that does nothing → filter → sort, distribute)
   against a bare sqlite3 → polars script on the same store file (`bench.noop_dag`);
   both per N in `--sizes`, each round on a fresh copy of a store prepared once per N (`bench.stores`);
3. per-step overhead: the slope of run time from a 2- to an 8-step chain of trivial steps, and
4. trivial runs per second in a warm process (`bench.chains`);
5. peak memory of the whole process tree of `redflare run` over 100,000 conversations (`bench.peak_rss`:
   PSS summed, since an RSS sum counts the fork server's pages once per worker; the RSS sum printed
   beside it; measured at the largest N when 100,000 is not among the sizes, then with no target);
6. filter + sort (with limit) + distribute over `--set-rows` rows through the step kinds, beside
   bare polars (`bench.set_ops`).
Targets (`bench.results`) are printed beside each figure as met / not met, never asserted. The exit
status is 1 when outputs compared by value differ (the figures then compare different work), else 0.
`--quick` (N = 1,000, 100,000 set rows, shorter chains) is a smoke run of every piece: under two minutes.
`--only process,noop,rss,chains,sets` runs just those figures (default: all), to iterate on a few.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable for `bench.*`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl

from bench import report
from bench.chains import chain_rounds
from bench.cost import load_average
from bench.noop_dag import noop_rounds
from bench.outputs import Agreement
from bench.paired import Rounds
from bench.peak_rss import peak_rss
from bench.processing import process_rounds, warm_up
from bench.report import Column
from bench.results import (
    RSS_N,
    RUNS_PER_SECOND,
    STEP_OVERHEAD,
    Figure,
    Target,
    noop_target,
    process_target,
    rss_target,
    set_ops_target,
)
from bench.set_ops import set_ops_rounds
from bench.stores import Prepared, prepare

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_BATCH = 200  # the product's default (REDFLARE_BATCH_SIZE); the pool's chunksize is the same


@dataclass(frozen=True)
class Plan:
    sizes: list[int]
    rounds: int
    workers: int
    batch: int
    set_rows: int
    chain_repeats: int
    burst_s: float
    rss_n: int
    only: frozenset[str]  # the figures to run: FIGURES, or a subset of them (`--only`)

    def runs(self, figure: str) -> bool:
        return figure in self.only


FIGURES = ("process", "noop", "rss", "chains", "sets")


@dataclass
class Findings:
    figures: list[Figure]
    compared: list[Agreement]


PROCESS_COLUMNS = [
    Column("pool s", "pool s"),
    Column("step s", "step s"),
    Column("run s", "run s"),
    Column("wall ratio", "wall", suffix="×"),
    Column("run ratio", "run", suffix="×"),
    Column("pool cpu ms", "pool ms/conv", 3),
    Column("ours cpu ms", "ours ms/conv", 3),
    Column("cpu ratio", "CPU", suffix="×"),
]
NOOP_COLUMNS = [
    Column("bare s", "bare s", 3),
    Column("ours s", "engine s", 3),
    Column("overhead s", "overhead s", 3),
    Column("bare cpu s", "bare CPU s", 3),
    Column("ours cpu s", "engine CPU s", 3),
    Column("cpu ratio", "CPU engine÷bare", 1, "×"),
]
CHAIN_COLUMNS = [
    Column("bare 2-step ms", "bare 2 ms", 2),
    Column("ours 2-step ms", "engine 2 ms", 2),
    Column("ours 8-step ms", "engine 8 ms", 2),
    Column("bare per step ms", "bare ms/step", 3),
    Column("ours per step ms", "engine ms/step", 3),
    Column("bare runs/s", "bare runs/s", 0),
    Column("ours runs/s", "engine runs/s", 1),
    Column("bare cpu ms/run", "bare CPU ms", 2),
    Column("ours cpu ms/run", "engine CPU ms", 2),
]
SET_COLUMNS = [
    Column("bare filter s", "bare filter", 3),
    Column("bare sort s", "bare sort", 3),
    Column("bare distribute s", "bare distr.", 3),
    Column("bare s", "bare s", 3),
    Column("ours filter s", "filter", 3),
    Column("ours sort s", "sort", 3),
    Column("ours distribute s", "distribute", 3),
    Column("ours s", "steps s", 3),
    Column("ratio", "steps÷bare", 2, "×"),
    Column("cpu ratio", "CPU steps÷bare", 2, "×"),
]


def bench_size(n: int, plan: Plan, scratch: Path, findings: Findings) -> None:
    """Figures 1 and 2 (and 5 at its N) on one store of `n` conversations, prepared once."""
    folder = scratch / f"n{n}"
    if not {"process", "noop"} & plan.only and not (n == plan.rss_n and plan.runs("rss")):
        return
    prepared = prepare(folder, n)
    if plan.runs("process"):
        bench_process(prepared, plan, folder, findings)
    if plan.runs("noop"):
        bench_noop(prepared, plan, folder, findings)
    if n == plan.rss_n and plan.runs("rss"):
        bench_rss(prepared, plan, folder, findings)
    shutil.rmtree(folder)  # the pristine store and its pickle: hundreds of MB at 100,000


def bench_process(prepared: Prepared, plan: Plan, folder: Path, findings: Findings) -> None:
    n, workers = prepared.n, plan.workers
    report.section(f"1. Process Conversations (default-qa) vs multiprocessing.Pool({workers}) over analyse() · N={n:,}")
    report.say(f"  store prepared once (not timed): generate {prepared.generate_s:.2f} s, load {prepared.load_s:.2f} s")
    report.say("  pool s: Pool start + analyse() + outcomes back · step s: the process step as the run recorded it")
    report.say("  run s: the whole run_document (select, process, bookkeeping) · CPU: this process + workers,")
    report.say("  per conversation, the engine's over the whole run · ratios = pool ÷ engine, within each round")
    processed = process_rounds(prepared, folder, rounds=plan.rounds, workers=workers, batch=plan.batch)
    report.rounds_table(processed, PROCESS_COLUMNS)
    report.agreements(processed.agreements)
    target, name = process_target(n), f"Process Conversations ÷ Pool({workers})"
    figures = [
        _median(f"{name}, wall, N={n:,}", processed, "wall ratio", "{:.2f}×", target),
        _median(f"{name}, CPU/conv, N={n:,}", processed, "cpu ratio", "{:.2f}×", target),
    ]
    report.figure_lines(figures)
    findings.figures += figures
    findings.compared += processed.agreements


def bench_noop(prepared: Prepared, plan: Plan, folder: Path, findings: Findings) -> None:
    n = prepared.n
    report.section(f"2. No-op DAG through the engine vs a bare sqlite3 → polars script · N={n:,}")
    report.say("  engine s: run_document of select → process (noop) → filter → sort, distribute, same store file")
    noop = noop_rounds(prepared, folder, rounds=plan.rounds, workers=plan.workers, batch=plan.batch)
    report.rounds_table(noop, NOOP_COLUMNS)
    report.agreements(noop.agreements)
    figure = _median(f"No-op DAG overhead over bare, N={n:,}", noop, "overhead s", "{:+.3f} s", noop_target(n))
    report.figure_lines([figure])
    findings.figures.append(figure)
    findings.compared += noop.agreements


def bench_rss(prepared: Prepared, plan: Plan, folder: Path, findings: Findings) -> None:
    n = prepared.n
    report.section(f"5. Peak RSS of the process tree of `redflare run` (appendix A, default-qa) · N={n:,}")
    rss = peak_rss(prepared, folder, workers=plan.workers, batch=plan.batch)
    report.say(f"  one run: {rss.processed:,} conversations processed in {rss.wall_s:.1f} s (command wall time)")
    report.say(f"  RSS summed over the tree every 20 ms: {rss.peak_mb:,.0f} MB (pages the forkserver shares with its")
    pss = "not available here" if rss.pss_mb is None else f"{rss.pss_mb:,.0f} MB, the figure"
    report.say(f"  workers count once in each); PSS summed (each shared page split among its sharers): {pss}")
    if n != RSS_N:
        report.say(f"  (the target is for N={RSS_N:,}, not run here)")
    shown = f"{rss.figure_mb:,.0f} MB" + (" (PSS)" if rss.pss_mb is not None else " (RSS)")
    figure = Figure(f"Peak memory of a run, N={n:,}", rss.figure_mb, shown, rss_target(n))
    report.figure_lines([figure])
    findings.figures.append(figure)


def _median(name: str, rounds: Rounds, key: str, shown: str, target: Target | None) -> Figure:
    """The median of a per-round value as a figure, with the lowest and highest round beside it."""
    values = [r.values[key] for r in rounds]
    median = rounds.median(key)
    return Figure(
        name, median, shown.format(median), target, spread=f"{shown.format(min(values))} … {shown.format(max(values))}"
    )


def bench_chains(plan: Plan, scratch: Path, findings: Findings) -> None:
    report.section("3-4. Chains of trivial steps (select → sorts over 10 conversations), warm process")
    report.say(f"  per round: {plan.chain_repeats} runs of each chain, alternating (medians); then runs of the")
    report.say(f"  2-step chain back to back for {plan.burst_s:g} s · engine: Runner.run_workflow of the stored chain")
    chains, agreement = chain_rounds(
        scratch,
        rounds=plan.rounds,
        repeats=plan.chain_repeats,
        burst_s=plan.burst_s,
        workers=plan.workers,
        batch=plan.batch,
    )
    report.rounds_table(chains, CHAIN_COLUMNS)
    report.agreements([agreement], "checks")
    figures = [
        _median("Per-step overhead (slope 2 → 8 steps)", chains, "ours per step ms", "{:.2f} ms", STEP_OVERHEAD),
        _median("Trivial runs per second, warm process", chains, "ours runs/s", "{:,.1f}/s", RUNS_PER_SECOND),
    ]
    report.figure_lines(figures)
    findings.figures += figures
    findings.compared.append(agreement)


def bench_set_ops(plan: Plan, findings: Findings) -> None:
    rows = plan.set_rows
    report.section(f"6. Filter + sort (limit 20) + distribute over {rows:,} rows: step kinds vs bare polars")
    ops, build_s = set_ops_rounds(rows, rounds=plan.rounds)
    report.say(f"  set built once (not timed): {build_s:.2f} s · seconds per step, then the three together")
    report.rounds_table(ops, SET_COLUMNS)
    report.agreements(ops.agreements)
    figure = _median(f"Filter + sort + distribute, {rows:,} rows", ops, "ours s", "{:.3f} s", set_ops_target(rows))
    report.figure_lines([figure])
    findings.figures.append(figure)
    findings.compared += ops.agreements


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated N for figures 1 and 2 (default 1000,10000,100000)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds per figure (at least 3 to quote)")
    parser.add_argument("--quick", action="store_true", help="a smoke run of every piece: small sizes, short")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="conversations per analysis batch")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="analysis processes, both sides")
    parser.add_argument("--set-rows", type=int, help="rows for figure 6 (default 1,000,000; --quick 100,000)")
    parser.add_argument("--only", help=f"comma-separated figures to run, of {','.join(FIGURES)} (default all)")
    return parser.parse_args(argv)


def make_plan(args: argparse.Namespace) -> Plan:
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = [1_000] if args.quick else list(DEFAULT_SIZES)
    return Plan(
        sizes=sizes,
        rounds=args.rounds,
        workers=args.workers,
        batch=args.batch_size,
        set_rows=args.set_rows or (100_000 if args.quick else 1_000_000),
        chain_repeats=5 if args.quick else 15,
        burst_s=0.5 if args.quick else 2.0,
        rss_n=RSS_N if RSS_N in sizes else max(sizes),
        only=_only(args.only),
    )


def _only(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset(FIGURES)
    chosen = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = chosen - set(FIGURES)
    if unknown:
        raise SystemExit(f"--only: unknown figures {sorted(unknown)}; choose from {', '.join(FIGURES)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    plan = make_plan(parse_args(argv))
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    report.say(
        f"RedFlare engine benchmark · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · Python {platform.python_version()} · "
        f"polars {pl.__version__} · {os.cpu_count()} cores · {memory_gib:.0f} GiB · {plan.workers} workers · "
        f"batch {plan.batch} · {plan.rounds} paired rounds"
    )
    report.say("Each round runs the baseline, then the engine; a figure is the median of the per-round values.")
    report.say("load average at start (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in load_average()))
    findings = Findings([], [])
    with tempfile.TemporaryDirectory(prefix="redflare-bench-") as folder:
        scratch = Path(folder)
        warm_up(scratch, workers=plan.workers, batch=plan.batch)
        for n in plan.sizes:
            bench_size(n, plan, scratch, findings)
        if plan.runs("chains"):
            bench_chains(plan, scratch, findings)
    if plan.runs("sets"):
        bench_set_ops(plan, findings)
    report.summary(findings.figures, findings.compared)
    report.say("load average at end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in load_average()))
    return 0 if all(a.ok for a in findings.compared) else 1


if __name__ == "__main__":
    sys.exit(main())
