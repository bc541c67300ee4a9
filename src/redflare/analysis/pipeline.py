"""A pipeline: a named, versioned analysis recipe with a credit price per stage.

`analyse` is a pure function of (definition, conversation); it runs in worker processes, so
everything here must pickle and import cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from redflare.domain.conversation import Conversation
from redflare.domain.credits import conversation_price


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stages(_Strict):
    transcribe: bool = Field(default=True, description="Turn audio into speaker turns (text passes through).")
    sentiment: bool = Field(default=True, description="Sentiment per turn and overall.")
    score: bool = Field(default=True, description="Score against the scorecard.")
    measures: bool = Field(default=True, description="Talk ratio, turns, silence.")


class SentimentThresholds(_Strict):
    negative_below: float = Field(default=-0.05, ge=-1, le=1, description="Overall sentiment below this is negative.")
    positive_above: float = Field(default=0.05, ge=-1, le=1, description="Overall sentiment above this is positive.")


class Prices(_Strict):
    analysis_per_conversation: Decimal = Field(
        default=Decimal("1"), ge=0, description="Credits per conversation analysed."
    )
    transcription_per_audio_minute: Decimal = Field(
        default=Decimal("0.5"), ge=0, description="Credits per audio minute."
    )


class _Criterion(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$", description="Column name: criterion.<name>.")
    title: str | None = None
    weight: float = Field(default=1.0, gt=0, description="Share of the score this criterion carries.")


class PhraseSaid(_Criterion):
    """Passes when the speaker says one of the phrases (fuzzy)."""

    kind: Literal["phrase_said"] = "phrase_said"
    phrases: list[str] = Field(min_length=1)
    speaker: Literal["agent", "customer", "any"] = "agent"
    threshold: float = Field(default=85, ge=0, le=100, description="Fuzzy match score (0–100) that counts as said.")
    within_first_turns: int | None = Field(default=None, ge=1, description="Only look at the speaker's first N turns.")
    within_last_turns: int | None = Field(default=None, ge=1, description="Only look at the speaker's last N turns.")
    when_customer_sentiment_below: float | None = Field(
        default=None,
        ge=-1,
        le=1,
        description="Applies only if some customer turn is this negative (e.g. apologise when upset).",
    )


class PhraseNotSaid(_Criterion):
    """Passes when the speaker never says any of the phrases (fuzzy)."""

    kind: Literal["phrase_not_said"] = "phrase_not_said"
    phrases: list[str] = Field(min_length=1)
    speaker: Literal["agent", "customer", "any"] = "agent"
    threshold: float = Field(default=90, ge=0, le=100)


class SentimentAtEnd(_Criterion):
    """Passes when the speaker's last turns average above a sentiment threshold."""

    kind: Literal["sentiment_end"] = "sentiment_end"
    above: float = Field(default=0.0, ge=-1, le=1)
    speaker: Literal["agent", "customer", "any"] = "customer"
    last_turns: int = Field(default=2, ge=1)


class DurationRange(_Criterion):
    """Passes when the conversation's duration lies within [min_s, max_s]."""

    kind: Literal["duration_range"] = "duration_range"
    min_s: float | None = Field(default=None, ge=0)
    max_s: float | None = Field(default=None, ge=0)


Criterion = Annotated[PhraseSaid | PhraseNotSaid | SentimentAtEnd | DurationRange, Field(discriminator="kind")]


class PipelineDefinition(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    version: int = Field(default=1, ge=1)
    description: str = ""
    stages: Stages = Field(default_factory=Stages)
    sentiment: SentimentThresholds = Field(default_factory=SentimentThresholds)
    scorecard: list[Criterion] = Field(default_factory=list)
    prices: Prices = Field(default_factory=Prices)

    @property
    def criterion_names(self) -> list[str]:
        return [criterion.name for criterion in self.scorecard]

    def price(self, conversation_audio_seconds: float | None) -> Decimal:
        """Credits one conversation costs under this pipeline."""
        return conversation_price(
            per_conversation=self.prices.analysis_per_conversation if self._analyses else Decimal(0),
            per_audio_minute=self.prices.transcription_per_audio_minute if self.stages.transcribe else Decimal(0),
            audio_seconds=conversation_audio_seconds,
        )

    @property
    def _analyses(self) -> bool:
        return self.stages.sentiment or self.stages.score or self.stages.measures


@dataclass
class AnalysisOutcome:
    """One conversation's result (or its error) from one pipeline version."""

    conversation_id: str
    error: str | None = None
    score: float | None = None
    sentiment: float | None = None
    sentiment_label: str | None = None
    criteria: dict[str, bool | None] = field(default_factory=dict)
    talk_ratio: float | None = None
    turns: int | None = None
    silence_s: float | None = None
    turn_sentiments: list[float | None] = field(default_factory=list)
    credits: Decimal = Decimal(0)

    @property
    def ok(self) -> bool:
        return self.error is None


def audio_seconds(conversation: Conversation) -> float | None:
    """Billable audio length: only conversations with a recording pay for transcription."""
    return conversation.duration_s if conversation.audio else None
