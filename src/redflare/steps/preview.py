"""How a step kind takes part in an estimate (the dry run of `services/dry_run.py`): nothing is analysed, charged,
sent or stored, and the dry run asks each kind rather than knowing the kinds itself.

A kind's `Preview` says which of four parts it plays:
- `selects`: its own `execute` runs on the real query (the context's spending ports refuse, so it cannot charge);
- `analyses`: the dry run prices what the kind names (`analysis`: pipeline and whether stored results are reused)
  instead of analysing;
- `transforms`: its pure `transform` runs on the sets (Filter, Sort, Distribute);
- `delivers`: its input passes through, counted; nothing is sent (Send Alert, Schedule Export).

`undecided` says how many rows awaiting analysis the step placed on values nobody knows before the analysis (a
Filter on score keeps between `rows_out` and `rows_out + undecided`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import polars as pl

from redflare.domain.columns import ANALYSIS_COLUMNS, CRITERION_PREFIX

C = TypeVar("C")
Role = Literal["selects", "analyses", "transforms", "delivers"]

# What a pipeline adds that an estimate cannot know before analysing (it knows the pipeline and the price).
_UNKNOWN_BEFORE_ANALYSIS = frozenset(ANALYSIS_COLUMNS) - {"pipeline", "credits"}


def unknown_before_analysis(fields: Iterable[str]) -> bool:
    """Whether any of these columns has no value until a pipeline analyses the conversation."""
    return any(name in _UNKNOWN_BEFORE_ANALYSIS or name.startswith(CRITERION_PREFIX) for name in fields)


@dataclass(frozen=True)
class Flow:
    """What went through a step in an estimate: its input's rows, and how many in and out await analysis."""

    rows_in: int
    pending_in: int
    pending_out: int


@dataclass(frozen=True)
class Analysis:
    """What an analysing step would send its set through: the pipeline, and whether stored results are reused."""

    pipeline: str
    reprocess: bool


def none_undecided(config: Any, flow: Flow) -> int:
    return 0


@dataclass(frozen=True)
class Preview(Generic[C]):
    role: Role
    transform: Callable[[C, pl.DataFrame], Mapping[str, pl.DataFrame]] | None = None
    """`transforms`: the step's pure function of its input set, one set per output port."""
    analysis: Callable[[C], Analysis] | None = None
    """`analyses`: what the dry run prices in its place."""
    undecided: Callable[[C, Flow], int] = none_undecided


DELIVERS: Preview[Any] = Preview(role="delivers")
