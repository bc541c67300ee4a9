"""Distribute: split a conversation set into named groups, one output port per group.

Every group's rows flow out of the port named like the group (`split.Reviewer A`), each row
tagged with the group's name in the `group` column. Every port exists even when it gets no row.
Outputs keep the input's row order. Rows no group takes leave through no port; the tally counts
them as `unassigned` (a name groups therefore cannot take).

Modes:
- `counts`: in input order, the first `count` rows go to the first group, the next `count` to the
  next, and so on (so "the 10 worst to A" after a Sort works); a group short of rows gets what is
  left. The one group with `rest: true` takes every remaining row, wherever it is listed; without
  one, leftover rows go to no group.
- `percentage`: sizes are the largest-remainder (Hamilton) rounding of n × share / 100, ties to
  the group listed first: they always sum to n and each is within 1 of its quota. Shares are taken
  as the decimals written and must add up to 100 (within 1e-6); rounding is exact (fractions, not
  floats). Rows go to groups in blocks, in input order.
- `rules`: each row goes to the first group whose condition it matches (conditions compile
  through `redflare.sets.conditions.to_polars`). Rows matching none go to the `otherwise` group,
  or to no group. `otherwise` names one of the groups, and that group has no condition of its
  own; every other group needs one.
- `round_robin`: the i-th row goes to the (i mod k)-th group.

`seed` (counts, percentage, round_robin): rows are first shuffled with this seed, then handed out
as above — a random split that is the same on every run (the shuffle depends on nothing but the
seed and the row count).

`balance_by` (counts, percentage, round_robin): group sizes, and which rows get a group at all,
stay exactly as without it; only who goes where changes, so that each group gets a fair mix of
the column's values (e.g. of agents): in every stratum, each group's count is its proportional
share rounded down or up. Missing values form one stratum; list columns (tags) cannot be balanced
on.

The arithmetic — largest remainder, the seeded shuffle, the balanced assignment, with its method
and fairness guarantee — lives in `redflare.sets.allocation`; this module is the step around it:
config, validation, ports, columns and execute.

Deterministic: the same input, config and seed give the same split, always.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import StrEnum

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from redflare.domain.columns import GROUP_COLUMN
from redflare.domain.conditions import ColumnKind, Group, check_against_columns, referenced_fields
from redflare.domain.validation import Columns, Environment
from redflare.sets.allocation import (
    balanced,
    counted_sizes,
    even_sizes,
    in_blocks,
    largest_remainder,
    round_robin,
    seeded_order,
)
from redflare.sets.conditions import to_polars
from redflare.sets.frames import columns_of as frame_columns
from redflare.sets.frames import empty_set
from redflare.steps.base import Look, PortsFrom, Problems, StepConfig, StepKind, StepResult, check_input, helper
from redflare.steps.context import StepContext
from redflare.steps.preview import Flow, Preview, unknown_before_analysis
from redflare.steps.wording import condition_text, joined, value_text

TYPE = "distribute"
VERSION = 1
UNASSIGNED = "unassigned"
SHARE_TOLERANCE = 1e-6
_SLOT = "__distribute_slot"
Loc = tuple[str | int, ...]


class Mode(StrEnum):
    COUNTS = "counts"
    PERCENTAGE = "percentage"
    RULES = "rules"
    ROUND_ROBIN = "round_robin"


# The group fields each mode reads; any other one set on a group is an error, not silently ignored.
_GROUP_FIELDS: Mapping[Mode, frozenset[str]] = {
    Mode.COUNTS: frozenset({"count", "rest"}),
    Mode.PERCENTAGE: frozenset({"share"}),
    Mode.RULES: frozenset({"condition"}),
    Mode.ROUND_ROBIN: frozenset(),
}


class GroupConfig(BaseModel):
    """One group: its name (the output port) and what it takes in the step's mode."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=64,
        title="Group name",
        description="Names the group's output port and fills the `group` column of its rows.",
        json_schema_extra=helper('e.g. "Reviewer A". Unique within the step; connect next steps to this port.'),
    )
    count: int | None = Field(
        default=None,
        ge=0,
        title="Count",
        description="Counts mode: how many conversations this group takes.",
        json_schema_extra=helper("Taken in order: the first group gets the first rows."),
    )
    rest: bool = Field(
        default=False,
        title="Takes the rest",
        description="Counts mode: this group takes every conversation the counted groups leave.",
        json_schema_extra=helper("At most one group; it has no count."),
    )
    share: float | None = Field(
        default=None,
        gt=0,
        le=100,
        allow_inf_nan=False,
        title="Share (%)",
        description="Percentage mode: this group's share of the conversations.",
        json_schema_extra=helper("Shares add up to 100; sizes are rounded by largest remainder."),
    )
    condition: Group | None = Field(
        default=None,
        title="Condition",
        description="Rules mode: the conversations this group takes.",
        json_schema_extra=helper("The first group whose condition matches wins."),
    )

    @field_validator("name")
    @classmethod
    def _trimmed(cls, name: str) -> str:
        if name != name.strip():
            raise ValueError("a group name cannot start or end with a space")
        return name


