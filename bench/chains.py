"""Figures 3 and 4: what one more step costs, and how many trivial runs a warm process does per second.

Contract: `chain_rounds(scratch, rounds=…, repeats=…, burst_s=…, workers=…, batch=…)` prepares a store
of `CONVERSATIONS` conversations and keeps one engine open over it for every round (a warm process:
the chains are stored as drafts and run twice before any timing). Each round:
1. baseline — `bench.bare.bare_chain` (sqlite3 → polars, the same select and sorts) for the 2- and
   the 8-step chain, `repeats` times each, alternating; then as many 2-step chains as fit in `burst_s`;
2. ours — the stored 2- and 8-step chains (`bench.workflows.chain`) through `Runner.run_workflow`,
   `repeats` times each, alternating; then as many 2-step runs (the trivial run) as fit in `burst_s`.
Within the round: per-step cost = (median 8-step time − median 2-step time) ÷ 6, for each side; runs
per second = runs ÷ the burst's wall time, with CPU per run. Before the rounds, the last step's ids
of the engine's 8-step chain are compared by value with the bare chain's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.bare import bare_chain
from bench.cost import Meter
from bench.measure import DB_FILE, engine_runner, timed_rerun, timed_run
from bench.outputs import Agreement, run_outputs, same_ids
from bench.paired import RoundResult, Rounds, paired
from bench.stores import fresh_copy, prepare
from bench.workflows import chain
from redflare.services.execution import Runner

CONVERSATIONS = 10
SHORT, LONG = 2, 8


def _name(steps: int) -> str:
    return str(chain(steps)["name"])


def _wall(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _burst(work: Callable[[], Any], seconds: float) -> tuple[float, float]:
    """Runs of `work` back to back for about `seconds`: (runs per second, CPU ms per run)."""
    runs = 0
    with Meter() as meter:
        ends = time.perf_counter() + seconds
        while time.perf_counter() < ends:
            work()
            runs += 1
    cost = meter.stop()
    return runs / cost.wall_s, cost.cpu_s / runs * 1000


def _slope_ms(short: list[float], long: list[float]) -> float:
    return (statistics.median(long) - statistics.median(short)) / (LONG - SHORT) * 1000


def _trivial_run(runner: Runner) -> None:
    resource = runner.run_workflow(_name(SHORT))
    if resource["status"] != "completed":
        raise RuntimeError(f"trivial run {resource['status']}: {resource.get('error')}")


def chain_round(runner: Runner, database: Path, *, repeats: int, burst_s: float) -> RoundResult:
    bare: dict[int, list[float]] = {SHORT: [], LONG: []}
    ours: dict[int, list[float]] = {SHORT: [], LONG: []}
    for _ in range(repeats):
        for steps in (SHORT, LONG):
            bare[steps].append(_wall(partial(bare_chain, database, steps)))
    bare_rate, bare_cpu = _burst(lambda: bare_chain(database, SHORT), burst_s)
    for _ in range(repeats):
        for steps in (SHORT, LONG):
            ours[steps].append(timed_rerun(runner, _name(steps)).cost.wall_s)
    ours_rate, ours_cpu = _burst(lambda: _trivial_run(runner), burst_s)
    values = {
        "bare 2-step ms": statistics.median(bare[SHORT]) * 1000,
        "ours 2-step ms": statistics.median(ours[SHORT]) * 1000,
        "ours 8-step ms": statistics.median(ours[LONG]) * 1000,
        "bare per step ms": _slope_ms(bare[SHORT], bare[LONG]),
        "ours per step ms": _slope_ms(ours[SHORT], ours[LONG]),
        "bare runs/s": bare_rate,
        "ours runs/s": ours_rate,
        "bare cpu ms/run": bare_cpu,
        "ours cpu ms/run": ours_cpu,
    }
    return values, None


def chain_rounds(
    scratch: Path, *, rounds: int, repeats: int, burst_s: float, workers: int, batch: int
) -> tuple[Rounds, Agreement]:
    data_dir = fresh_copy(prepare(scratch / "chain-store", CONVERSATIONS), scratch / "chain")
    database = data_dir / DB_FILE
    with engine_runner(data_dir, workers=workers, batch_size=batch) as runner:
        first = timed_run(runner, chain(LONG))
        timed_run(runner, chain(SHORT))
        last = f"s{LONG}"
        agreement = same_ids({last: run_outputs(runner.store, first.run_id)[last]}, {last: bare_chain(database, LONG)})
        for _ in range(2):  # warm: both chains stored, caches filled
            timed_rerun(runner, _name(SHORT))
            timed_rerun(runner, _name(LONG))
        return paired(rounds, lambda: chain_round(runner, database, repeats=repeats, burst_s=burst_s)), agreement
