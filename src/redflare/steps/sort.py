"""Sort: order a conversation set by one or more columns, then keep the top N (optional).

Contract:
- Keys apply in the order listed; each is ascending or descending.
- Missing values always sort last, whatever the direction: null, and NaN in number columns,
  so "lowest score first" never starts with conversations that have no score.
- Stable: rows equal on every key keep their input order.
- Text compares by Unicode code point (case-sensitive), booleans false before true, date-times
  chronologically. A list column (`tags`) has no order and cannot be a key.
- A key naming a column the set does not have is a validation issue at publish time
  (`columns_of`) and a `StepError` at run time, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator

from redflare.domain.conditions import ColumnKind
from redflare.domain.validation import Columns, Environment
from redflare.domain.workflow import DEFAULT_PORT
from redflare.sets.frames import columns_of as frame_columns
from redflare.sets.frames import empty_set
from redflare.steps.base import Look, Problems, StepConfig, StepKind, StepResult, check_input, helper
from redflare.steps.context import StepContext
from redflare.steps.preview import Flow, Preview, unknown_before_analysis
from redflare.steps.wording import joined

TYPE = "sort"
VERSION = 1


class SortKey(BaseModel):
    """One sort key: a column and a direction."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(
        min_length=1,
        title="Column",
        description="The column to sort by.",
        json_schema_extra=helper("Any column of the input except a list (tags), e.g. score or started_at."),
    )
    direction: Literal["asc", "desc"] = Field(
        default="asc",
        title="Direction",
        description="Ascending (lowest, oldest, A first) or descending.",
        json_schema_extra=helper("Empty values always go last, in either direction."),
    )


class Config(StepConfig):
    by: list[SortKey] = Field(
        min_length=1,
        title="Sort by",
        description="The columns to sort by, most important first.",
        json_schema_extra=helper("Later columns break ties of earlier ones; rows still tied keep their order."),
    )
    limit: int | None = Field(
        default=None,
        ge=1,
        title="Keep the top",
        description="How many rows to keep after sorting.",
        json_schema_extra=helper("Leave empty to keep every row."),
    )

    @field_validator("by")
    @classmethod
    def _each_column_once(cls, keys: list[SortKey]) -> list[SortKey]:
        seen: set[str] = set()
        for key in keys:
            if key.field in seen:
                raise ValueError(f"column {key.field!r} is listed twice")
            seen.add(key.field)
        return keys


def key_problems(config: Config, columns: Mapping[str, ColumnKind]) -> Problems:
    """Problems of the sort keys against the columns they will see, as (path, message) pairs."""
    problems: Problems = []
    for index, key in enumerate(config.by):
        kind = columns.get(key.field)
        if kind is None:
            problems.append((f"by[{index}].field", f"unknown column {key.field!r}"))
        elif kind is ColumnKind.TEXT_LIST:
            problems.append((f"by[{index}].field", f"cannot sort by list column {key.field!r}"))
    return problems


def columns_of(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    return inputs, key_problems(config, inputs)


def apply_sort(frame: pl.DataFrame, config: Config) -> pl.DataFrame:
    """The frame sorted by the config's keys (missing values last, stable), cut to `limit`."""
    check_input(key_problems(config, frame_columns(frame)))
    keys = [_key(key.field, frame.schema[key.field]) for key in config.by]
    descending = [key.direction == "desc" for key in config.by]
    if config.limit is not None and config.limit < frame.height:
        return _top(frame, keys, descending, config.limit)
    return frame.sort(keys, descending=descending, nulls_last=True, maintain_order=True)


def _top(frame: pl.DataFrame, keys: list[pl.Expr], descending: list[bool], limit: int) -> pl.DataFrame:
    """The first `limit` rows of the full sort, without sorting the whole frame: a top-k pick (linear in the
    rows), then a sort of those few. The row number is the last key, so rows tied on every key keep their
    input order (a top-k pick alone is not stable); bottom_k prefers values over nulls in both directions."""
    row = "__row"
    while row in frame.columns:
        row += "_"
    by = [*keys, pl.col(row)]
    order = [*descending, False]
    picked = frame.with_row_index(row).bottom_k(limit, by=by, reverse=order)
    return picked.sort(by, descending=order, nulls_last=True).drop(row)


def _key(name: str, dtype: pl.DataType) -> pl.Expr:
    # NaN is "no value" here too; polars would otherwise put it above +inf (first when descending).
    return pl.col(name).fill_nan(None) if dtype.is_float() else pl.col(name)


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    return StepResult.single(apply_sort(empty_set() if frame is None else frame, config))


ARROWS = {"asc": "↑", "desc": "↓"}


def summarize(config: Config) -> str:
    """`Top 10 by score ↑`, `By agent ↑, score ↓` (↑ ascending: lowest, oldest, A first)."""
    keys = ", ".join(f"{key.field} {ARROWS[key.direction]}" for key in config.by)
    return joined([f"Top {config.limit:,} by {keys}" if config.limit is not None else f"By {keys}"])


def transform(config: Config, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {DEFAULT_PORT: apply_sort(frame, config)}


def undecided(config: Config, flow: Flow) -> int:
    # Sorting alone places no row; cutting to the top N on scores nobody knows yet does.
    cut = config.limit is not None and flow.rows_in > config.limit
    return flow.pending_in if cut and unknown_before_analysis(key.field for key in config.by) else 0


KIND: StepKind[Config] = StepKind(
    type=TYPE,
    version=VERSION,
    title="Sort",
    description="Order conversations by one or more columns and keep the top N.",
    config_model=Config,
    execute=execute,
    columns_of=columns_of,
    look=Look(icon="M7 4v16M4 17l3 3 3-3M17 20V4M14 7l3-3 3 3", color="cyan"),
    summarize=summarize,
    preview=Preview(role="transforms", transform=transform, undecided=undecided),
)
