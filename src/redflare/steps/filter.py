"""Filter: keep the conversations that match a condition tree.

Contract:
- The condition is the shared model (`redflare.domain.conditions`), with its documented semantics:
  a rule on a missing value never matches, negated rules and negated groups included.
- Rows keep their input order and every column; the tally says how many were kept and dropped.
- A rule on a column the input does not have (or an operator or value that does not fit the
  column) is a validation issue at publish time (`columns_of`, paths like
  `condition.rules[0].field`) and a `StepError` at run time, never a silently empty set.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from pydantic import Field

from redflare.domain.conditions import ColumnKind, Group, check_against_columns, referenced_fields
from redflare.domain.validation import Columns, Environment
from redflare.domain.workflow import DEFAULT_PORT
from redflare.sets.conditions import to_polars
from redflare.sets.frames import columns_of as frame_columns
from redflare.sets.frames import empty_set
from redflare.steps.base import Look, Problems, StepConfig, StepKind, StepResult, check_input, helper
from redflare.steps.context import StepContext
from redflare.steps.preview import Flow, Preview, unknown_before_analysis
from redflare.steps.wording import clipped, condition_text

TYPE = "filter"
VERSION = 1


class Config(StepConfig):
    condition: Group = Field(
        title="Condition",
        description="Keep the conversations that match; drop the rest.",
        json_schema_extra=helper(
            "Build AND / OR groups of rules on the input's columns, e.g. score < 70. A rule on an empty "
            "value never matches, even a negative one: agent != Dana skips conversations with no agent."
        ),
    )


def condition_problems(config: Config, columns: Mapping[str, ColumnKind]) -> Problems:
    """Problems of the condition against the columns it will see, with paths relative to the config."""
    return [(f"condition.{path}", message) for path, message in check_against_columns(config.condition, columns)]


def columns_of(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    return inputs, condition_problems(config, inputs)


def apply_filter(frame: pl.DataFrame, condition: Group) -> pl.DataFrame:
    """The rows of `frame` that match `condition`, in order; raises `InvalidInput` if it does not fit."""
    return frame.filter(to_polars(condition, frame_columns(frame)))


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    frame = empty_set() if frame is None else frame
    check_input(condition_problems(config, frame_columns(frame)))
    kept = apply_filter(frame, config.condition)
    return StepResult.single(kept, tally={"kept": kept.height, "dropped": frame.height - kept.height})


def summarize(config: Config) -> str:
    """`score < 70 or sentiment_label is negative`."""
    return clipped(condition_text(config.condition)) or "Keeps every conversation"


def transform(config: Config, frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    check_input(condition_problems(config, frame_columns(frame)))
    return {DEFAULT_PORT: apply_filter(frame, config.condition)}


def undecided(config: Config, flow: Flow) -> int:
    # A kept row is kept whatever its scores turn out to be; a dropped one might not have been.
    if unknown_before_analysis(referenced_fields(config.condition)):
        return flow.pending_in - flow.pending_out
    return 0


KIND: StepKind[Config] = StepKind(
    type=TYPE,
    version=VERSION,
    title="Filter",
    description="Keep the conversations that match a condition.",
    config_model=Config,
    execute=execute,
    columns_of=columns_of,
    look=Look(icon="M4 5h16l-6 8v5l-4 2v-7z", color="orange"),
    summarize=summarize,
    preview=Preview(role="transforms", transform=transform, undecided=undecided),
)
