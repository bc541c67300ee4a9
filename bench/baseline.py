"""The analysis baseline: the same `analyse()` over the same conversations in a plain `multiprocessing.Pool`.

Contract: `pool_analyse(conversations, pipeline, workers=…, chunksize=…)` starts a
`multiprocessing.Pool(workers)` (its start inside the timing, as a run's process step pays its
pool's start), maps `redflare.analysis.analyse.analyse` over the conversations (`imap_unordered`,
`chunksize` per task, outcomes pickled back whole) and returns a `PoolRun`: every analysed id with
its score, the failures, and the `Cost` (wall; CPU of this process and the workers, read before the
pool ends). Nothing is stored: this is the limit the engine's Process Conversations is held against.

The constants are the benchmark workflow's filter, sort and split (`bench.workflows`, `bench.bare`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from bench.cost import Cost, Meter
from redflare.analysis.analyse import analyse
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.conversation import Conversation

LOW_SCORE = 70.0
WORST = 20
SHARES = {"A": 50, "B": 30, "C": 20}
SEED = 7


@dataclass(frozen=True)
class PoolRun:
    scores: dict[str, float | None]  # conversation id → score, for every outcome without an error
    failed: int
    cost: Cost


def pool_analyse(
    conversations: Sequence[Conversation], pipeline: PipelineDefinition, *, workers: int, chunksize: int
) -> PoolRun:
    """Analyse every conversation in a fresh process pool; ids, scores and what it cost."""
    scores: dict[str, float | None] = {}
    failed = 0
    with Meter() as meter, multiprocessing.Pool(workers) as pool:
        for outcome in pool.imap_unordered(partial(analyse, pipeline), conversations, chunksize=chunksize):
            if outcome.ok:
                scores[outcome.conversation_id] = outcome.score
            else:
                failed += 1
        cost = meter.stop()  # while the workers live: their CPU goes with them
    return PoolRun(scores=scores, failed=failed, cost=cost)
