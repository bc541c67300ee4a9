"""'Only when the list is not empty' for the delivery steps: an empty run sends no email and writes no file.

A workflow file written before the option existed keeps its behaviour (the field defaults to off); a step added on
the canvas starts with it on (`INITIAL`, the step kinds' `initial_config`).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from redflare.steps.base import StepResult, helper

SKIPPED_EMPTY = "nothing sent: the list is empty (Only when the list is not empty)"
INITIAL = {"only_when_not_empty": True}


def only_when_not_empty_field() -> bool:
    """The config field both delivery steps declare (one wording, one default)."""
    return Field(
        default=False,
        title="Only when the list is not empty",
        description="Skip this step when its input has no conversations: no email, no file.",
        json_schema_extra=helper("On: a run with nothing to report stays quiet instead of sending an empty one."),
    )


def skipped_when_empty(frame: pl.DataFrame, only_when_not_empty: bool) -> StepResult | None:
    """The step's result when it stays quiet (the empty input passes through), or None when it goes on."""
    if not only_when_not_empty or frame.height > 0:
        return None
    return StepResult.single(frame, tally={"skipped_empty": 1}, notes=[SKIPPED_EMPTY])
