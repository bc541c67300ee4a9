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


# A compact row, as Process Conversations keeps each fresh result: the scalars (credits as a float), the measures,
# then one value per criterion, in the pipeline's order.
ROW_FIELDS = (*SCALAR_FIELDS, *MEASURE_FIELDS)


def rows_frame(rows: Sequence[Sequence[Any]], pipeline: str, criteria: Sequence[str]) -> pl.DataFrame:
    """The frame `results_frame` makes of the same results, from compact rows (`ROW_FIELDS`, then criteria).

    Polars builds it from the rows in one call: no Python work per value (100,000 rows: a few tens of ms against
    about a second value by value)."""
    schema = schema_of(result_columns(criteria))
    as_read = pl.Schema(
        {name: schema[name] for name in ROW_FIELDS} | {criterion_column(name): pl.Boolean() for name in criteria}
    )
    frame = pl.DataFrame(rows, schema=as_read, orient="row")
    return frame.with_columns(pl.lit(pipeline, dtype=schema["pipeline"]).alias("pipeline")).select(schema.names())


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