class Config(StepConfig):
    mode: Mode = Field(
        title="Split by",
        description="How conversations are split: counts, percentage, rules or round-robin.",
        json_schema_extra=helper('Counts: "10 to A, 10 to B, rest to C". Percentage: 50/30/20. Rules: first match.'),
    )
    groups: list[GroupConfig] = Field(
        min_length=1,
        max_length=100,
        title="Groups",
        description="The groups, in order; each is an output port.",
        json_schema_extra=helper("Order matters: counts fill in order, rules are tried in order."),
    )
    otherwise: str | None = Field(
        default=None,
        title="Otherwise",
        description="Rules mode: the group (one of the groups, without a condition) taking unmatched rows.",
        json_schema_extra=helper("Leave empty to let unmatched conversations go nowhere."),
    )
    balance_by: str | None = Field(
        default=None,
        min_length=1,
        title="Balance by",
        description="A column whose values each group should get a fair mix of.",
        json_schema_extra=helper("e.g. agent: every reviewer gets conversations from every agent. Not for rules."),
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=2**63 - 1,
        title="Seed",
        description="Shuffle the conversations with this seed before splitting.",
        json_schema_extra=helper("Same seed, same split. Leave empty to split in input order. Not for rules."),
    )

    @model_validator(mode="after")
    def _fits_mode(self) -> Config:
        problems = config_problems(self)
        if problems:
            details = [
                InitErrorDetails(
                    type=PydanticCustomError("distribute", "{message}", {"message": message}), loc=loc, input=None
                )
                for loc, message in problems
            ]
            raise ValidationError.from_exception_data(type(self).__name__, details)
        return self


def config_problems(config: Config) -> list[tuple[Loc, str]]:
    """What the config's fields say against each other, each at its location in the config."""
    problems: list[tuple[Loc, str]] = []
    first_use: dict[str, int] = {}
    for index, group in enumerate(config.groups):
        key = group.name.casefold()
        if key == UNASSIGNED:
            problems.append((("groups", index, "name"), f"{UNASSIGNED!r} names the rows no group takes; pick another"))
        elif key in first_use:
            problems.append((("groups", index, "name"), f"groups[{first_use[key]}] is already named {group.name!r}"))
        else:
            first_use[key] = index
        for name in ("count", "rest", "share", "condition"):
            if getattr(group, name) not in (None, False) and name not in _GROUP_FIELDS[config.mode]:
                problems.append((("groups", index, name), f"{name} does not apply to {config.mode.value} mode"))
    if config.mode is Mode.COUNTS:
        problems.extend(_counts_problems(config.groups))
    elif config.mode is Mode.PERCENTAGE:
        problems.extend(_percentage_problems(config.groups))
    if config.mode is Mode.RULES:
        problems.extend(_rules_problems(config))
    elif config.otherwise is not None:
        problems.append((("otherwise",), "only rules mode has an otherwise group"))
    return problems


def _counts_problems(groups: Sequence[GroupConfig]) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    rest_groups = [index for index, group in enumerate(groups) if group.rest]
    problems.extend((("groups", i, "rest"), "only one group can take the rest") for i in rest_groups[1:])
    for index, group in enumerate(groups):
        if group.rest and group.count is not None:
            problems.append((("groups", index, "count"), "the rest group takes what is left; remove its count"))
        elif not group.rest and group.count is None:
            problems.append((("groups", index, "count"), "give a count, or rest: true to take what is left"))
    return problems


