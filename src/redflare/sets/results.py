"""Analysis results as set columns (SPEC appendix B: pipeline, score, sentiment … criterion.<name>)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from redflare.domain.columns import analysis_columns, criterion_column
from redflare.domain.conditions import ColumnKind
from redflare.sets.frames import schema_of

# Each record: (id, score, sentiment, sentiment_label, credits, talk_ratio, turns, silence_s, criteria dict,
# *MEASURE_FIELDS); the measures at the end are optional (a record of 9 leaves them empty).
SCALAR_FIELDS = ("id", "score", "sentiment", "sentiment_label", "credits", "talk_ratio", "turns", "silence_s")
MEASURE_FIELDS = ("longest_silence_s", "interruptions", "agent_response_s")


def result_columns(criteria: Sequence[str]) -> dict[str, ColumnKind]:
    return {"id": ColumnKind.TEXT, **analysis_columns(criteria)}


def results_frame(records: Iterable[Sequence[Any]], pipeline: str, criteria: Sequence[str]) -> pl.DataFrame:
    """A frame keyed by `id` with a pipeline's result columns, one row per record."""
    data: dict[str, list[Any]] = {name: [] for name in (*SCALAR_FIELDS, *MEASURE_FIELDS)}
    passed_by: dict[str, list[bool | None]] = {criterion_column(name): [] for name in criteria}
    for record in records:
        for name, value in zip(SCALAR_FIELDS, record[:8], strict=True):
            data[name].append(float(value) if name == "credits" else value)
        measures = record[9 : 9 + len(MEASURE_FIELDS)]
        for index, name in enumerate(MEASURE_FIELDS):
            data[name].append(measures[index] if index < len(measures) else None)
        outcome: dict[str, Any] = record[8] or {}
        for name in criteria:
            passed_by[criterion_column(name)].append(outcome.get(name))
    data["pipeline"] = [pipeline] * len(data["id"])
    data.update(passed_by)
    schema = schema_of(result_columns(criteria))
    return pl.DataFrame({name: data[name] for name in schema.names()}, schema=schema)
