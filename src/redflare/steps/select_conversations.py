"""Select Conversations: pull the set to work on from an integration, a pipeline's results, all, or the trigger.

Applies the workflow creator's data-access rules always. A test run (a sample) ignores "Unprocessed": it previews the
steps on the selection whatever its processed state. `state` is relative to `pipeline` (or to the
source pipeline): processed = that pipeline's current version has a stored result, or — with
`any_version` — any of its versions has one (an edited pipeline is a new version, so by default what an
older version analysed counts as unprocessed).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from redflare.domain.columns import BASE_COLUMNS, analysis_columns
from redflare.domain.conditions import Group, check_against_columns
from redflare.domain.validation import Columns, Environment
from redflare.domain.workflow import TriggerType
from redflare.steps.base import Look, Problems, StepConfig, StepKind, StepResult, helper
from redflare.steps.context import Selection, StepContext
from redflare.steps.preview import Preview
from redflare.steps.wording import condition_text, joined


class FromIntegration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    integration: str = Field(min_length=1, title="Integration", description="The connected source to pull from.")


class FromPipeline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pipeline: str = Field(min_length=1, title="Pipeline", description="Conversations this pipeline has analysed.")


Source = Annotated[
    FromIntegration | FromPipeline | Literal["all", "trigger"],
    Field(union_mode="left_to_right"),
]


class Config(StepConfig):
    source: Source | None = Field(
        default=None,
        title="Source",
        description="Where the conversations come from.",
        json_schema_extra=helper(
            "An integration's conversations, those a pipeline has analysed, all conversations, or the trigger's "
            "conversations (those a sync gathered). Left empty: the sync's conversations after a Sync Completed "
            "trigger, otherwise all."
        ),
    )
    state: Literal["processed", "unprocessed", "all"] = Field(
        default="all",
        title="State",
        description="Processed, Unprocessed or All, relative to the chosen pipeline.",
        json_schema_extra=helper("Unprocessed picks freshly imported conversations the pipeline has not analysed yet."),
    )
    pipeline: str | None = Field(
        default=None,
        title="Pipeline",
        description="The pipeline that Processed / Unprocessed refer to.",
        json_schema_extra=helper("Not needed when the source is a pipeline."),
    )
    any_version: bool = Field(
        default=False,
        title="Any version",
        description="Count a result from any version of the pipeline as processed, not only the current one.",
        json_schema_extra=helper(
            "Off: after a pipeline is edited, conversations its older versions analysed count as unprocessed "
            "(and are analysed again, at the new price)."
        ),
    )
    filter: Group | None = Field(
        default=None,
        title="Filter",
        description="Only conversations matching these conditions.",
        json_schema_extra=helper("Build AND / OR groups of conditions on the conversation's columns."),
    )
    limit: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        title="Take at most",
        description="Cap on how many conversations to take.",
        json_schema_extra=helper("Leave empty to take every match."),
    )
    order: Literal["newest", "oldest", "random"] = Field(
        default="newest",
        title="Order",
        description="Which conversations the cap keeps.",
        json_schema_extra=helper("Newest first, oldest first, or a random sample (repeatable with the seed)."),
    )
    seed: int = Field(
        default=0,
        title="Seed",
        description="Seed of the random order.",
        json_schema_extra=helper("Same seed, same sample."),
    )

    @model_validator(mode="after")
    def _state_needs_pipeline(self) -> Config:
        if self.state != "all" and self.pipeline is None and not isinstance(self.source, FromPipeline):
            raise ValueError(f"“{self.state.capitalize()}” needs a pipeline: choose one under Pipeline")
        return self

    @property
    def effective_pipeline(self) -> str | None:
        return self.source.pipeline if isinstance(self.source, FromPipeline) else self.pipeline


def columns(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    problems: Problems = []
    out: dict[str, Any] = dict(BASE_COLUMNS)
    pipeline = config.effective_pipeline
    if pipeline is not None and env.pipelines is not None:
        if pipeline not in env.pipelines:
            where = "source.pipeline" if isinstance(config.source, FromPipeline) else "pipeline"
            problems.append((where, f"pipeline {pipeline!r} does not exist"))
        elif config.state == "processed":
            out.update(analysis_columns(env.pipelines[pipeline]))
    source = config.source
    if (
        isinstance(source, FromIntegration)
        and env.integrations is not None
        and source.integration not in env.integrations
    ):
        problems.append(("source.integration", f"integration {source.integration!r} does not exist"))
    if config.source == "trigger" and env.trigger_type not in (TriggerType.SYNC_COMPLETED, None):
        problems.append(("source", "only a Sync Completed trigger gathers conversations"))
    if config.filter is not None:
        problems.extend((f"filter.{path}", message) for path, message in check_against_columns(config.filter, out))
    return out, problems


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    source = config.source
    if source is None:
        source = "trigger" if ctx.trigger.type == TriggerType.SYNC_COMPLETED else "all"
    from_trigger = source == "trigger"
    # A test run previews the steps on a sample of the selection: "Unprocessed" would be empty after the first real
    # run (it processed them), so a test run samples whatever their processed state.
    state = "all" if ctx.sample is not None and config.state == "unprocessed" else config.state
    selection = Selection(
        integration=source.integration if isinstance(source, FromIntegration) else None,
        conversation_ids=(ctx.trigger.conversation_ids or []) if from_trigger else None,
        pipeline=config.effective_pipeline,
        any_version=config.any_version,
        state=state,
        condition=config.filter,
        limit=_capped(config.limit, ctx.sample),
        order=config.order,
        seed=config.seed,
        access=ctx.access,
        with_analysis=config.state == "processed",
    )
    selected = ctx.conversations.select(selection)
    return StepResult.single(selected, tally={"selected": selected.height})


def _capped(limit: int | None, sample: int | None) -> int | None:
    """The step's own cap, lowered to a test run's sample size."""
    if sample is None:
        return limit
    return sample if limit is None else min(limit, sample)


_STATES = {"processed": "Processed", "unprocessed": "Unprocessed", "all": ""}
_CAPS = {"newest": "at most {:,}", "oldest": "oldest {:,}", "random": "random {:,}"}


def summarize(config: Config) -> str:
    """`Unprocessed · clinic · call-qa · at most 500`: state, source, pipeline, filter, cap — what is set."""
    source = config.source
    where = (
        source.integration
        if isinstance(source, FromIntegration)
        else f"results of {source.pipeline}"
        if isinstance(source, FromPipeline)
        else "the trigger's conversations"
        if source == "trigger"
        else ""
    )
    state = _STATES[config.state]
    relative_to = config.pipeline if config.pipeline is not None and not isinstance(source, FromPipeline) else ""
    where_filter = f"where {condition_text(config.filter)}" if config.filter is not None and config.filter.rules else ""
    cap = _CAPS[config.order].format(config.limit) if config.limit is not None else ""
    parts = [state, where, relative_to, where_filter, cap]
    return joined(parts) if any(parts) else "All conversations"


KIND: StepKind[Config] = StepKind(
    type="select_conversations",
    version=1,
    title="Select Conversations",
    description="Pull a subset of conversations from an integration or pipeline.",
    config_model=Config,
    execute=execute,
    takes_input=False,
    columns_of=columns,
    look=Look(
        icon="M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6"
        "M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3",
        color="blue",
    ),
    summarize=summarize,
    preview=Preview(role="selects"),
)
