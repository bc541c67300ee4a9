"""Pipelines as the API answers them, and the bodies their routes take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL

PipelineBody = Annotated[
    dict[str, Any],
    Body(
        description=(
            "A pipeline definition: name, description, stages, sentiment thresholds, scorecard, prices. "
            "A `version` in it is ignored: the server numbers versions."
        )
    ),
]


class _FromService(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PipelinePublic(_FromService):
    name: str = Field(description="Unique; the pipeline's id in paths.")
    version: int = Field(description="This version's number (in lists: the current one, what runs use).")
    description: str
    archived: bool = Field(description="Archived pipelines are not offered to workflows; runs treat them as gone.")
    stages: dict[str, bool] = Field(description="transcribe, sentiment, score, measures: which run.")
    sentiment: dict[str, float] = Field(description="Label thresholds: negative_below, positive_above.")
    scorecard: list[dict[str, Any]] = Field(description="The criteria, each with its kind's fields.")
    prices: dict[str, float] = Field(description="Credits: per conversation analysed, per audio minute transcribed.")
    criteria: list[str] = Field(description="Scorecard criterion names; each is a column criterion.<name>.")
    created_at: datetime = Field(description="When the pipeline was created.")
    updated_at: datetime = Field(description="When this version was made.")


class PipelinesPublic(BaseModel):
    data: list[PipelinePublic]
    count: int


class PipelineVersionPublic(_FromService):
    number: int
    created_at: datetime
    created_by: str | None = Field(description="The editor's email; null for shipped versions.")


class PipelineDetailPublic(PipelinePublic):
    versions: list[PipelineVersionPublic] = Field(description="Every version, oldest first.")


class PipelineSaved(PipelineDetailPublic):
    changed: bool = Field(description="Whether the edit made a new version (an identical definition makes none).")


class TryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    version: int | None = Field(default=None, ge=1, description="Leave out for the current version.")


class TryTurnPublic(_FromService):
    speaker: str
    text: str
    offset_s: float | None
    end_s: float | None
    sentiment: float | None


class TryMeasuresPublic(BaseModel):
    talk_ratio: float | None
    turns: int | None
    silence_s: float | None
    longest_silence_s: float | None
    interruptions: int | None
    agent_response_s: float | None
    duration_s: float | None


class TryResultPublic(_FromService):
    pipeline: str
    version: int
    conversation_id: str
    error: str | None = Field(description="Why the analysis failed; null when it worked.")
    credits: float = Field(description="What a run would charge for this conversation (nothing is charged now).")
    score: float | None
    sentiment: float | None
    sentiment_label: str | None
    criteria: dict[str, bool | None] = Field(description="Per criterion: passed, failed, or null (not applicable).")
    evidence: dict[str, dict[str, Any] | None] = Field(
        description="Per criterion: the turn that decided it ({turn, speaker, text, offset_s, end_s, match, "
        "similarity}) or null."
    )
    turns: list[TryTurnPublic] = Field(description="The transcript for audio, else the conversation's turns.")
    measures: TryMeasuresPublic
    reasons: dict[str, str] = Field(
        default_factory=dict,
        description="Per criterion: why it passed, failed or did not apply — the threshold, the value, the turn.",
    )
