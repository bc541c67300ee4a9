"""Figure 2: the engine's own cost on a whole DAG — the no-op DAG against a bare sqlite3 → polars script.

Contract: `noop_rounds(prepared, scratch, rounds=…, workers=…, batch=…)` runs paired rounds. Each
round makes a fresh copy of the store, then:
1. baseline — `bench.bare.bare_dag` on that file: select, filter, sort, split, by hand;
2. ours — the same file through `Runner.run_document` with `appendix_a(NOOP)`: select → process
   (a pipeline that does nothing and costs nothing) → filter → sort, and distribute; the whole call
   timed (check, draft, run, resource), as a user waits for it.
Within the round: overhead = ours − baseline, in seconds; both sides' CPU (this process and the
workers) and ours ÷ baseline. Every output's ids
(select, process, filter, sort, each group) are compared by value, in order.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.bare import bare_dag
from bench.cost import Meter
from bench.measure import DB_FILE, engine_runner, timed_run
from bench.outputs import run_outputs, same_ids
from bench.paired import RoundResult, Rounds, paired
from bench.stores import Prepared, fresh_copy
from bench.workflows import NOOP, appendix_a


def noop_round(prepared: Prepared, scratch: Path, *, workers: int, batch: int) -> RoundResult:
    """One paired round: the bare script, then the engine, on the same fresh store file."""
    data_dir = fresh_copy(prepared, scratch / "noop")
    try:
        with Meter() as meter:
            expected = bare_dag(data_dir / DB_FILE)
        bare = meter.stop()
        with engine_runner(data_dir, workers=workers, batch_size=batch) as runner:
            run = timed_run(runner, appendix_a(NOOP.name))
            outputs = run_outputs(runner.store, run.run_id)
    finally:
        shutil.rmtree(data_dir)
    values = {
        "bare s": bare.wall_s,
        "ours s": run.cost.wall_s,
        "overhead s": run.cost.wall_s - bare.wall_s,
        "bare cpu s": bare.cpu_s,
        "ours cpu s": run.cost.cpu_s,
        "cpu ratio": run.cost.cpu_s / bare.cpu_s,
    }
    return values, same_ids(outputs, expected)


def noop_rounds(prepared: Prepared, scratch: Path, *, rounds: int, workers: int, batch: int) -> Rounds:
    return paired(rounds, lambda: noop_round(prepared, scratch, workers=workers, batch=batch))
