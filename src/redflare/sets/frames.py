"""The polars shape of a conversation set, and the union of several sets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from redflare.domain.columns import BASE_COLUMNS
from redflare.domain.conditions import ColumnKind

DTYPES: Mapping[ColumnKind, pl.DataType] = {
    ColumnKind.TEXT: pl.String(),
    ColumnKind.NUMBER: pl.Float64(),
    ColumnKind.BOOLEAN: pl.Boolean(),
    ColumnKind.DATETIME: pl.Datetime("us", "UTC"),
    ColumnKind.TEXT_LIST: pl.List(pl.String()),
}

# Whole-number measures keep an integer type in frames; their kind is still "number".
INTEGER_COLUMNS = frozenset({"turns"})


def dtype_of(name: str, kind: ColumnKind) -> pl.DataType:
    return pl.Int64() if name in INTEGER_COLUMNS else DTYPES[kind]


def schema_of(columns: Mapping[str, ColumnKind]) -> pl.Schema:
    return pl.Schema({name: dtype_of(name, kind) for name, kind in columns.items()})


def empty_set(columns: Mapping[str, ColumnKind] = BASE_COLUMNS) -> pl.DataFrame:
    """A set with these columns and no rows (a step's output when nothing matched)."""
    return pl.DataFrame(schema=schema_of(columns))


def kind_of(dtype: pl.DataType) -> ColumnKind:
    """The column kind a polars dtype stands for."""
    if dtype == pl.Boolean:
        return ColumnKind.BOOLEAN
    if dtype.is_numeric():
        return ColumnKind.NUMBER
    if isinstance(dtype, pl.Datetime):
        return ColumnKind.DATETIME
    if isinstance(dtype, pl.List):
        return ColumnKind.TEXT_LIST
    return ColumnKind.TEXT


def columns_of(frame: pl.DataFrame) -> dict[str, ColumnKind]:
    return {name: kind_of(dtype) for name, dtype in frame.schema.items()}


def union_richest(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Union of sets by conversation id, keeping for each id the row with the most filled columns.

    Row order: first appearance across the inputs in the order given.
    """
    if not frames:
        return empty_set()
    if len(frames) == 1:
        return frames[0]
    stacked = pl.concat(list(frames), how="diagonal_relaxed").with_row_index("__order")
    filled = pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in stacked.columns if c != "__order"])
    first_seen = pl.col("__order").min().over("id")
    return (
        stacked.with_columns(__filled=filled, __first=first_seen)
        .sort(["__filled", "__order"], descending=[True, False])
        .unique(subset="id", keep="first", maintain_order=True)
        .sort("__first")
        .drop("__order", "__filled", "__first")
    )
