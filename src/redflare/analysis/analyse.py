"""Run one pipeline over conversations: the pure function the Process Conversations step fans out.

Contract:
- `analyse(definition, conversation)` returns the conversation's `AnalysisOutcome`, filling only
  what the definition's stages ask for:
  * transcribe → a conversation with audio and no turns gets its turns from
    `redflare.speech.transcribe_recording(conversation.audio, get_transcriber())`; the outcome's
    `transcript` holds them as dicts {speaker, text, offset_s, end_s}, and every later stage works on
    them. A conversation with turns passes through untranscribed (`transcript` stays []). Without the
    speech extra the outcome's error is `SpeechUnavailable`'s message ("speech extra not installed: …").
  * sentiment → sentiment, label, turn sentiments;
  * score → score, `criteria` and `evidence` (per criterion, `redflare.analysis.scorecard.evidence_of`);
  * measures → turns, talk ratio, silence, longest silence, interruptions, agent response time and
    duration (`redflare.analysis.measures.conversation_measures`).
  Credits are `definition.price(seconds)`, seconds being the recording's length when this analysis
  transcribed it and none otherwise (`audio_seconds`: a recording imported with turns is not
  transcribed, so it pays the analysis only). Audio without turns under a pipeline
  that does not transcribe is an error outcome; a conversation with neither turns nor audio too. An
  error outcome costs 0 credits. Unexpected failures raise (a missing or unreadable recording too).
- `analyse_batch(definition, conversations)` returns one outcome per input, in order, and never
  raises for a bad conversation: the failure's text becomes that outcome's error.

Both are top-level functions of plain picklable arguments, so a ProcessPoolExecutor can run them. The
transcriber (a loaded model) is built once per worker process by `get_transcriber` and then reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from redflare.analysis.measures import conversation_measures
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.analysis.scorecard import score_conversation
from redflare.analysis.sentiment import overall_sentiment, sentiment_label, turn_sentiments
from redflare.domain.conversation import Conversation, Turn

NO_TRANSCRIPT_STAGE = "the conversation has only audio and this pipeline does not transcribe"
NO_TURNS = "the conversation has no turns to analyse"
NO_SPEECH = "transcription found no speech in the recording"


class _Unanalysable(Exception):
    """The conversation cannot be analysed; the message becomes the outcome's error."""


def _transcribed(audio: str) -> list[Turn]:
    # Imported here: `redflare.speech` pulls in nothing heavy itself, but only audio conversations need it.
    from redflare.speech import SpeechUnavailable, get_transcriber, transcribe_recording

    try:
        return transcribe_recording(audio, get_transcriber())
    except SpeechUnavailable as exc:
        raise _Unanalysable(str(exc)) from exc


def _recording_seconds(audio: str) -> float:
    from redflare.speech import recording_seconds

    return recording_seconds(Path(audio))


def _turns_of(definition: PipelineDefinition, conversation: Conversation) -> tuple[tuple[Turn, ...], bool]:
    """The turns to analyse and whether transcription made them."""
    if conversation.turns:
        return conversation.turns, False
    if not conversation.audio:
        raise _Unanalysable(NO_TURNS)
    if not definition.stages.transcribe:
        raise _Unanalysable(NO_TRANSCRIPT_STAGE)
    turns = tuple(_transcribed(conversation.audio))
    if not turns:
        raise _Unanalysable(NO_SPEECH)
    return turns, True


def transcript_of(turns: Sequence[Turn]) -> list[dict[str, object]]:
    """Turns as the outcome's `transcript` stores them."""
    return [
        {"speaker": turn.speaker.value, "text": turn.text, "offset_s": turn.offset_s, "end_s": turn.end_s}
        for turn in turns
    ]


def analyse(definition: PipelineDefinition, conversation: Conversation) -> AnalysisOutcome:
    """One conversation's analysis under one pipeline version."""
    try:
        turns, transcribed = _turns_of(definition, conversation)
    except _Unanalysable as exc:
        return AnalysisOutcome(conversation_id=conversation.id, error=str(exc))
    stages = definition.stages
    outcome = AnalysisOutcome(conversation_id=conversation.id)
    if transcribed:
        outcome.transcript = transcript_of(turns)
        # A recording imported without its length is billed (and measured) by the file's own length.
        duration = (
            conversation.duration_s
            if conversation.duration_s is not None
            else _recording_seconds(conversation.audio or "")
        )
        conversation = replace(conversation, turns=turns, duration_s=duration)
    # Shared with the scorecard; with a stage off, the scorecard computes them only if a criterion needs them.
    sentiments = turn_sentiments(turns) if stages.sentiment else None
    measures = conversation_measures(conversation) if stages.measures else None
    if sentiments is not None:
        outcome.turn_sentiments = sentiments
        outcome.sentiment = overall_sentiment(turns, sentiments)
        outcome.sentiment_label = sentiment_label(outcome.sentiment, definition.sentiment)
    if stages.score:
        scorecard = score_conversation(definition.scorecard, conversation, sentiments, measures)
        outcome.score = scorecard.score
        outcome.criteria = scorecard.passes
        outcome.evidence = scorecard.evidence
    if measures is not None:
        outcome.turns = measures.turns
        outcome.talk_ratio = measures.talk_ratio
        outcome.silence_s = measures.silence_s
        outcome.longest_silence_s = measures.longest_silence_s
        outcome.interruptions = measures.interruptions
        outcome.agent_response_s = measures.agent_response_s
        outcome.duration_s = measures.duration_s
    # audio_seconds' rule: the recording's length is billed only when this analysis transcribed it (the conversation
    # here already carries the transcribed turns and, if the import gave none, the file's own length).
    outcome.credits = definition.price(conversation.duration_s if transcribed else None)
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
