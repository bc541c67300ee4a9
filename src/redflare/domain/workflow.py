"""The workflow document of SPEC appendix A: the one wire format of API, CLI and canvas.

Unknown keys are errors. Step configs stay plain mappings here; each step kind parses its own
(see `validation`), so this module knows nothing of particular steps.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator

STEP_ID_PATTERN = r"^[a-z0-9_-]+$"
DEFAULT_PORT = "out"
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TriggerType(StrEnum):
    SCHEDULE = "schedule"
    SYNC_STARTED = "sync_started"
    SYNC_COMPLETED = "sync_completed"
    SYNC_FAILED = "sync_failed"
    MANUAL = "manual"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Every(_Strict):
    minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    hours: Annotated[int, Field(ge=1, le=168)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Every:
        if (self.minutes is None) == (self.hours is None):
            raise ValueError("give exactly one of minutes or hours")
        return self


class Weekly(_Strict):
    days: list[str] = Field(min_length=1, description="Days of the week: mon, tue, … sun.")
    time: str = Field(description="HH:MM, 24-hour clock.")

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown day(s) {unknown}; use {', '.join(WEEKDAYS)}")
        return days

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        return _check_time(value)


class Monthly(_Strict):
    day: int = Field(ge=1, le=31, description="Day of the month; short months fire on their last day.")
    time: str = Field(description="HH:MM, 24-hour clock.")

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        return _check_time(value)


def _check_time(value: str) -> str:
    if not TIME_PATTERN.match(value):
        raise ValueError(f"{value!r} is not a time of day as HH:MM")
    return value


class Trigger(_Strict):
    type: TriggerType
    # schedule forms: exactly one of these
    cron: str | None = None
    every: Every | None = None
    daily: str | None = None
    weekly: Weekly | None = None
    monthly: Monthly | None = None
    timezone: str | None = Field(default=None, description="IANA time zone, e.g. Europe/London.")
    # sync triggers
    integration: str | None = Field(default=None, description="Integration name; left out: any.")

    @field_validator("daily")
    @classmethod
    def _daily_time(cls, value: str | None) -> str | None:
        return None if value is None else _check_time(value)

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Trigger:
        forms = [name for name in ("cron", "every", "daily", "weekly", "monthly") if getattr(self, name) is not None]
        if self.type is TriggerType.SCHEDULE:
            if len(forms) != 1:
                raise ValueError("a schedule needs exactly one of cron, every, daily, weekly, monthly")
        elif forms or self.timezone is not None:
            raise ValueError(f"a {self.type.value} trigger takes no schedule fields")
        if self.integration is not None and self.type in (TriggerType.SCHEDULE, TriggerType.MANUAL):
            raise ValueError(f"a {self.type.value} trigger takes no integration")
        return self


class StepNode(_Strict):
    id: str = Field(pattern=STEP_ID_PATTERN, max_length=64)
    type: str
    after: list[str] = Field(default_factory=list, description='Upstream step ids; "split.A" names one port.')
    config: dict[str, Any] = Field(default_factory=dict)


# Credits travel as JSON numbers (not strings), the way users write them in workflow files.
CreditAmount = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
MAX_CALL_LIMIT = 2**31 - 1  # the largest a 32-bit column holds on every backend
MAX_CREDITS_LIMIT = Decimal(10**12)


class Settings(_Strict):
    call_limit: int | None = Field(
        default=None,
        ge=0,
        le=MAX_CALL_LIMIT,
        description="Most calls in a rolling 24 hours (a firing, or a conversation sent to a pipeline).",
    )
    credits_limit: CreditAmount | None = Field(
        default=None, ge=0, le=MAX_CREDITS_LIMIT, description="Most credits the workflow may spend."
    )


class Position(_Strict):
    x: float
    y: float


class WorkflowDocument(_Strict):
    name: str = Field(min_length=1, max_length=200)
    trigger: Trigger | None = None
    steps: list[StepNode] = Field(default_factory=list)
    settings: Settings = Field(default_factory=Settings)
    layout: dict[str, Position] = Field(default_factory=dict)
    description: str | None = None

    def step(self, step_id: str) -> StepNode:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def split_port_ref(ref: str) -> tuple[str, str]:
    """`"split.A"` → (`"split"`, `"A"`); a bare id means the default port."""
    step_id, dot, port = ref.partition(".")
    return step_id, (port if dot else DEFAULT_PORT)
