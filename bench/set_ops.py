"""Figure 6: filter + sort (with limit) + distribute over a million rows, through the step kinds beside bare polars.

Contract: `set_ops_rounds(rows, rounds=…)` builds a processed set of `rows` rows once
(`bench.synthetic.frame`, not timed) and runs paired rounds over it, appendix A's shape:
filter (score < 70 and channel in chat, call) → sort that (score ascending, then started_at
descending, keep 20), and distribute the whole set 50/30/20 with a seed. Each round:
1. baseline — the same three in bare polars (`filter`, a stable `sort` + `head`,
   `bench.bare.seeded_split`);
2. ours — the registered step kinds' `execute` (`redflare.steps.registry.STEP_KINDS`), configs
   parsed beforehand, as the engine calls them (these three kinds read nothing from their context:
   they are given one that fails loudly if they ever do).
Within the round: both sides' seconds (each step's and the total) and ours ÷ bare, by wall and by CPU
(polars works on several threads: CPU of this process, every thread); the ids of the
filter's, the sort's and every group's output are compared by value, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast

import polars as pl

from bench.bare import seeded_split
from bench.baseline import LOW_SCORE, SEED, SHARES, WORST
from bench.cost import Meter
from bench.outputs import same_ids
from bench.paired import RoundResult, Rounds, paired
from bench.synthetic import frame
from redflare.steps.base import StepResult
from redflare.steps.context import StepContext
from redflare.steps.registry import STEP_KINDS

CHANNELS = ["chat", "call"]
FILTER = {
    "condition": {
        "combinator": "and",
        "rules": [
            {"field": "score", "operator": "<", "value": LOW_SCORE},
            {"field": "channel", "operator": "in", "value": CHANNELS},
        ],
    }
}
SORT = {"by": [{"field": "score", "direction": "asc"}, {"field": "started_at", "direction": "desc"}], "limit": WORST}
DISTRIBUTE = {"mode": "percentage", "seed": SEED, "groups": [{"name": n, "share": s} for n, s in SHARES.items()]}


class _NoContext:
    """A step context that fails loudly: filter, sort and distribute must not need one."""

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"the set-operation benchmark gives steps no context, and a step read ctx.{name}")


NO_CONTEXT = cast(StepContext, _NoContext())


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


Side = tuple[dict[str, float], float, dict[str, list[str]]]  # seconds per step, CPU seconds, ids per output


def _bare(data: pl.DataFrame) -> Side:
    seconds: dict[str, float] = {}
    with Meter() as meter:
        seconds["filter"], low = _timed(
            lambda: data.filter((pl.col("score") < LOW_SCORE) & pl.col("channel").is_in(CHANNELS))
        )
        seconds["sort"], worst = _timed(
            lambda: low.sort(
                ["score", "started_at"], descending=[False, True], nulls_last=True, maintain_order=True
            ).head(WORST)
        )
        seconds["distribute"], groups = _timed(lambda: seeded_split(data, SHARES, SEED))
    ids = {"low": low["id"].to_list(), "worst": worst["id"].to_list()}
    ids.update({f"split.{name}": group["id"].to_list() for name, group in groups.items()})
    return seconds, meter.stop().cpu_s, ids


def _kinds(data: pl.DataFrame) -> Side:
    filter_kind, sort_kind, distribute_kind = STEP_KINDS["filter"], STEP_KINDS["sort"], STEP_KINDS["distribute"]
    configs = (filter_kind.parse(FILTER), sort_kind.parse(SORT), distribute_kind.parse(DISTRIBUTE))
    seconds: dict[str, float] = {}
    low: StepResult
    with Meter() as meter:
        seconds["filter"], low = _timed(lambda: filter_kind.execute(NO_CONTEXT, configs[0], data))
        seconds["sort"], worst = _timed(lambda: sort_kind.execute(NO_CONTEXT, configs[1], low.outputs["out"]))
        seconds["distribute"], groups = _timed(lambda: distribute_kind.execute(NO_CONTEXT, configs[2], data))
    ids = {"low": low.outputs["out"]["id"].to_list(), "worst": worst.outputs["out"]["id"].to_list()}
    ids.update({f"split.{port}": part["id"].to_list() for port, part in groups.outputs.items()})
    return seconds, meter.stop().cpu_s, ids


def set_ops_round(data: pl.DataFrame) -> RoundResult:
    bare_s, bare_cpu, expected = _bare(data)
    ours_s, ours_cpu, got = _kinds(data)
    values = {f"bare {step} s": s for step, s in bare_s.items()}
    values.update({f"ours {step} s": s for step, s in ours_s.items()})
    values["bare s"], values["ours s"] = sum(bare_s.values()), sum(ours_s.values())
    values["ratio"] = values["ours s"] / values["bare s"]
    values["cpu ratio"] = ours_cpu / bare_cpu
    return values, same_ids(got, expected)


def set_ops_rounds(rows: int, *, rounds: int) -> tuple[Rounds, float]:
    """Paired rounds over a set of `rows` rows; and the seconds building the set took (not timed in any round)."""
    build_s, data = _timed(lambda: frame(rows))
    return paired(rounds, lambda: set_ops_round(data)), build_s
