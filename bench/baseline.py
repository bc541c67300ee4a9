"""The plain-Python baseline: the same analysis and the same set operations, with no engine around them.

Contract: `run_baseline(conversations, pipeline, workers=…, chunksize=…)` analyses every conversation
with `redflare.analysis.analyse.analyse` in a `multiprocessing.Pool(workers)` (`imap_unordered`,
`chunksize` conversations per task, the pool's start included in the time, as the engine's process
step includes starting its pool), then does what the benchmark workflow does after analysis with
plain lists: keep score < 70, sort those by score ascending and keep 20, and split all analysed
rows 50/30/20 after a seeded shuffle (largest-remainder sizes). It stores nothing: no database, no
Parquet — that is the point of comparison. Returns the seconds of each phase and the counts, so a
reader can check the baseline did the same work as the engine.
"""

from __future__ import annotations

import math
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from redflare.analysis.analyse import analyse
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.conversation import Conversation

LOW_SCORE = 70.0
WORST = 20
SHARES = {"A": 50, "B": 30, "C": 20}
SEED = 7


@dataclass
class BaselineResult:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def _rows(conversations: list[Conversation], outcomes: list[AnalysisOutcome]) -> list[dict[str, Any]]:
    """The analysed set as rows: metadata joined with results by id, like the engine's frame."""
    by_id = {o.conversation_id: o for o in outcomes if o.ok}
    rows = []
    for c in conversations:
        o = by_id.get(c.id)
        if o is None:
            continue
        rows.append(
            {
                "id": c.id,
                "agent": c.agent,
                "team": c.team,
                "started_at": c.started_at,
                "score": o.score,
                "sentiment": o.sentiment,
                "sentiment_label": o.sentiment_label,
                "credits": o.credits,
                **{f"criterion.{k}": v for k, v in o.criteria.items()},
            }
        )
    return rows


def _largest_remainder(total: int, shares: list[int]) -> list[int]:
    quotas = [total * s / sum(shares) for s in shares]
    sizes = [math.floor(q) for q in quotas]
    for g in sorted(range(len(shares)), key=lambda g: (sizes[g] - quotas[g], g))[: total - sum(sizes)]:
        sizes[g] += 1
    return sizes


def run_baseline(
    conversations: list[Conversation], pipeline: PipelineDefinition, *, workers: int, chunksize: int
) -> BaselineResult:
    """Analyse in a plain process pool, then filter, sort and distribute in plain Python."""
    result = BaselineResult()
    started = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        outcomes = list(pool.imap_unordered(partial(analyse, pipeline), conversations, chunksize=chunksize))
    rows = _rows(conversations, outcomes)
    result.seconds["process"] = time.perf_counter() - started

    started = time.perf_counter()
    low = [r for r in rows if r["score"] is not None and r["score"] < LOW_SCORE]
    result.seconds["filter"] = time.perf_counter() - started

    started = time.perf_counter()
    worst = sorted(low, key=lambda r: r["score"])[:WORST]
    result.seconds["sort"] = time.perf_counter() - started

    started = time.perf_counter()
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    sizes = _largest_remainder(len(rows), list(SHARES.values()))
    groups: dict[str, list[dict[str, Any]]] = {}
    at = 0
    for name, size in zip(SHARES, sizes, strict=True):
        groups[name] = [{**rows[i], "group": name} for i in sorted(order[at : at + size])]  # input order kept
        at += size
    result.seconds["distribute"] = time.perf_counter() - started

    result.counts = {"analysed": len(rows), "low": len(low), "worst": len(worst)}
    result.counts.update({f"group {name}": len(group) for name, group in groups.items()})
    return result
