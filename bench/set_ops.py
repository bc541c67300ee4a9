"""Filter, Sort and Distribute over a million-row conversation set: the steps' pure functions, timed.

Contract: `bench_set_ops(rows)` builds a processed set of `rows` rows (`bench.synthetic.frame`) and
times, best of `repeat`, each step function on the whole set:
- filter: score < 70 and channel in (chat, call), through `redflare.steps.filter.apply_filter`;
- sort: score ascending then started_at descending, no limit (a full sort), `apply_sort`;
- distribute: percentage 50/30/20 with a seed, `apply_distribute`; and the same with
  `balance_by: agent` (the costly variant);
- Parquet: writing the set the way the engine stores step outputs (`ArtifactFiles.write`, lz4)
  and reading it back.
Each is run on the full input rather than on the previous step's output, so every figure is for
`rows` rows. The "filter + sort + distribute" figure sums filter, sort and the balanced split.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.baseline import SEED, SHARES
from bench.synthetic import frame
from redflare.engine.artifacts import ArtifactFiles
from redflare.steps import distribute, sort
from redflare.steps import filter as filter_step


@dataclass
class SetOps:
    rows: int
    build_s: float
    seconds: dict[str, float]
    kept: dict[str, int]

    @property
    def filter_sort_distribute_s(self) -> float:
        return self.seconds["filter"] + self.seconds["sort"] + self.seconds["distribute (balance_by agent)"]


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of `repeat` runs of `work`, and what the last run returned."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_set_ops(rows: int = 1_000_000, *, repeat: int = 3) -> SetOps:
    started = time.perf_counter()
    data = frame(rows)
    build_s = time.perf_counter() - started

    low = filter_step.Config.model_validate(
        {
            "condition": {
                "combinator": "and",
                "rules": [
                    {"field": "score", "operator": "<", "value": 70},
                    {"field": "channel", "operator": "in", "value": ["chat", "call"]},
                ],
            }
        }
    )
    ordered = sort.Config.model_validate(
        {"by": [{"field": "score", "direction": "asc"}, {"field": "started_at", "direction": "desc"}]}
    )
    groups = [{"name": name, "share": share} for name, share in SHARES.items()]
    split = distribute.Config.model_validate({"mode": "percentage", "seed": SEED, "groups": groups})
    balanced = distribute.Config.model_validate(
        {"mode": "percentage", "seed": SEED, "groups": groups, "balance_by": "agent"}
    )

    seconds: dict[str, float] = {}
    kept: dict[str, int] = {}
    seconds["filter"], filtered = best_of(repeat, lambda: filter_step.apply_filter(data, low.condition))
    kept["filter"] = filtered.height
    seconds["sort"], sorted_frame = best_of(repeat, lambda: sort.apply_sort(data, ordered))
    kept["sort"] = sorted_frame.height
    seconds["distribute (seeded)"], parts = best_of(repeat, lambda: distribute.apply_distribute(data, split))
    kept["distribute (seeded)"] = sum(part.height for part in parts.values())
    seconds["distribute (balance_by agent)"], parts = best_of(
        repeat, lambda: distribute.apply_distribute(data, balanced)
    )
    kept["distribute (balance_by agent)"] = sum(part.height for part in parts.values())

    with tempfile.TemporaryDirectory() as folder:
        files = ArtifactFiles(Path(folder))
        seconds["parquet write"], (path, size) = best_of(repeat, lambda: files.write("run", "step", "out", data))
        seconds["parquet read"], back = best_of(repeat, lambda: ArtifactFiles.read(path))
        kept["parquet read"] = back.height
        kept["parquet MiB"] = size // (1024 * 1024)
    if not back.equals(data):
        raise AssertionError("the Parquet round trip changed the set")
    return SetOps(rows=rows, build_s=build_s, seconds=seconds, kept=kept)
