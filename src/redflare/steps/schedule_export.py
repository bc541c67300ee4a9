"""Schedule Export: a CSV or Excel report, stored and emailed as a link (SKELETON — being written; issue P3)."""

from __future__ import annotations

import polars as pl

from redflare.steps.base import StepConfig, StepKind, StepResult
from redflare.steps.context import StepContext


class Config(StepConfig):
    name: str
    columns: list[str]
    file_type: str
    recipients: list[str]


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    raise NotImplementedError("schedule_export is being written")


KIND = StepKind(
    type="schedule_export",
    version=1,
    title="Schedule Export",
    description="Build a CSV or Excel report and email a download link.",
    config_model=Config,
    execute=execute,
)
