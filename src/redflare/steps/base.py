"""What a step kind is: a typed config model and an execute function, plus how it shapes columns."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

import polars as pl
from pydantic import BaseModel, ConfigDict

from redflare.domain.columns import BASE_COLUMNS
from redflare.domain.delivery import ExportRecord, OutgoingMessage
from redflare.domain.errors import StepError
from redflare.domain.validation import Columns, Environment
from redflare.domain.workflow import DEFAULT_PORT
from redflare.steps.context import StepContext
from redflare.steps.preview import DELIVERS, Preview

C = TypeVar("C", bound=BaseModel)
Problems = list[tuple[str, str]]


class StepConfig(BaseModel):
    """Base of every step config: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


@dataclass
class StepResult:
    """What a step hands back: one set per output port, its spend and its tally."""

    outputs: dict[str, pl.DataFrame]
    credits: Decimal = Decimal(0)
    processed: int = 0
    tally: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    messages: list[OutgoingMessage] = field(default_factory=list)
    """Emails to send: the engine puts them in the outbox with the step's result, in one transaction."""
    exports: list[ExportRecord] = field(default_factory=list)
    """Files the step stored through `StepContext.exports`; recorded with the step's result."""
    stopped_by: str | None = None
    """The limit that cut the step short ("call_limit" or "credits_limit"): recorded in its tally, shown on the run."""

    @classmethod
    def single(cls, frame: pl.DataFrame, **kwargs: Any) -> StepResult:
        return cls(outputs={DEFAULT_PORT: frame}, **kwargs)


Execute = Callable[[StepContext, C, pl.DataFrame | None], StepResult]
ColumnsOf = Callable[[C, Columns, Environment], tuple[Columns, Problems]]


def same_columns(config: Any, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    return inputs, []


def one_port(config: Any) -> list[str]:
    return [DEFAULT_PORT]


def no_summary(config: Any) -> str:
    return ""


@dataclass(frozen=True)
class PortsFrom:
    """Output ports named by a list in the config: one port per item, named by the item's `name` field
    (Distribute: `groups[].name`). Lets the canvas draw a port the moment a group is added, before the server
    answers; `ports_of` stays the authority (a test holds the two equal)."""

    list_field: str
    name_field: str


@dataclass(frozen=True)
class Look:
    """How the canvas draws a step kind: an icon (SVG path data on a 24×24 grid, drawn as a 2-px stroke) and a
    colour (a Mantine palette name) for its node's accent and its minimap box."""

    icon: str
    color: str


@dataclass(frozen=True)
class StepKind(Generic[C]):
    """A step plug-in. `execute` is synchronous; the engine runs it off the event loop."""

    type: str
    version: int
    title: str
    description: str
    config_model: builtins.type[C]
    execute: Execute[C]
    takes_input: bool = True
    ports_of: Callable[[C], list[str]] = one_port
    columns_of: ColumnsOf[C] = same_columns
    initial_config: Mapping[str, Any] = field(default_factory=dict)
    """What a step of this kind starts with when added on the canvas (a document without a key keeps the default)."""
    look: Look = Look(icon="M4 4h16v16H4z", color="gray")
    summarize: Callable[[C], str] = no_summary
    """One line on the step's node saying what it does with this config ("Top 10 by score ↑"); never raises."""
    ports_from: PortsFrom | None = None
    """None: the one port `out`. Else the config list that names the ports (see `PortsFrom`)."""
    shown_when: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    """Fields only some settings read: field key → {other field: the values that show it} (Distribute's `count`
    is read in counts mode only). Fields not listed are always shown."""
    preview: Preview[C] = DELIVERS
    """How the kind takes part in an estimate (see `steps/preview.py`)."""

    def parse(self, config: Mapping[str, Any]) -> C:
        return self.config_model.model_validate(dict(config))

    def ports(self, config: C) -> list[str]:
        return self.ports_of(config)

    def columns(self, config: C, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
        return self.columns_of(config, inputs, env)

    def summary(self, config: C) -> str:
        return self.summarize(config)

    def json_schema(self) -> dict[str, Any]:
        """The side panel's form: the config's JSON Schema with titles, descriptions and helper text."""
        return self.config_model.model_json_schema()


def check_input(problems: Problems) -> None:
    """Fail the step with one `StepError` listing every (path, message) problem; do nothing if none.

    Run time's counterpart of `columns_of`: a config that does not fit the columns it actually got
    stops the step rather than quietly producing nothing.
    """
    if problems:
        raise StepError("; ".join(f"{path}: {message}" for path, message in problems))


def base_columns() -> Columns:
    return dict(BASE_COLUMNS)


def helper(text: str) -> dict[str, Any]:
    """Extra JSON Schema for a field's helper text (shown under the field in the side panel)."""
    return {"helper": text}
