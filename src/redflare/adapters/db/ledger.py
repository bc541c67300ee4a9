"""The never-bill-twice ledger and the spend guard (call limit, credits limit, cancellation).

Results are keyed by (conversation, pipeline, pipeline version). Settling a batch writes its results,
its charges and the run's totals in one transaction that first checks the run is still running:
once a cancel has committed, no batch can charge.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import polars as pl
from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.orm import AnalysisResult, Call, Charge, Conversation, Workflow
from redflare.adapters.db.pipelines import get_pipeline
from redflare.adapters.db.runs import add_run_totals, run_status
from redflare.adapters.db.selection import load_results
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.credits import ZERO, affordable, credits
from redflare.domain.errors import Cancelled
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus
from redflare.domain.workflow import Settings as Limits

ROLLING_WINDOW = timedelta(hours=24)
_RESULTS = cast(Table, AnalysisResult.__table__)  # a plain Table: Core inserts skip the ORM
_CHARGES = cast(Table, Charge.__table__)
_CONVERSATIONS = cast(Table, Conversation.__table__)


class SqlResultLedger:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def stored(self, ids: Sequence[str], pipeline: PipelineDefinition) -> pl.DataFrame:
        with self._sessions() as session:
            pipeline_id, _ = get_pipeline(session, pipeline.name)
            return load_results(session, ids, pipeline_id, pipeline)


def calls_in_window(session: Session, workflow_id: str, now: datetime) -> int:
    """Calls the workflow made in the rolling 24 hours before `now`."""
    total = session.scalar(
        select(func.coalesce(func.sum(Call.count), 0)).where(
            Call.workflow_id == workflow_id, Call.at > now - ROLLING_WINDOW
        )
    )
    return int(total or 0)


def credits_spent(session: Session, workflow_id: str, since: datetime | None) -> Decimal:
    """Credits charged to the workflow since its credits limit was set (or ever)."""
    query = select(func.sum(Charge.amount)).where(Charge.workflow_id == workflow_id)  # typed: comes back in credits
    if since is not None:
        query = query.where(Charge.at >= since)
    value = session.execute(query).scalar()
    return credits(value or 0)


class SqlSpendGuard:
    """One per Process Conversations step run; safe to call from the step's thread."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        *,
        run_id: str,
        workflow_id: str,
        step_id: str,
        limits: Limits,
        test: bool = False,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._run_id = run_id
        self._workflow_id = workflow_id
        self._step_id = step_id
        self._limits = limits
        self._test = test
        self._lock = threading.Lock()
        self._reserved: dict[str, Decimal] = {}  # conversation id → price, admitted but not yet settled
        self._stop_reason: str | None = None

    @property
    def stop_reason(self) -> str | None:
        return self._stop_reason

    def admit(self, priced: Sequence[tuple[str, Decimal]]) -> int:
        with self._lock:
            if self._stop_reason is not None:
                return 0
            now = self._clock.now()
            with self._sessions.begin() as session:
                if run_status(session, self._run_id) is not RunStatus.RUNNING:
                    self._stop_reason = "the run was cancelled"
                    return 0
                if self._test:
                    return len(priced)  # a test run spends nothing and counts no calls
                # Each sum scans the workflow's calls or charges, which grow with every batch: run them
                # only for a limit that is set (without one, nothing depends on them).
                calls = 0 if self._limits.call_limit is None else calls_in_window(session, self._workflow_id, now)
                spent = ZERO
                if self._limits.credits_limit is not None:
                    since = session.scalar(select(Workflow.credits_limit_since).where(Workflow.id == self._workflow_id))
                    spent = credits_spent(session, self._workflow_id, since) + sum(self._reserved.values(), ZERO)
                admitted = 0
                for _, price in priced:
                    if self._limits.call_limit is not None and calls + admitted >= self._limits.call_limit:
                        self._stop_reason = f"call limit of {self._limits.call_limit} calls in 24 hours reached"
                        break
                    if not affordable(spent=spent, limit=self._limits.credits_limit, price=price):
                        self._stop_reason = f"credits limit of {self._limits.credits_limit} reached"
                        break
                    spent += price
                    admitted += 1
                if admitted:
                    self._reserved.update(priced[:admitted])
                    session.add(
                        Call(
                            workflow_id=self._workflow_id, run_id=self._run_id, kind="pipeline", count=admitted, at=now
                        )
                    )
                return admitted

    def settle(self, outcomes: Sequence[AnalysisOutcome], pipeline: PipelineDefinition, *, reprocess: bool) -> Decimal:
        with self._lock:
            for outcome in outcomes:
                self._reserved.pop(outcome.conversation_id, None)
            if self._test:
                if run_status_now(self._sessions, self._run_id) is not RunStatus.RUNNING:
                    raise Cancelled("the run was cancelled")
                return ZERO
            now = self._clock.now()
            with self._sessions.begin() as session:
                pipeline_id, _ = get_pipeline(session, pipeline.name)
                charged = self._store_results(
                    session, [o for o in outcomes if o.ok], pipeline, pipeline_id, reprocess=reprocess, now=now
                )
                amount = sum((o.credits for o in charged), ZERO)
                if not add_run_totals(session, run_id=self._run_id, credits=amount, processed=len(charged)):
                    session.rollback()
                    raise Cancelled("the run was cancelled")
                charges = [
                    {
                        "workflow_id": self._workflow_id,
                        "run_id": self._run_id,
                        "step_id": self._step_id,
                        "conversation_id": o.conversation_id,
                        "pipeline_id": pipeline_id,
                        "pipeline_version": pipeline.version,
                        "amount": o.credits,
                        "at": now,
                    }
                    for o in charged
                    if o.credits > 0
                ]
                if charges:  # one Core executemany: the ORM's per-row bookkeeping cost more than the rows
                    session.execute(insert(_CHARGES), charges)
                if self._limits.credits_limit is not None:
                    since = session.scalar(select(Workflow.credits_limit_since).where(Workflow.id == self._workflow_id))
                    session.flush()
                    spent = credits_spent(session, self._workflow_id, since)
                    if spent >= self._limits.credits_limit:
                        self._pause(session, spent)
            return amount

    def _pause(self, session: Session, spent: Decimal) -> None:
        """The credits limit is passed: the workflow pauses itself and says why; this run admits no more."""
        reason = f"Paused automatically: credits limit of {self._limits.credits_limit} exceeded ({spent} spent)."
        self._stop_reason = f"credits limit of {self._limits.credits_limit} reached"
        session.execute(
            update(Workflow)
            .where(Workflow.id == self._workflow_id)
            .values(status=func.replace(Workflow.status, "live", "paused"), paused_reason=reason)
        )

    def _store_results(
        self,
        session: Session,
        outcomes: Sequence[AnalysisOutcome],
        pipeline: PipelineDefinition,
        pipeline_id: int,
        *,
        reprocess: bool,
        now: datetime,
    ) -> list[AnalysisOutcome]:
        """Write results; return the outcomes that count as new work (and so are charged)."""
        if not outcomes:
            return []
        rows = [_result_row(o, pipeline_id, pipeline.version, self._run_id, now) for o in outcomes]
        dialect = session.get_bind().dialect.name
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = upsert(_RESULTS)  # the table, not the entity: Core executemany, no per-row ORM work
        keys = ["conversation_id", "pipeline_id", "pipeline_version"]
        if reprocess:
            updated = {k: statement.excluded[k] for k in rows[0] if k not in keys}
            statement = statement.on_conflict_do_update(index_elements=keys, set_=updated)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        written = set(session.scalars(statement.returning(_RESULTS.c.conversation_id), rows))
        _fill_unknown_durations(session, outcomes)
        return [o for o in outcomes if o.conversation_id in written]


