"""The workflow document of SPEC appendix A: the one wire format of API, CLI and canvas.

Unknown keys are errors. Step configs stay plain mappings here; each step kind parses its own
(see `validation`), so this module knows nothing of particular steps.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator, model_validator

STEP_ID_PATTERN = r"^[a-z0-9_-]+$"
DEFAULT_PORT = "out"
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHEDULE_FORMS = ("cron", "every", "daily", "weekly", "monthly")
# "Every N" must repeat the same way every hour or every day, so a schedule is the same cron
# pattern each day (see redflare.triggers.schedule): N minutes dividing an hour, or whole hours
# dividing a day. Other intervals (90 minutes, 5 hours) are refused with a pointer to cron.
EVERY_MINUTES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
EVERY_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)


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
        if self.minutes is not None and self.minutes not in EVERY_MINUTES:
            hours, rest = divmod(self.minutes, 60)
            if rest or hours not in EVERY_HOURS:
                raise ValueError(
                    f"every {self.minutes} minutes does not repeat evenly each hour or day; use one of "
                    f"{', '.join(map(str, EVERY_MINUTES))} minutes, whole hours dividing a day, "
                    "or a cron expression"
                )
        if self.hours is not None and self.hours not in EVERY_HOURS:
            raise ValueError(
                f"every {self.hours} hours does not repeat evenly each day; use one of "
                f"{', '.join(map(str, EVERY_HOURS))} hours, or daily, weekly or a cron expression"
            )
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


def _check_cron(value: str) -> str:
    # Five fields only: cronsim also takes a leading seconds field, but then it drops its
    # Debian-cron DST handling, and a per-second schedule is no workflow trigger.
    if len(value.split()) != 5:
        raise ValueError(f"{value!r} is not a cron expression of five fields: minute hour day-of-month month weekday")
    try:
        next(CronSim(value, datetime(2000, 1, 1, tzinfo=UTC)))
    except CronSimError as exc:
        raise ValueError(f"{value!r} is not a valid cron expression: {exc}") from None
    except StopIteration:
        raise ValueError(f"{value!r} never fires") from None
    return value


@cache
def _iana_zones() -> frozenset[str]:
    # The IANA names zoneinfo can load (system data or the tzdata package); checking membership
    # also refuses paths. "localtime" and "posixrules" are files of the machine's zone data, not zones.
    return frozenset(available_timezones()) - {"localtime", "posixrules"}


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

    @field_validator("cron")
    @classmethod
    def _cron_expression(cls, value: str | None) -> str | None:
        return None if value is None else _check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in _iana_zones():
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London, America/New_York, UTC)")
        return value

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Trigger:
        forms = [name for name in SCHEDULE_FORMS if getattr(self, name) is not None]
        if self.type is TriggerType.SCHEDULE:
            if len(forms) != 1:
                given = f"; got {', '.join(forms)}" if forms else ""
                raise ValueError(f"a schedule needs exactly one of {', '.join(SCHEDULE_FORMS)}{given}")
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


Overlap = Literal["skip", "queue", "parallel"]


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
    overlap: Overlap = Field(
        default="queue",
        description="A firing while a run is still going: skip it, queue one (at most one waiting), or run in "
        "parallel.",
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
