"""Run one pipeline over conversations: the pure function the Process Conversations step fans out.

Contract:
- `analyse(definition, conversation)` returns the conversation's `AnalysisOutcome`, filling only
  what the definition's stages ask for (sentiment → sentiment, label, turn sentiments; score →
  score and `criteria`; measures → turns, talk ratio, silence). Credits are
  `definition.price(audio_seconds(conversation))`. A conversation with audio but no turns is an
  error outcome (transcription arrives in a later version); one with neither is an error too.
  An error outcome costs 0 credits. Unexpected failures raise.
- `analyse_batch(definition, conversations)` returns one outcome per input, in order, and never
  raises for a bad conversation: the failure's text becomes that outcome's error.

Both are top-level functions of plain picklable arguments, so a ProcessPoolExecutor can run them.
"""

from __future__ import annotations

from decimal import Decimal

from redflare.analysis.measures import silence_s, talk_ratio, turn_count
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition, audio_seconds
from redflare.analysis.scorecard import score_conversation
from redflare.analysis.sentiment import overall_sentiment, sentiment_label, turn_sentiments
from redflare.domain.conversation import Conversation

NO_TRANSCRIPTION = "audio transcription is not available in this version"
NO_TRANSCRIPT_STAGE = "the conversation has only audio and this pipeline does not transcribe"
NO_TURNS = "the conversation has no turns to analyse"


def _unanalysable(definition: PipelineDefinition, conversation: Conversation) -> str | None:
    """Why this conversation cannot be analysed, or None when it can."""
    if conversation.turns:
        return None
    if not conversation.audio:
        return NO_TURNS
    return NO_TRANSCRIPTION if definition.stages.transcribe else NO_TRANSCRIPT_STAGE


def analyse(definition: PipelineDefinition, conversation: Conversation) -> AnalysisOutcome:
    """One conversation's analysis under one pipeline version."""
    error = _unanalysable(definition, conversation)
    if error is not None:
        return AnalysisOutcome(conversation_id=conversation.id, error=error)
    stages = definition.stages
    turns = conversation.turns
    outcome = AnalysisOutcome(conversation_id=conversation.id)
    # Shared with the scorecard; with the stage off, the scorecard computes them only if a criterion needs them.
    sentiments = turn_sentiments(turns) if stages.sentiment else None
    if sentiments is not None:
        outcome.turn_sentiments = sentiments
        outcome.sentiment = overall_sentiment(turns, sentiments)
        outcome.sentiment_label = sentiment_label(outcome.sentiment, definition.sentiment)
    if stages.score:
        scorecard = score_conversation(definition.scorecard, conversation, sentiments)
        outcome.score = scorecard.score
        outcome.criteria = scorecard.passes
    if stages.measures:
        outcome.turns = turn_count(turns)
        outcome.talk_ratio = talk_ratio(turns)
        outcome.silence_s = silence_s(turns)
    outcome.credits = definition.price(audio_seconds(conversation))
    return outcome


def analyse_batch(definition: PipelineDefinition, conversations: list[Conversation]) -> list[AnalysisOutcome]:
    """Analyse a batch; a conversation that fails gets an error outcome instead of failing the batch."""
    outcomes: list[AnalysisOutcome] = []
    for conversation in conversations:
        try:
            outcomes.append(analyse(definition, conversation))
        except Exception as exc:  # one bad conversation must not cost the batch its other results
            identity = str(getattr(conversation, "id", "") or "")
            message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            outcomes.append(AnalysisOutcome(conversation_id=identity, error=message, credits=Decimal(0)))
    return outcomes
