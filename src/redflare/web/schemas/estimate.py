"""The impact preview's answer: `GET /workflows/{id}/estimate` (see services/estimate.py for how it is reckoned)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _FromService(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IssuePublic(_FromService):
    path: str
    message: str
    node: str | None


class CallLimitPublic(_FromService):
    limit: int
    used: int = Field(description="Calls in the last 24 hours.")
    remaining: int
    stops_after: int | None = Field(
        description="Conversations a run sends before this limit stops it (its firing counts one call); "
        "null when this run would not reach it."
    )


class CreditsLimitPublic(_FromService):
    limit: float
    spent: float = Field(description="Credits spent since the limit was set.")
    since: datetime | None
    remaining: float
    stops_after: int | None = Field(
        description="Conversations a run processes before this limit stops it; null when this run would not reach it."
    )


class LimitsPublic(_FromService):
    call_limit: CallLimitPublic | None
    credits_limit: CreditsLimitPublic | None
    firing_allowed: bool = Field(description="False when the call limit is used up: a firing would make no run.")
    cuts_in: str | None = Field(description="call_limit or credits_limit: the one that stops a run first, if any.")


class ProcessingPublic(_FromService):
    pipeline: str
    pipeline_version: int
    reused: int = Field(description="Already processed by this pipeline version: reused, not charged.")
    to_process: int = Field(description="Would be sent to the pipeline and charged.")
    processed: int = Field(description="Of those, how many the call and credits limits let through.")
    left_unprocessed: int
    stopped_by: str | None


class StepEstimatePublic(_FromService):
    id: str
    type: str
    status: str = Field(description="estimated, failed, or skipped (an earlier step did not estimate).")
    rows_in: int | None
    rows_out: int | None
    outputs: dict[str, int] = Field(description="Rows per output port (Distribute: per group).")
    awaiting_analysis: int = Field(description="Output rows whose scores are unknown until they are processed.")
    undecided: int = Field(
        description="Rows awaiting analysis this step placed on values not known yet: "
        "a Filter keeps between rows_out and rows_out + undecided."
    )
    credits: float
    processing: ProcessingPublic | None
    note: str | None
    error: str | None


class VersionEstimatePublic(_FromService):
    version: int | None = Field(description="The version estimated; null for the draft.")
    issues: list[IssuePublic] = Field(description="Final checks' issues: a draft with any is not estimated.")
    conversations: int = Field(description="Conversations a run would select.")
    reused: int
    to_process: int
    processed: int
    credits: float = Field(description="Credits a run would spend, limits applied.")
    credits_without_limits: float
    limits: LimitsPublic | None
    steps: list[StepEstimatePublic]


class EstimatePublic(_FromService):
    workflow_id: str
    estimated_at: datetime
    draft: VersionEstimatePublic
    active: VersionEstimatePublic | None = Field(description="The active version's figures; null if never published.")
