"""Integrations and conversations as the API answers them (pipelines: schemas/pipelines)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text and JSONB cannot hold NUL


class _FromService(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ConversationPublic(_FromService):
    id: str
    integration: str
    channel: str
    started_at: datetime | None
    duration_s: float | None
    agent: str | None
    team: str | None
    queue: str | None
    tags: list[str]
    outcome: str | None
    language: str | None
    customer: str | None
    turn_count: int


class ConversationsPublic(BaseModel):
    data: list[ConversationPublic]
    count: int = Field(description="How many match in all (the page holds at most `limit`).")


class TurnPublic(BaseModel):
    speaker: str
    text: str
    offset_s: float | None = None
    end_s: float | None = None


class EvidencePublic(BaseModel):
    """What decided one criterion: a turn (index, speaker, text, times) with the matched phrase and its similarity,
    and/or a measured value (sentiment average, measure) — fields that do not apply are null."""

    turn: int | None
    speaker: str | None
    text: str | None
    offset_s: float | None
    end_s: float | None
    match: str | None = Field(description="The phrase as the criterion spells it.")
    similarity: float | None = Field(description="The phrase's fuzzy score, 0–100.")
    value: float | None = Field(description="The sentiment average or measure the criterion judged.")


class AnalysisResultPublic(_FromService):
    pipeline: str
    pipeline_version: int
    score: float | None
    sentiment: float | None
    sentiment_label: str | None
    criteria: dict[str, Any]
    talk_ratio: float | None
    turns: int | None
    silence_s: float | None
    longest_silence_s: float | None
    interruptions: int | None
    agent_response_s: float | None
    duration_s: float | None
    turn_sentiments: list[Any]
    evidence: dict[str, EvidencePublic | None] = Field(
        description="Per criterion: what decided it, or null (failed phrase_said, passed phrase_not_said, n/a)."
    )
    transcript: list[TurnPublic] = Field(
        description="An audio conversation's turns as this analysis transcribed them; empty for text."
    )
    credits: float
    run_id: str | None
    created_at: datetime


class ConversationDetailPublic(ConversationPublic):
    metadata: dict[str, Any]
    has_audio: bool
    turns: list[TurnPublic]
    results: list[AnalysisResultPublic] = Field(description="Every stored analysis, per pipeline version.")


class IntegrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    kind: Literal["push", "folder"]
    config: dict[str, Any] = Field(default_factory=dict, description='A folder integration needs {"path": …}.')

    @field_validator("config")
    @classmethod
    def _storable(cls, config: dict[str, Any]) -> dict[str, Any]:
        if _holds_nul(config):
            raise ValueError("text in the config cannot contain NUL characters")
        return config


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class IntegrationPublic(_FromService):
    id: int
    name: str
    kind: str
    config: dict[str, Any]
    conversations: int = Field(description="Its conversations you may see.")
    created_at: datetime


class IntegrationsPublic(BaseModel):
    data: list[IntegrationPublic]
    count: int


class IntegrationCreated(IntegrationPublic):
    token: str | None = Field(description="A push integration's token: shown once, never again.")
