"""What a user browses besides workflows: integrations and conversations (pipelines: services/pipelines).

Contract:
- Conversations are only ever answered through the user's own data-access rules (integrations,
  teams, agents): a listing never includes, and a look-up by id answers NotFound for, a
  conversation outside them — the same answer as for an id that does not exist.
- Integrations are listed when the rules allow their name; each with how many of its conversations
  the user may see.
- A push integration gets a random token, answered once; only its SHA-256 digest is kept
  (`config.token_sha256`), and `push_token_matches` checks a presented token against it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session, undefer

from redflare.adapters.db.conversations import turn_count
from redflare.adapters.db.orm import AnalysisResult, Integration, Pipeline
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.selection import access_clause
from redflare.domain.access import AccessRules
from redflare.domain.errors import Conflict, InvalidInput, Issue, NotFound

INTEGRATION_KINDS = ("push", "folder")
TOKEN_PREFIX = "rfi_"
TOKEN_DIGEST_KEY = "token_sha256"
NAME_MAX = 100


@dataclass(frozen=True)
class ConversationSummary:
    """The appendix-B columns, plus the customer and how many turns the conversation has."""

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


@dataclass(frozen=True)
class ResultInfo:
    """One stored analysis of the conversation by one pipeline version."""

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
    evidence: dict[str, dict[str, Any] | None]  # per criterion: what decided it (scorecard.evidence_of), or None
    transcript: list[dict[str, Any]]  # an audio conversation's turns as transcribed; empty for text
    credits: Decimal
    run_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class ConversationDetail(ConversationSummary):
    metadata: dict[str, Any]
    has_audio: bool
    turns: list[dict[str, Any]]
    results: list[ResultInfo]


@dataclass(frozen=True)
class IntegrationInfo:
    id: int
    name: str
    kind: str
    config: dict[str, Any]  # without the token's digest
    conversations: int
    created_at: datetime


# What a conversation search looks in: what identifies a conversation to a person (never the turns' text).
SEARCHED = (
    ConversationRow.id,
    ConversationRow.agent,
    ConversationRow.customer,
    ConversationRow.team,
    ConversationRow.queue,
)


def list_conversations(
    session: Session,
    *,
    access: AccessRules,
    integration: str | None = None,
    team: str | None = None,
    agent: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[ConversationSummary]]:
    """How many conversations match (within the rules), and one page of them, newest first.

    `search` finds its text, in any case, inside the id, agent, customer, team or queue (`%` and `_` are literal).
    """
    where = _visible(access)
    for column, value in (
        (Integration.name, integration),
        (ConversationRow.team, team),
        (ConversationRow.agent, agent),
    ):
        if value is not None:
            where = where & (column == value)
    if search is not None:
        where = where & or_(*(column.icontains(search, autoescape=True) for column in SEARCHED))
    total = session.scalar(_joined(select(func.count(ConversationRow.id))).where(where)) or 0
    query = (
        _summary_query(session)
        .where(where)
        .order_by(ConversationRow.started_at.desc().nulls_last(), ConversationRow.id)
        .limit(limit)
        .offset(offset)
    )
    return int(total), [_summary(row) for row in session.execute(query)]


def get_conversation(session: Session, *, access: AccessRules, conversation_id: str) -> ConversationDetail:
    """One conversation with its turns and every stored analysis; NotFound if missing or outside the rules."""
    query = _summary_query(session).add_columns(
        ConversationRow.extra, ConversationRow.audio, ConversationRow.turns.label("turn_list")
    )
    row = session.execute(query.where(_visible(access) & (ConversationRow.id == conversation_id))).first()
    if row is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    # The deferred JSON columns come in the same query: one statement for every result, not one per result.
    results = session.execute(
        select(AnalysisResult, Pipeline.name)
        .options(
            undefer(AnalysisResult.turn_sentiments),
            undefer(AnalysisResult.evidence),
            undefer(AnalysisResult.transcript),
        )
        .join(Pipeline, Pipeline.id == AnalysisResult.pipeline_id)
        .where(AnalysisResult.conversation_id == conversation_id)
        .order_by(Pipeline.name, AnalysisResult.pipeline_version)
    )
    return ConversationDetail(
        **_summary_fields(row),
        metadata=dict(row.extra or {}),
        has_audio=bool(row.audio),
        turns=list(row.turn_list or []),
        results=[_result(result, name) for result, name in results],
    )


def list_integrations(session: Session, *, access: AccessRules) -> list[IntegrationInfo]:
    """The integrations the rules allow, by name, each with how many of its conversations the user may see."""
    within = access_clause(AccessRules(teams=access.teams, agents=access.agents))
    joined = (ConversationRow.integration_id == Integration.id) & (within if within is not None else true())
    query = (
        select(Integration, func.count(ConversationRow.id))
        .outerjoin(ConversationRow, joined)
        .group_by(Integration.id)
        .order_by(Integration.name)
    )
    if access.integrations is not None:
        query = query.where(Integration.name.in_(sorted(access.integrations)))
    return [_integration(row, count) for row, count in session.execute(query)]


def create_integration(
    session: Session, *, name: str, kind: str, config: dict[str, Any], now: datetime
) -> tuple[IntegrationInfo, str | None]:
    """A new push or folder integration; a push one comes with its token (returned once, stored as a digest)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("the integration needs a name", [Issue("name", f"give 1 to {NAME_MAX} characters")])
    if kind not in INTEGRATION_KINDS:
        raise InvalidInput(f"unknown kind {kind!r}", [Issue("kind", f"use one of {', '.join(INTEGRATION_KINDS)}")])
    stored = {key: value for key, value in config.items() if key != TOKEN_DIGEST_KEY}
    if kind == "folder" and not (isinstance(stored.get("path"), str) and stored["path"].strip()):
        raise InvalidInput("a folder integration needs a path", [Issue("config.path", "give the folder to read")])
    if session.scalar(select(Integration.id).where(Integration.name == name)) is not None:
        raise Conflict(f"an integration {name!r} already exists")
    token = None
    if kind == "push":
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        stored[TOKEN_DIGEST_KEY] = _digest(token)
    integration = Integration(name=name, kind=kind, config=stored, created_at=now)
    session.add(integration)
    session.flush()
    return _integration(integration, 0), token


