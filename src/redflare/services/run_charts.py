"""What a run's page draws: the distribution of score and sentiment over the conversations the run processed, with
the thresholds its Filter steps test them against.

- The conversations are those whose stored result this run wrote (`analysis_results.run_id`): exactly what the
  run's "Conversations processed" counts (a reused result is not processed again; a test run stores nothing).
- Each histogram has fixed bins over the value's whole range (`SCORE_BINS`, `SENTIMENT_BINS`): a bin holds
  `low <= value < high`, the last one its upper edge too; a value outside the range lands in the nearest end bin
  and a missing one is counted in `missing`, so the bins and `missing` add up to the processed count.
- Thresholds: every rule on `score` or `sentiment` with a number in the run's pinned definition's Filter steps
  (nested groups too), as `{step_id, field, operator, value}`; `between` gives one per bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import AnalysisResult
from redflare.domain.conditions import (
    LIST_VALUE_OPERATORS,
    ORDERED_OPERATORS,
    UNARY_OPERATORS,
    Condition,
    iter_rules,
)
from redflare.services.runs import visible_run
from redflare.services.users import Principal

SCORE_RANGE = (0.0, 100.0)
SCORE_BINS = 10
SENTIMENT_RANGE = (-1.0, 1.0)
SENTIMENT_BINS = 10
CHARTED = ("score", "sentiment")
_NUMERIC_OPERATORS = ORDERED_OPERATORS - LIST_VALUE_OPERATORS - UNARY_OPERATORS  # compare with one or two numbers


@dataclass(frozen=True)
class Histogram:
    """Counts per bin: bin i covers [edges[i], edges[i + 1]); `missing` counts values that were not there."""

    edges: list[float]
    counts: list[int]
    missing: int

    def as_dict(self) -> dict[str, Any]:
        return {"edges": self.edges, "counts": self.counts, "missing": self.missing}


def histogram(values: Iterable[float | None], *, low: float, high: float, bins: int) -> Histogram:
    """Values counted into `bins` equal bins over [low, high]; outside values in the end bins, None in `missing`."""
    width = (high - low) / bins
    counts = [0] * bins
    missing = 0
    for value in values:
        if value is None or math.isnan(value):
            missing += 1
            continue
        index = math.floor((value - low) / width)
        counts[min(bins - 1, max(0, index))] += 1
    edges = [round(low + width * i, 6) for i in range(bins + 1)]
    return Histogram(edges, counts, missing)


def filter_thresholds(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The numeric bounds the definition's Filter steps put on score and sentiment, in step order."""
    found: list[dict[str, Any]] = []
    for step in definition.get("steps", []):
        if step.get("type") != "filter":
            continue
        try:
            condition = Condition.model_validate((step.get("config") or {}).get("condition") or {})
        except ValidationError:
            continue  # a pinned definition was validated when published: nothing to draw from one that was not
        for _, rule in iter_rules(condition):
            if rule.field not in CHARTED or rule.operator not in _NUMERIC_OPERATORS:
                continue
            bounds = rule.value if isinstance(rule.value, list | tuple) else [rule.value]
            for bound in bounds:
                number = _number(bound)
                if number is not None:
                    threshold = {"field": rule.field, "operator": rule.operator.value, "value": number}
                    found.append({"step_id": step.get("id"), **threshold})
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def run_distribution(session: Session, *, principal: Principal, run_id: str) -> dict[str, Any]:
    """The run's processed conversations as score and sentiment histograms, with its Filters' thresholds."""
    run = visible_run(session, principal, run_id)
    rows: Sequence[tuple[float | None, float | None]] = [
        (score, sentiment)
        for score, sentiment in session.execute(
            select(AnalysisResult.score, AnalysisResult.sentiment).where(AnalysisResult.run_id == run.id)
        )
    ]
    return {
        "run_id": run.id,
        "processed": len(rows),
        "score": histogram((r[0] for r in rows), low=SCORE_RANGE[0], high=SCORE_RANGE[1], bins=SCORE_BINS).as_dict(),
        "sentiment": histogram(
            (r[1] for r in rows), low=SENTIMENT_RANGE[0], high=SENTIMENT_RANGE[1], bins=SENTIMENT_BINS
        ).as_dict(),
        "thresholds": filter_thresholds(run.definition),
    }
