"""Try a pipeline on one conversation: the whole analysis, in this process, charged and stored nowhere.

Contract:
- The conversation is looked up within the user's data-access rules: one outside them is NotFound,
  the same answer as an id that does not exist.
- The pipeline is its current version, or the version asked for (archived pipelines can be tried too).
- `credits` is what a run would charge for this conversation (0 when the analysis fails).
- `turns` are the turns the analysis saw — the transcript for an audio conversation, else the stored
  turns — each with its sentiment (None when the sentiment stage is off).
- It is synchronous and may take seconds (transcription): call it off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.adapters.db.pipelines import find_pipeline, pipeline_version
from redflare.adapters.db.selection import access_clause, conversation_of
from redflare.analysis.analyse import analyse
from redflare.analysis.pipeline import AnalysisOutcome, MeasureName, PipelineDefinition
from redflare.analysis.verdicts import verdict_reasons
from redflare.domain.access import AccessRules
from redflare.domain.conversation import Conversation
from redflare.domain.errors import NotFound

MEASURES: tuple[str, ...] = get_args(MeasureName)  # every measure, in the order the scorecard offers them


@dataclass(frozen=True)
class TrialTurn:
    speaker: str
    text: str
    offset_s: float | None
    end_s: float | None
    sentiment: float | None


@dataclass(frozen=True)
class Trial:
    pipeline: str
    version: int
    conversation_id: str
    error: str | None
    credits: Decimal
    score: float | None
    sentiment: float | None
    sentiment_label: str | None
    criteria: dict[str, bool | None]
    evidence: dict[str, dict[str, Any] | None]
    turns: list[TrialTurn]
    measures: dict[str, float | int | None]
    reasons: dict[str, str]  # per criterion: why it passed, failed or did not apply (analysis.verdicts)


def try_pipeline(
    session: Session,
    *,
    access: AccessRules,
    name: str,
    conversation_id: str,
    version: int | None = None,
    before_analysis: Callable[[], None] | None = None,
) -> Trial:
    """Analyse one conversation the user may see with one version of a pipeline.

    `before_analysis` runs once everything is read (e.g. to end the caller's transaction, so no lock is
    held while the analysis takes its time).
    """
    definition = (
        find_pipeline(session, name).definition if version is None else pipeline_version(session, name, version)[1]
    )
    conversation = visible_conversation(session, access=access, conversation_id=conversation_id)
    if before_analysis is not None:
        before_analysis()
    return _trial(definition, conversation, analyse(definition, conversation))


def visible_conversation(session: Session, *, access: AccessRules, conversation_id: str) -> Conversation:
    """The whole conversation (turns, audio path) as analysis takes it; NotFound if missing or outside the rules."""
    query = (
        select(ConversationRow, Integration.name)
        .join(Integration, Integration.id == ConversationRow.integration_id)
        .where(ConversationRow.id == conversation_id)
    )
    clause = access_clause(access)
    if clause is not None:
        query = query.where(clause)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return conversation_of(row[0], row[1])


def _trial(definition: PipelineDefinition, conversation: Conversation, outcome: AnalysisOutcome) -> Trial:
    turns = _turns(conversation, outcome)
    reasons = verdict_reasons(
        definition.scorecard,
        outcome.criteria,
        outcome.evidence,
        [turn.speaker for turn in turns],
        [turn.sentiment for turn in turns],
    )
    return Trial(
        pipeline=definition.name,
        version=definition.version,
        conversation_id=conversation.id,
        error=outcome.error,
        credits=outcome.credits,
        score=outcome.score,
        sentiment=outcome.sentiment,
        sentiment_label=outcome.sentiment_label,
        criteria=dict(outcome.criteria),
        evidence={name: dict(found) if found is not None else None for name, found in outcome.evidence.items()},
        turns=turns,
        measures={name: getattr(outcome, name) for name in MEASURES},
        reasons=reasons,
    )


def _turns(conversation: Conversation, outcome: AnalysisOutcome) -> list[TrialTurn]:
    seen: list[dict[str, Any]] = (
        [dict(turn) for turn in outcome.transcript]
        if outcome.transcript
        else [
            {"speaker": t.speaker.value, "text": t.text, "offset_s": t.offset_s, "end_s": t.end_s}
            for t in conversation.turns
        ]
    )
    sentiments = outcome.turn_sentiments
    return [
        TrialTurn(
            speaker=str(turn.get("speaker") or ""),
            text=str(turn.get("text") or ""),
            offset_s=_number(turn.get("offset_s")),
            end_s=_number(turn.get("end_s")),
            sentiment=sentiments[index] if index < len(sentiments) else None,
        )
        for index, turn in enumerate(seen)
    ]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
