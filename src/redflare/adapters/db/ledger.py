"""The never-bill-twice ledger and the spend guard (call limit, credits limit, cancellation).

Results are keyed by (conversation, pipeline, pipeline version). Settling a batch writes its results,
its charges and the run's totals in one transaction that first checks the run is still running:
once a cancel has committed, no batch can charge.

A result is charged only when this settle stored it: a conversation that already has a result of the version
is neither stored nor charged again (unless reprocessing, which replaces and charges), and the unique key on
(conversation, pipeline, version) holds that even when two runs store the same conversation at once.
Results and charges go in as driver-level executemany of ready values, past SQLAlchemy's per-row parameter
handling: settling is the feeding process's own cost per conversation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, cast

import polars as pl
from sqlalchemy import Column, Dialect, Insert, Table, bindparam, func, insert, literal, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.lifecycle import apply
from redflare.adapters.db.orm import AnalysisResult, Call, Charge, Conversation, Pipeline, Workflow
from redflare.adapters.db.pipelines import get_pipeline
from redflare.adapters.db.runs import add_run_totals, run_status
from redflare.adapters.db.selection import ID_CHUNK, driver_in_ids, in_ids, load_results
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.credits import ZERO, affordable, credits
from redflare.domain.errors import Cancelled, NotFound
from redflare.domain.lifecycle import LifecycleAction, WorkflowStatus, credits_limit_pause_reason
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus
from redflare.domain.workflow import Settings as Limits
from redflare.steps.context import StopCause

ROLLING_WINDOW = timedelta(hours=24)
_RESULTS = cast(Table, AnalysisResult.__table__)  # a plain Table: Core inserts skip the ORM
_CHARGES = cast(Table, Charge.__table__)
_CONVERSATIONS = cast(Table, Conversation.__table__)
_PIPELINES = cast(Table, Pipeline.__table__)
_KEY = ("conversation_id", "pipeline_id", "pipeline_version")
# A result row's columns, in the order `_result_values` gives them.
RESULT_COLUMNS = (
    *_KEY,
    "score",
    "sentiment",
    "sentiment_label",
    "criteria",
    "talk_ratio",
    "turns",
    "silence_s",
    "longest_silence_s",
    "interruptions",
    "agent_response_s",
    "duration_s",
    "turn_sentiments",
    "evidence",
    "transcript",
    "credits",
    "run_id",
    "created_at",
)
CHARGE_COLUMNS = (
    "workflow_id",
    "run_id",
    "step_id",
    "conversation_id",
    "pipeline_id",
    "pipeline_version",
    "amount",
    "at",
)


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


def calls_by_kind(session: Session, workflow_id: str, now: datetime) -> dict[str, int]:
    """The calls of the rolling 24 hours before `now`, by kind: "firing" (a run started: the trigger's) and
    "pipeline" (conversations sent to a pipeline). Their sum is `calls_in_window`."""
    rows = session.execute(
        select(Call.kind, func.coalesce(func.sum(Call.count), 0))
        .where(Call.workflow_id == workflow_id, Call.at > now - ROLLING_WINDOW)
        .group_by(Call.kind)
    )
    return {str(kind): int(total) for kind, total in rows}


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
        # conversation id → price, admitted but not yet settled: kept only under a credits limit (the one reader)
        self._reserved: dict[str, Decimal] = {}
        self._stop_reason: str | None = None
        self._stopped_by: StopCause | None = None

    @property
    def stop_reason(self) -> str | None:
        return self._stop_reason

    @property
    def stopped_by(self) -> StopCause | None:
        return self._stopped_by

    def _stop(self, cause: StopCause, reason: str) -> None:
        self._stopped_by, self._stop_reason = cause, reason

    def admit(self, priced: Sequence[tuple[str, Decimal]]) -> int:
        with self._lock:
            if self._stop_reason is not None:
                return 0
            now = self._clock.now()
            with self._sessions.begin() as session:
                if run_status(session, self._run_id) is not RunStatus.RUNNING:
                    self._stop("cancelled", "the run was cancelled")
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
                admitted = self._admissible(priced, calls, spent)
                if admitted:
                    if self._limits.credits_limit is not None:  # what admitted work may still cost: only a limit asks
                        self._reserved.update(priced[:admitted])
                    session.add(
                        Call(
                            workflow_id=self._workflow_id, run_id=self._run_id, kind="pipeline", count=admitted, at=now
                        )
                    )
                return admitted

    def _admissible(self, priced: Sequence[tuple[str, Decimal]], calls: int, spent: Decimal) -> int:
        """How many of `priced`, in order, the limits let start (stopping admission at the first refused)."""
        call_limit, credits_limit = self._limits.call_limit, self._limits.credits_limit
        if credits_limit is None:  # only calls to count: no conversation's price matters (100,000 checks: 0.1 s)
            admitted = len(priced) if call_limit is None else max(0, min(len(priced), call_limit - calls))
            if admitted < len(priced):
                self._stop("call_limit", f"call limit of {call_limit} calls in 24 hours reached")
            return admitted
        admitted = 0
        for _, price in priced:
            if call_limit is not None and calls + admitted >= call_limit:
                self._stop("call_limit", f"call limit of {call_limit} calls in 24 hours reached")
                break
            if not affordable(spent=spent, limit=credits_limit, price=price):
                self._stop("credits_limit", f"credits limit of {credits_limit} reached")
                break
            spent += price
            admitted += 1
        return admitted

    def settle(self, outcomes: Sequence[AnalysisOutcome], pipeline: PipelineDefinition, *, reprocess: bool) -> Decimal:
        with self._lock:
            if self._reserved:
                for outcome in outcomes:
                    self._reserved.pop(outcome.conversation_id, None)
            if self._test:
                if run_status_now(self._sessions, self._run_id) is not RunStatus.RUNNING:
                    raise Cancelled("the run was cancelled")
                return ZERO
            now = self._clock.now()
            with self._sessions.begin() as session:
                pipeline_id = _pipeline_id(session, pipeline.name)
                charged = self._store_results(
                    session, [o for o in outcomes if o.ok], pipeline, pipeline_id, reprocess=reprocess, now=now
                )
                amount = sum((o.credits for o in charged), ZERO)
                if not add_run_totals(session, run_id=self._run_id, credits=amount, processed=len(charged)):
                    session.rollback()
                    raise Cancelled("the run was cancelled")
                paid = [o for o in charged if o.credits > 0]
                if paid:
                    dialect = session.get_bind().dialect
                    at, amounts = _bound(_CHARGES.c.at, now, dialect), _amounts(_CHARGES.c.amount, paid, dialect)
                    common = (self._workflow_id, self._run_id, self._step_id)
                    charges = [
                        (*common, o.conversation_id, pipeline_id, pipeline.version, amounts[o.credits], at)
                        for o in paid
                    ]
                    _insert_many(session, "charges", CHARGE_COLUMNS, charges)
                self._check_credits_limit(session)
            return amount

    def settle_blank(
        self, blank: Sequence[str], failed: Sequence[str], pipeline: PipelineDefinition, *, reprocess: bool
    ) -> Decimal:
        assert pipeline.price(None) == ZERO, "a pipeline that does nothing costs nothing: no charge to write"
        with self._lock:
            if self._reserved:
                for conversation_id in (*blank, *failed):
                    self._reserved.pop(conversation_id, None)
            if self._test:
                if run_status_now(self._sessions, self._run_id) is not RunStatus.RUNNING:
                    raise Cancelled("the run was cancelled")
                return ZERO
            now = self._clock.now()
            unique = list(dict.fromkeys(blank))  # one listed twice is stored once
            with self._sessions.begin() as session:
                pipeline_id = _pipeline_id(session, pipeline.name)
                # No look-up of what is stored, no savepoint: the unique key decides, and the insert's row count
                # is what this settle wrote (every row when reprocessing: replaced or new).
                conflict: _Conflict = "replace" if reprocess else "skip"
                written = _insert_blank_ids(
                    session, unique, ZERO, pipeline_id, pipeline.version, self._run_id, now, conflict
                )
                stored = len(unique) if reprocess else written
                if not add_run_totals(session, run_id=self._run_id, credits=ZERO, processed=stored):
                    session.rollback()
                    raise Cancelled("the run was cancelled")
                self._check_credits_limit(session)
            return ZERO

    def _check_credits_limit(self, session: Session) -> None:
        """After a batch is stored: a credits limit reached pauses the workflow and stops admission."""
        if self._limits.credits_limit is not None:
            since = session.scalar(select(Workflow.credits_limit_since).where(Workflow.id == self._workflow_id))
            session.flush()
            spent = credits_spent(session, self._workflow_id, since)
            if spent >= self._limits.credits_limit:
                self._pause(session, spent)

    def _pause(self, session: Session, spent: Decimal) -> None:
        """The credits limit is reached: a live workflow pauses itself through its lifecycle (audited, with the
        reason); this run admits no more."""
        limit = self._limits.credits_limit
        assert limit is not None, "only a set credits limit pauses"
        self._stop("credits_limit", f"credits limit of {limit} reached")
        workflow = session.get(Workflow, self._workflow_id, with_for_update=True)
        if workflow is not None and workflow.status == WorkflowStatus.LIVE:
            reason = credits_limit_pause_reason(limit, spent)
            apply(session, workflow, LifecycleAction.AUTO_PAUSE, now=self._clock.now(), actor=None, reason=reason)

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
        firsts = _first_of_each(outcomes)
        dialect = session.get_bind().dialect
        created_at = _bound(_RESULTS.c.created_at, now, dialect)
        amounts = _amounts(_RESULTS.c.credits, firsts, dialect)

        def values(chosen: Sequence[AnalysisOutcome]) -> list[tuple[Any, ...]]:
            rows = [
                _result_values(o, pipeline_id, pipeline.version, amounts[o.credits], self._run_id, created_at)
                for o in chosen
            ]
            rows.sort(key=_by_conversation)
            return rows

        if reprocess:  # replaced or new, every row is written and charged
            _insert_many(session, "replace results", RESULT_COLUMNS, values(firsts))
            new = firsts
        else:
            # Written without looking first: the step left out what was stored when it began, so a stored key is
            # rare (another run since, or a conversation listed in two batches) and the unique key tells.
            new = firsts
            try:
                with session.begin_nested():
                    self._insert_new(session, new, values, pipeline_id, pipeline.version, now)
            except IntegrityError:
                stored = _stored_ids(session, [o.conversation_id for o in firsts], pipeline_id, pipeline.version)
                new = [o for o in firsts if o.conversation_id not in stored]
                if new:
                    try:
                        with session.begin_nested():
                            self._insert_new(session, new, values, pipeline_id, pipeline.version, now)
                    except IntegrityError:
                        # Another run stored some of them since the look-up (PostgreSQL; SQLite's writers queue
                        # at BEGIN): the unique key decides, and this settle charges only the rows it wrote.
                        rows = [_result_row(o, pipeline_id, pipeline.version, self._run_id, now) for o in new]
                        statement = _upsert(dialect, replace=False).returning(_RESULTS.c.conversation_id)
                        written = set(session.scalars(statement, rows))
                        new = [o for o in new if o.conversation_id in written]
        _fill_unknown_durations(session, firsts)
        return new

    def _insert_new(
        self,
        session: Session,
        new: Sequence[AnalysisOutcome],
        values: Callable[[Sequence[AnalysisOutcome]], list[tuple[Any, ...]]],
        pipeline_id: int,
        version: int,
        now: datetime,
    ) -> None:
        """Insert results none of which is stored yet (an IntegrityError if one is)."""
        blank = [o for o in new if _blank(o)]  # a pipeline that does nothing: all of them
        _insert_blank(session, blank, pipeline_id, version, self._run_id, now)
        if len(blank) < len(new):
            _insert_many(session, "results", RESULT_COLUMNS, values([o for o in new if not _blank(o)]))


_PIPELINE_ID = select(_PIPELINES.c.id).where(_PIPELINES.c.name == bindparam("name"), _PIPELINES.c.archived.is_(False))


def _pipeline_id(session: Session, name: str) -> int:
    """The row id of the pipeline called `name` (NotFound when missing or archived, as `get_pipeline` says): what
    settling needs of it, without reading and validating its definition again for every batch."""
    found = session.execute(_PIPELINE_ID, {"name": name}).scalar()
    if found is None:
        raise NotFound(f"no pipeline {name!r}")
    return int(found)


def _first_of_each(outcomes: Sequence[AnalysisOutcome]) -> list[AnalysisOutcome]:
    """The first outcome of each conversation: one listed twice is stored and charged once."""
    first: dict[str, AnalysisOutcome] = {}
    for outcome in outcomes:
        first.setdefault(outcome.conversation_id, outcome)
    return list(first.values())


def _upsert(dialect: Dialect, *, replace: bool) -> Insert:
    """Insert results; on a stored key replace the row (`replace`) or leave it."""
    statement = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(_RESULTS)
    if replace:
        updated = {k: statement.excluded[k] for k in RESULT_COLUMNS if k not in _KEY}
        return statement.on_conflict_do_update(index_elements=list(_KEY), set_=updated)
    return statement.on_conflict_do_nothing(index_elements=list(_KEY))


def _stored_ids(session: Session, ids: Sequence[str], pipeline_id: int, version: int) -> set[str]:
    """Which of these conversations already have a result of this pipeline version."""
    found: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        found.update(
            session.scalars(
                select(_RESULTS.c.conversation_id).where(
                    _RESULTS.c.pipeline_id == pipeline_id,
                    _RESULTS.c.pipeline_version == version,
                    in_ids(_RESULTS.c.conversation_id, ids[start : start + ID_CHUNK], session.get_bind().dialect.name),
                )
            )
        )
    return found


def _fill_unknown_durations(session: Session, outcomes: Sequence[AnalysisOutcome]) -> None:
    """A conversation imported without a length (an audio call) takes the analysed one, so the set's
    `duration_s` column, Select Conversations' conditions and later prices see it; a known length is kept.

    Almost every conversation's length is known (and an outcome's duration then is that length): one look-up on
    the driver's cursor finds the few without, and only those are updated."""
    analysed = {o.conversation_id: o.duration_s for o in outcomes if o.duration_s is not None}
    if not analysed:
        return
    connection = session.connection()
    condition, bound = driver_in_ids(list(analysed), connection.dialect.name)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT id FROM {_CONVERSATIONS.name} WHERE duration_s IS NULL AND id {condition}", (bound,))
        unknown = [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()
    if not unknown:
        return
    statement = (
        update(_CONVERSATIONS)
        .where(_CONVERSATIONS.c.id == bindparam("conversation"), _CONVERSATIONS.c.duration_s.is_(None))
        .values(duration_s=bindparam("analysed"))
    )
    session.execute(statement, [{"conversation": i, "analysed": analysed[i]} for i in unknown])


_Kind = Literal["results", "replace results", "charges"]


def _insert_many(session: Session, kind: _Kind, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows of driver-ready values (in `columns` order) in one DB-API executemany of the `kind` of insert.

    SQLAlchemy still writes the SQL for the dialect (once per process: `_driver_sql`); its per-row parameter
    handling, which cost three times the insert itself (about 20 µs a row against 7 on SQLite), is skipped:
    values come bound already (`_bound`, `_json`)."""
    if not rows:
        return
    connection = session.connection()
    sql, order = _driver_sql(kind, columns, connection.dialect)
    if order is not None:  # SQLite's "?": tuples in the statement's order
        if list(columns) != order:
            index = [columns.index(name) for name in order]
            rows = [tuple(row[i] for i in index) for row in rows]
        connection.exec_driver_sql(sql, list(rows))
    else:  # psycopg's %(name)s
        connection.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])


_compiled: dict[tuple[str, Sequence[str], str, str], tuple[str, list[str] | None]] = {}


def _driver_sql(kind: _Kind, columns: Sequence[str], dialect: Dialect) -> tuple[str, list[str] | None]:
    """The `kind` of insert's SQL for this dialect and, when it binds by position, the columns' order: compiled
    once per process (a compile cost a few ms a batch; a new engine, as each `redflare run` makes, has no cache
    of its own yet)."""
    key = (kind, columns, dialect.name, str(dialect.paramstyle))
    found = _compiled.get(key)
    if found is None:
        if kind == "charges":
            statement = insert(_CHARGES)
        else:
            statement = _upsert(dialect, replace=True) if kind == "replace results" else insert(_RESULTS)
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        found = _compiled[key] = (compiled.string, list(compiled.positiontup or []) if compiled.positional else None)
    return found


def _blank(o: AnalysisOutcome) -> bool:
    """An outcome with no value but its credits: what a pipeline that does nothing gives (`steps/stageless.py`)."""
    return (
        o.score is None
        and o.sentiment is None
        and o.sentiment_label is None
        and o.talk_ratio is None
        and o.turns is None
        and o.silence_s is None
        and o.longest_silence_s is None
        and o.interruptions is None
        and o.agent_response_s is None
        and o.duration_s is None
        and not (o.criteria or o.turn_sentiments or o.evidence or o.transcript)
    )


def _insert_blank(
    session: Session, outcomes: Sequence[AnalysisOutcome], pipeline_id: int, version: int, run_id: str, now: datetime
) -> None:
    """Blank results (`_blank`: a pipeline that does nothing), grouped by credits (a free pipeline: one group),
    each group in one statement that binds no row (`_insert_blank_ids`)."""
    by_amount: dict[Decimal, list[str]] = {}
    for outcome in outcomes:
        by_amount.setdefault(outcome.credits, []).append(outcome.conversation_id)
    for amount, ids in by_amount.items():
        _insert_blank_ids(session, ids, amount, pipeline_id, version, run_id, now, "fail")


_Conflict = Literal["fail", "skip", "replace"]


def _insert_blank_ids(
    session: Session,
    ids: Sequence[str],
    amount: Decimal,
    pipeline_id: int,
    version: int,
    run_id: str,
    now: datetime,
    conflict: _Conflict,
) -> int:
    """Blank results for `ids`, all of `amount` credits, in one statement that binds no row: the ids go as one JSON
    array the database turns into rows (SQLite's json_each, PostgreSQL's jsonb_array_elements_text), every other
    column is the same for all. 100,000 rows bound one by one took about 2 s; this about 0.25 s. On a stored key:
    an IntegrityError ("fail"), the stored row kept ("skip") or replaced ("replace"). Answers the rows written."""
    if not ids:
        return 0
    dialect = session.get_bind().dialect
    postgres = dialect.name == "postgresql"
    source = (
        func.jsonb_array_elements_text(literal(sorted(ids), postgresql.JSONB))
        if postgres
        else func.json_each(json.dumps(sorted(ids)))  # in key order: `_by_conversation`
    ).table_valued("value")
    same = {
        "pipeline_id": pipeline_id,
        "pipeline_version": version,
        "criteria": {},
        "turn_sentiments": [],
        "evidence": {},
        "transcript": [],
        "credits": amount,
        "run_id": run_id,
        "created_at": now,
    }
    chosen = [c for c in RESULT_COLUMNS if c == "conversation_id" or c in same]
    row = [source.c.value if c == "conversation_id" else literal(same[c], _RESULTS.c[c].type) for c in chosen]
    # "WHERE true": SQLite would read the ON CONFLICT of an INSERT … SELECT … FROM as a join's ON without it.
    rows = select(*row).select_from(source).where(true())
    if conflict == "fail":
        statement: Insert = insert(_RESULTS).from_select(chosen, rows)
    else:
        statement = _upsert(dialect, replace=conflict == "replace").from_select(chosen, rows)
    # preserve_rowcount: SQLAlchemy reads an INSERT's row count from the cursor only when asked (psycopg's is gone
    # once the cursor closes).
    written = session.execute(statement, execution_options={"preserve_rowcount": True})
    return int(written.rowcount)  # type: ignore[attr-defined]


def _by_conversation(row: tuple[Any, ...]) -> Any:
    """A result row's conversation id (its first value): results go in in that order, so each row's foreign key
    check finds its conversation, and the unique key takes its entry, next to the previous row's instead of
    anywhere in the index (a batch comes in the order its conversations were selected: newest first). SQLite,
    100,000 blank results: 0.47 → 0.33 s of CPU."""
    return row[0]


def _bound(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    """`value` as the column's type binds it on this dialect (e.g. a UTC datetime as SQLite's text)."""
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    return value if processor is None else processor(value)


def _amounts(column: Column[Any], outcomes: Iterable[AnalysisOutcome], dialect: Dialect) -> dict[Decimal, Any]:
    """Each distinct credit amount of the outcomes, bound once (a batch has one or a few)."""
    return {amount: _bound(column, amount, dialect) for amount in {o.credits for o in outcomes}}


def _json(value: list[Any] | dict[str, Any]) -> str:
    """JSON text as the JSON column type writes it (`json.dumps`); an empty one without encoding it."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value)


def _result_values(
    outcome: AnalysisOutcome, pipeline_id: int, version: int, amount: Any, run_id: str, created_at: Any
) -> tuple[Any, ...]:
    """A result row, bound, in `RESULT_COLUMNS` order (the JSON columns as text: PostgreSQL reads it as jsonb)."""
    return (
        outcome.conversation_id,
        pipeline_id,
        version,
        outcome.score,
        outcome.sentiment,
        outcome.sentiment_label,
        _json(outcome.criteria),
        outcome.talk_ratio,
        outcome.turns,
        outcome.silence_s,
        outcome.longest_silence_s,
        outcome.interruptions,
        outcome.agent_response_s,
        outcome.duration_s,
        _json(outcome.turn_sentiments),
        _json(outcome.evidence),
        _json(outcome.transcript),  # "[]" for text conversations, encoding nothing
        amount,
        run_id,
        created_at,
    )


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
