"""Figure 1: Process Conversations through the engine against a `multiprocessing.Pool(cores)` over `analyse()`.

Contract: `process_rounds(prepared, scratch, rounds=…, workers=…, batch=…)` runs paired rounds on
one prepared store. Each round:
1. baseline — the prepared conversations, read back from their pickle (not timed), analysed by
   `bench.baseline.pool_analyse` with default-qa; the list is dropped before the engine runs, so
   the engine's process does not carry it (nor its garbage collector scan it);
2. ours — a fresh copy of the store, then `select → process (default-qa)` through
   `Runner.run_document` (`bench.workflows.process_only`), with a process-pool executor of the same
   number of workers, started inside the run.
Within the round: wall ratio = baseline wall ÷ the process step's recorded time, and CPU ratio =
baseline CPU per conversation ÷ ours, ours counting the whole run (select and bookkeeping too, this
process and the workers) — the conservative side. The whole run's wall ratio is kept too. The
engine's stored results (ids and scores) are compared with the pool's outcomes by value.

`warm_up(scratch, …)` runs the engine once, untimed, over a few conversations before any round: it
starts the analysis forkserver, which lives as long as this process (as in a server), so no round
pays it and every round pays the same — a new pool. A cold `redflare run`, forkserver and imports
included, is what figure 5's command wall time shows.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

from bench.baseline import pool_analyse
from bench.measure import engine_runner, step_seconds, timed_run
from bench.outputs import same_scores, stored_scores
from bench.paired import RoundResult, Rounds, paired
from bench.stores import Prepared, fresh_copy, load_conversations, prepare
from bench.workflows import process_only
from redflare.analysis.catalog import load_builtin_pipelines

PIPELINE = "default-qa"
WARM_UP_CONVERSATIONS = 10


def warm_up(scratch: Path, *, workers: int, batch: int) -> None:
    """One untimed run over a few conversations: the forkserver starts here, not in a round."""
    data_dir = fresh_copy(prepare(scratch / "warm-store", WARM_UP_CONVERSATIONS), scratch / "warm")
    with engine_runner(data_dir, workers=workers, batch_size=batch) as runner:
        timed_run(runner, process_only(PIPELINE))


def process_round(prepared: Prepared, scratch: Path, *, workers: int, batch: int) -> RoundResult:
    """One paired round: the pool, then the engine; both sides' figures and the value comparison."""
    n = prepared.n
    conversations = load_conversations(prepared)
    pool = pool_analyse(conversations, load_builtin_pipelines()[PIPELINE], workers=workers, chunksize=batch)
    del conversations
    gc.collect()

    data_dir = fresh_copy(prepared, scratch / "process")
    try:
        with engine_runner(data_dir, workers=workers, batch_size=batch) as runner:
            run = timed_run(runner, process_only(PIPELINE))
            scores = stored_scores(runner.store, run.run_id)
    finally:
        shutil.rmtree(data_dir)
    step_s = step_seconds(run.resource, "analyse")
    base_cpu_ms = pool.cost.cpu_s / n * 1000
    ours_cpu_ms = run.cost.cpu_s / n * 1000
    values = {
        "pool s": pool.cost.wall_s,
        "step s": step_s,
        "run s": run.cost.wall_s,
        "wall ratio": pool.cost.wall_s / step_s,
        "run ratio": pool.cost.wall_s / run.cost.wall_s,
        "pool cpu ms": base_cpu_ms,
        "ours cpu ms": ours_cpu_ms,
        "cpu ratio": base_cpu_ms / ours_cpu_ms,
    }
    return values, same_scores(scores, pool.scores)


def process_rounds(prepared: Prepared, scratch: Path, *, rounds: int, workers: int, batch: int) -> Rounds:
    return paired(rounds, lambda: process_round(prepared, scratch, workers=workers, batch=batch))