def _fill_unknown_durations(session: Session, outcomes: Sequence[AnalysisOutcome]) -> None:
    """A conversation imported without a length (an audio call) takes the analysed one, so the set's
    `duration_s` column, Select Conversations' conditions and later prices see it; a known length is kept."""
    durations = [
        {"conversation": o.conversation_id, "analysed": o.duration_s} for o in outcomes if o.duration_s is not None
    ]
    if not durations:
        return
    statement = (
        update(_CONVERSATIONS)
        .where(_CONVERSATIONS.c.id == bindparam("conversation"), _CONVERSATIONS.c.duration_s.is_(None))
        .values(duration_s=bindparam("analysed"))
    )
    session.execute(statement, durations)


def run_status_now(sessions: sessionmaker[Session], run_id: str) -> RunStatus:
    with sessions() as session:
        return run_status(session, run_id)


def _result_row(outcome: AnalysisOutcome, pipeline_id: int, version: int, run_id: str, now: datetime) -> dict[str, Any]:
    return {
        "conversation_id": outcome.conversation_id,
        "pipeline_id": pipeline_id,
        "pipeline_version": version,
        "score": outcome.score,
        "sentiment": outcome.sentiment,
        "sentiment_label": outcome.sentiment_label,
        "criteria": outcome.criteria,
        "talk_ratio": outcome.talk_ratio,
        "turns": outcome.turns,
        "silence_s": outcome.silence_s,
        "longest_silence_s": outcome.longest_silence_s,
        "interruptions": outcome.interruptions,
        "agent_response_s": outcome.agent_response_s,
        "duration_s": outcome.duration_s,
        "turn_sentiments": outcome.turn_sentiments,
        "evidence": outcome.evidence,
        "transcript": outcome.transcript,
        "credits": outcome.credits,
        "run_id": run_id,
        "created_at": now,
    }
