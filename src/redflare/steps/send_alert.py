"""Send Alert: email the right people (SKELETON — being written; see issue P3)."""

from __future__ import annotations

import polars as pl

from redflare.steps.base import StepConfig, StepKind, StepResult
from redflare.steps.context import StepContext


class Config(StepConfig):
    subject: str
    message: str
    recipients: list[str]


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    raise NotImplementedError("send_alert is being written")


KIND = StepKind(
    type="send_alert",
    version=1,
    title="Send Alert",
    description="Email the right people about this run.",
    config_model=Config,
    execute=execute,
)