def _percentage_problems(groups: Sequence[GroupConfig]) -> list[tuple[Loc, str]]:
    missing = [index for index, group in enumerate(groups) if group.share is None]
    if missing:
        return [(("groups", index, "share"), "give a share (a percentage)") for index in missing]
    total = math.fsum(group.share for group in groups if group.share is not None)
    if abs(total - 100) > SHARE_TOLERANCE:
        return [(("groups",), f"shares add up to {total:g}, not 100")]
    return []


def _rules_problems(config: Config) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if config.otherwise is not None and config.otherwise not in {group.name for group in config.groups}:
        problems.append((("otherwise",), f"no group is named {config.otherwise!r}"))
    for index, group in enumerate(config.groups):
        if group.name == config.otherwise and group.condition is not None:
            message = "the otherwise group takes the rows no rule matched; remove its condition"
            problems.append((("groups", index, "condition"), message))
        elif group.name != config.otherwise and group.condition is None:
            problems.append((("groups", index, "condition"), "give a condition, or name this group as otherwise"))
    if config.balance_by is not None:
        problems.append((("balance_by",), "rules decide each row's group, so there is nothing to balance"))
    if config.seed is not None:
        problems.append((("seed",), "rules decide each row's group, so there is nothing to shuffle"))
    return problems


def ports_of(config: Config) -> list[str]:
    return [group.name for group in config.groups]


def input_problems(config: Config, columns: Mapping[str, ColumnKind]) -> Problems:
    """Problems of the columns the config reads (balance_by, rule conditions) against the input's."""
    problems: Problems = []
    if config.balance_by is not None:
        kind = columns.get(config.balance_by)
        if kind is None:
            problems.append(("balance_by", f"unknown column {config.balance_by!r}"))
        elif kind is ColumnKind.TEXT_LIST:
            problems.append(("balance_by", f"cannot balance by list column {config.balance_by!r}"))
    for index, group in enumerate(config.groups):
        if group.condition is not None:
            found = check_against_columns(group.condition, columns)
            problems.extend((f"groups[{index}].condition.{path}", message) for path, message in found)
    return problems