def push_token_matches(config: dict[str, Any], token: str) -> bool:
    """Whether `token` is the push integration's token (compared in constant time)."""
    digest = config.get(TOKEN_DIGEST_KEY)
    return isinstance(digest, str) and hmac.compare_digest(digest, _digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _visible(access: AccessRules) -> ColumnElement[bool]:
    clause = access_clause(access)
    return clause if clause is not None else true()


def _joined(query: Select[Any]) -> Select[Any]:
    return query.select_from(ConversationRow).join(Integration, Integration.id == ConversationRow.integration_id)


def _summary_query(session: Session) -> Select[Any]:
    return _joined(
        select(
            ConversationRow.id,
            Integration.name.label("integration"),
            ConversationRow.channel,
            ConversationRow.started_at,
            ConversationRow.duration_s,
            ConversationRow.agent,
            ConversationRow.team,
            ConversationRow.queue,
            ConversationRow.tags,
            ConversationRow.outcome,
            ConversationRow.language,
            ConversationRow.customer,
            turn_count(session).label("turn_count"),
        )
    )


def _summary(row: Any) -> ConversationSummary:
    return ConversationSummary(**_summary_fields(row))


def _summary_fields(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "integration": row.integration,
        "channel": row.channel,
        "started_at": row.started_at,
        "duration_s": row.duration_s,
        "agent": row.agent,
        "team": row.team,
        "queue": row.queue,
        "tags": list(row.tags or []),
        "outcome": row.outcome,
        "language": row.language,
        "customer": row.customer,
        "turn_count": int(row.turn_count),
    }


def _result(result: AnalysisResult, pipeline: str) -> ResultInfo:
    return ResultInfo(
        pipeline=pipeline,
        pipeline_version=result.pipeline_version,
        score=result.score,
        sentiment=result.sentiment,
        sentiment_label=result.sentiment_label,
        criteria=dict(result.criteria or {}),
        talk_ratio=result.talk_ratio,
        turns=result.turns,
        silence_s=result.silence_s,
        longest_silence_s=result.longest_silence_s,
        interruptions=result.interruptions,
        agent_response_s=result.agent_response_s,
        duration_s=result.duration_s,
        turn_sentiments=list(result.turn_sentiments or []),
        evidence={name: dict(found) if found is not None else None for name, found in (result.evidence or {}).items()},
        transcript=[dict(turn) for turn in result.transcript or []],
        credits=result.credits,
        run_id=result.run_id,
        created_at=result.created_at,
    )


def _integration(row: Integration, conversations: int) -> IntegrationInfo:
    return IntegrationInfo(
        id=row.id,
        name=row.name,
        kind=row.kind,
        config={key: value for key, value in (row.config or {}).items() if key != TOKEN_DIGEST_KEY},
        conversations=int(conversations),
        created_at=row.created_at,
    )
