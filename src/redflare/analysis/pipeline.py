"""A pipeline: a named, versioned analysis recipe with a credit price per stage.

`analyse` is a pure function of (definition, conversation); it runs in worker processes, so
everything here must pickle and import cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class _SentimentWindow(_Criterion):
    speaker: Literal["agent", "customer", "any"] = "customer"
    below: float | None = Field(default=None, ge=-1, le=1, description="Also require the average below this.")


class SentimentAtStart(_SentimentWindow):
    """Passes when the speaker's first turns average above `above` and below `below` (each optional, one needed)."""

    kind: Literal["sentiment_start"] = "sentiment_start"
    above: float | None = Field(default=None, ge=-1, le=1, description="The average must lie above this.")
    first_turns: int = Field(default=2, ge=1, description="How many of the speaker's first turns to average.")

    @model_validator(mode="after")
    def _has_a_bound(self) -> SentimentAtStart:
        if self.above is None and self.below is None:
            raise ValueError("give an Above or a Below threshold, or both")
        return self


class SentimentAtEnd(_SentimentWindow):
    """Passes when the speaker's last turns average above a sentiment threshold (and below `below`, if given)."""

    kind: Literal["sentiment_end"] = "sentiment_end"
    above: float = Field(default=0.0, ge=-1, le=1)
    last_turns: int = Field(default=2, ge=1)


MeasureName = Literal[
    "talk_ratio", "turns", "silence_s", "longest_silence_s", "interruptions", "agent_response_s", "duration_s"
]
"""The measures a `measure_range` criterion can test (the fields of `redflare.analysis.measures.Measures`)."""


class MeasureRange(_Criterion):
    """Passes when a measure of the conversation lies within [min, max]; does not apply when it is unknown."""

    kind: Literal["measure_range"] = "measure_range"
    measure: MeasureName
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> MeasureRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("the minimum must not be above the maximum")
        return self


class DurationRange(_Criterion):
    """Passes when the conversation's duration lies within [min_s, max_s]."""

    kind: Literal["duration_range"] = "duration_range"
    min_s: float | None = Field(default=None, ge=0)
    max_s: float | None = Field(default=None, ge=0)


Criterion = Annotated[
    PhraseSaid | PhraseNotSaid | SentimentAtStart | SentimentAtEnd | MeasureRange | DurationRange,
    Field(discriminator="kind"),
]


class PipelineDefinition(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    version: int = Field(default=1, ge=1)
    description: str = ""
    stages: Stages = Field(default_factory=Stages)
    sentiment: SentimentThresholds = Field(default_factory=SentimentThresholds)
    scorecard: list[Criterion] = Field(default_factory=list, json_schema_extra={"item_noun": "criterion"})
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
    longest_silence_s: float | None = None
    interruptions: int | None = None
    agent_response_s: float | None = None
    duration_s: float | None = None
    turn_sentiments: list[float | None] = field(default_factory=list)
    evidence: dict[str, dict[str, object] | None] = field(default_factory=dict)
    """Per criterion: what decided it, in the one shape `redflare.analysis.scorecard.evidence_of` documents
    ({turn, speaker, text, offset_s, end_s, match, similarity, value}), or None (a pass with nothing to show)."""
    transcript: list[dict[str, object]] = field(default_factory=list)
    """An audio conversation's turns as transcription made them ({speaker, text, offset_s, end_s}); [] for text."""
    credits: Decimal = Decimal(0)

    @property
    def ok(self) -> bool:
        return self.error is None


def audio_seconds(conversation: Conversation) -> float | None:
    """Billable audio length: only a recording still to be transcribed pays for transcription."""
    return billable_audio_seconds(conversation.duration_s, conversation.audio, has_turns=bool(conversation.turns))


def billable_audio_seconds(duration_s: float | None, audio: str | None, *, has_turns: bool) -> float | None:
    """The rule behind `audio_seconds`, from the stored columns alone (priced before a batch is loaded).

    A recording imported with its turns is analysed from those turns, untranscribed, so it pays the analysis only.
    """
    return duration_s if audio and not has_turns else None