def columns_of(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    return {**inputs, GROUP_COLUMN: ColumnKind.TEXT}, input_problems(config, inputs)


def group_sizes(config: Config, total: int) -> list[int]:
    """How many of `total` rows each group gets (counts, percentage, round_robin)."""
    groups = config.groups
    if config.mode is Mode.PERCENTAGE:
        return largest_remainder(total, [group.share or 0.0 for group in groups])
    if config.mode is Mode.ROUND_ROBIN:
        return even_sizes(total, len(groups))
    if config.mode is Mode.COUNTS:
        return counted_sizes(total, [None if group.rest else (group.count or 0) for group in groups])
    raise ValueError("rules mode has no sizes: each row's group depends on its values")


def assign_groups(frame: pl.DataFrame, config: Config) -> pl.Series:
    """Each input row's group index (Int32, null: no group), in input order."""
    check_input(input_problems(config, frame_columns(frame)))
    if config.mode is Mode.RULES:
        return frame.select(_rules_expression(config, frame_columns(frame)).alias(_SLOT)).to_series()
    total = frame.height
    sizes = group_sizes(config, total)
    order = None if config.seed is None else seeded_order(total, config.seed)
    if config.balance_by is not None:
        strata = frame.get_column(config.balance_by)
        labels = balanced(strata if order is None else strata.gather(order), sizes)
    elif config.mode is Mode.ROUND_ROBIN:
        labels = round_robin(total, len(sizes))
    else:
        # counts and percentage: blocks in list order, but the rest group's block comes after the
        # counted ones, wherever it is listed
        labels = in_blocks(sizes, total, last={g for g, group in enumerate(config.groups) if group.rest})
    if order is None:
        return labels.alias(_SLOT)
    # labels follow the processing order: the k-th label belongs to input row order[k]. Scattering
    # puts each where it belongs in one linear pass (no sort for the inverse permutation).
    return pl.repeat(None, total, dtype=pl.Int32, eager=True).scatter(order, labels).alias(_SLOT)


def apply_distribute(frame: pl.DataFrame, config: Config) -> dict[str, pl.DataFrame]:
    """One frame per group (every group present, maybe empty), each with its `group` column set, in input order."""
    tagged = frame.with_columns(assign_groups(frame, config))
    # One pass over the set (not a filter per group); rows of no group (a null slot) go nowhere.
    parts = tagged.partition_by(_SLOT, as_dict=True, maintain_order=True, include_key=False)
    empty = tagged.clear().drop(_SLOT)
    return {
        group.name: parts.get((index,), empty).with_columns(pl.lit(group.name, dtype=pl.String).alias(GROUP_COLUMN))
        for index, group in enumerate(config.groups)
    }


def _rules_expression(config: Config, columns: Mapping[str, ColumnKind]) -> pl.Expr:
    names = [group.name for group in config.groups]
    fallback = None if config.otherwise is None else names.index(config.otherwise)
    slot = pl.lit(fallback, dtype=pl.Int32)
    # Built from the last rule back, so the first matching group is the outermost `when`.
    for index in reversed(range(len(config.groups))):
        condition = config.groups[index].condition
        if condition is not None:
            slot = pl.when(to_polars(condition, columns)).then(pl.lit(index, dtype=pl.Int32)).otherwise(slot)
    return slot


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    source = empty_set() if frame is None else frame
    outputs = apply_distribute(source, config)
    tally = {name: part.height for name, part in outputs.items()}
    tally[UNASSIGNED] = source.height - sum(tally.values())
    return StepResult(outputs=outputs, tally=tally)


def summarize(config: Config) -> str:
    """`Reviewer A 50% · Reviewer B 50%`, `A 10 · B the rest`, `Urgent if score < 50 · Normal otherwise`,
    `Round-robin: A · B`, each followed by `balanced by agent` / `shuffled` when set."""
    if config.mode is Mode.PERCENTAGE:
        parts = [f"{g.name} {value_text(g.share)}%" if g.share is not None else g.name for g in config.groups]
    elif config.mode is Mode.COUNTS:
        parts = [
            f"{g.name} {'the rest' if g.rest else f'{g.count:,}' if g.count is not None else ''}".strip()
            for g in config.groups
        ]
    elif config.mode is Mode.RULES:
        parts = [
            f"{g.name} otherwise"
            if g.name == config.otherwise
            else f"{g.name} if {condition_text(g.condition)}"
            if g.condition is not None and g.condition.rules
            else g.name
            for g in config.groups
        ]
    else:
        parts = ["Round-robin: " + ", ".join(g.name for g in config.groups)]
    balance = f"balanced by {config.balance_by}" if config.balance_by and config.mode is not Mode.RULES else ""
    shuffled = "shuffled" if config.seed is not None and config.mode is not Mode.RULES else ""
    return joined([*parts, balance, shuffled])


def undecided(config: Config, flow: Flow) -> int:
    # Which group a row lands in depends on what the split reads; a score nobody knows yet decides nothing.
    read = {config.balance_by} if config.balance_by else set()
    for group in config.groups:
        read |= referenced_fields(group.condition) if group.condition is not None else set()
    return flow.pending_in if unknown_before_analysis(read) else 0


SPLITTING_MODES = (Mode.COUNTS.value, Mode.PERCENTAGE.value, Mode.ROUND_ROBIN.value)

KIND: StepKind[Config] = StepKind(
    type=TYPE,
    version=VERSION,
    title="Distribute",
    description="Split conversations into groups by counts, percentages, rules or round-robin.",
    config_model=Config,
    execute=execute,
    ports_of=ports_of,
    columns_of=columns_of,
    look=Look(icon="M4 12h6M10 12l4-6h6M10 12l4 6h6M17 3l3 3-3 3M17 15l3 3-3 3", color="teal"),
    summarize=summarize,
    ports_from=PortsFrom(list_field="groups", name_field="name"),
    # Which fields each mode reads (`_GROUP_FIELDS` for a group's own); the side panel shows only those.
    shown_when={
        "count": {"mode": (Mode.COUNTS.value,)},
        "rest": {"mode": (Mode.COUNTS.value,)},
        "share": {"mode": (Mode.PERCENTAGE.value,)},
        "condition": {"mode": (Mode.RULES.value,)},
        "otherwise": {"mode": (Mode.RULES.value,)},
        "balance_by": {"mode": SPLITTING_MODES},
        "seed": {"mode": SPLITTING_MODES},
    },
    preview=Preview(
        role="transforms", transform=lambda config, frame: apply_distribute(frame, config), undecided=undecided
    ),
)
