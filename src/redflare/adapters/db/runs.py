"""Repository of runs and step runs. Every status change goes through here and appends a history row.

Status changes are conditional UPDATEs (`… WHERE status IN (allowed predecessors)`), so two
writers racing (the engine finishing, a user cancelling) can never both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, Table, Update, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.driver import DriverStatement
from redflare.adapters.db.orm import Artifact, Call, Charge, Export, OutboxMessage, Run, RunEvent, StepRun, table_of
from redflare.domain.errors import IllegalTransition, NotFound
from redflare.domain.runs import RUN_ALLOWED, STEP_ALLOWED, RunStatus, StepStatus

# The engine moves runs and steps many times a second: these statements are Core over the tables (no ORM
# unit of work) and built once (`cache`), with bound parameters named `b_…` (a column's own name is reserved for
# its SET value). The moves, the history rows and the status reads run on the driver's cursor (`DriverStatement`),
# in the transaction of the session or connection given (the engine's store calls take a plain connection).
_RUNS = table_of(Run)
_STEPS = table_of(StepRun)
_EVENTS = table_of(RunEvent)
_CALLS = table_of(Call)
_EVENT_KEYS = ("run_id", "step_id", "status", "reason", "at")
_RUN_KEYS = (
    "id",
    "workflow_id",
    "number",
    "version",
    "status",
    "trigger_type",
    "trigger_payload",
    "test",
    "idempotency_key",
    "definition",
    "created_at",
    "credits",
    "conversations_processed",
)
_STEP_KEYS = ("run_id", "step_id", "type", "status", "outputs", "tally")
_CALL_KEYS = ("workflow_id", "run_id", "kind", "count", "at")
_INSERT_RUN = DriverStatement(insert(_RUNS).inline(), keys=_RUN_KEYS)
_INSERT_STEPS = DriverStatement(insert(_STEPS).inline(), keys=_STEP_KEYS)
_INSERT_CALL = DriverStatement(insert(_CALLS).inline(), keys=_CALL_KEYS)
_NEXT_NUMBER = DriverStatement(
    select(func.max(_RUNS.c.number)).where(_RUNS.c.workflow_id == bindparam("b_workflow_id"))
)
_RUN_STATUS = DriverStatement(select(_RUNS.c.status).where(_RUNS.c.id == bindparam("b_run_id")))
_STEP_STATUS = DriverStatement(
    select(_STEPS.c.status).where(_STEPS.c.run_id == bindparam("b_run_id"), _STEPS.c.step_id == bindparam("b_step_id"))
)
_STATES = DriverStatement(
    select(_RUNS.c.status, _STEPS.c.step_id, _STEPS.c.status)
    .join_from(_RUNS, _STEPS, _STEPS.c.run_id == _RUNS.c.id, isouter=True)
    .where(_RUNS.c.id == bindparam("b_run_id"))
)
_STEP_SPEND = select(func.sum(Charge.amount)).where(
    Charge.run_id == bindparam("b_run_id"), Charge.step_id == bindparam("b_step_id")
)


Db = Session | Connection
"""Where a status move is written: a session (the services' transactions) or a connection (the engine's)."""


def connection_of(db: Db) -> Connection:
    """The connection of `db`'s transaction; a session's pending ORM changes are flushed first, as an ORM statement
    would (autoflush): changes made through objects go before the rows written beside them."""
    if isinstance(db, Connection):
        return db
    db.flush()
    return db.connection()


@cache
def _event_insert(keys: frozenset[str]) -> DriverStatement:
    ordered = sorted(keys)
    return DriverStatement(insert(_EVENTS).inline(), keys=ordered)


def _append_event(db: Db, **values: Any) -> None:
    """One row of the run's history, written at once (no ORM object)."""
    _event_insert(frozenset(values)).execute(connection_of(db), values)


def append_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Rows of the run's history with the same columns, in one call to the driver."""
    if rows:
        _event_insert(frozenset(rows[0])).execute_many(connection, rows)


def _predecessors_run(to: RunStatus) -> list[str]:
    return [str(s) for s, allowed in RUN_ALLOWED.items() if to in allowed]


def _predecessors_step(to: StepStatus) -> list[str]:
    return [str(s) for s, allowed in STEP_ALLOWED.items() if to in allowed]


def _bound(table: Table, columns: frozenset[str]) -> dict[str, Any]:
    """SET values bound as `b_<column>`, typed as their column (JSON, credits)."""
    return {name: bindparam(f"b_{name}", type_=table.c[name].type) for name in sorted(columns)}


@dataclass(frozen=True)
class QueuedRun:
    """A run just created: its id, its number within the workflow, and the rows written (column → value, as
    inserted: what a read of them right after would give, before the engine touches them)."""

    id: str
    number: int
    row: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[Mapping[str, Any], ...] = ()


def create_run(
    session: Session,
    *,
    workflow_id: str,
    version: int | None,
    definition: dict[str, Any],
    steps: dict[str, str],
    trigger_type: str,
    trigger_payload: dict[str, Any],
    test: bool,
    idempotency_key: str | None,
    now: datetime,
    counts_call: bool = False,
) -> QueuedRun:
    """A queued run with every step pending; `steps` maps step id → type. `counts_call`: the run is a firing and
    counts one call against the workflow's call limit."""
    connection = connection_of(session)  # what the caller added (a new workflow) is written before rows pointing at it
    latest = _NEXT_NUMBER.execute(connection, {"b_workflow_id": workflow_id}).fetchone()
    number = (latest[0] if latest is not None and latest[0] is not None else 0) + 1
    run_id = uuid.uuid4().hex
    row = {
        "id": run_id,
        "workflow_id": workflow_id,
        "number": number,
        "version": version,
        "status": str(RunStatus.QUEUED),
        "trigger_type": trigger_type,
        "trigger_payload": trigger_payload,
        "test": test,
        "idempotency_key": idempotency_key,
        "definition": definition,
        "created_at": now,
        "credits": Decimal(0),
        "conversations_processed": 0,
    }
    _INSERT_RUN.execute(connection, row)
    step_rows = [
        {
            "run_id": run_id,
            "step_id": step_id,
            "type": step_type,
            "status": str(StepStatus.PENDING),
            "outputs": {},
            "tally": {},
        }
        for step_id, step_type in steps.items()
    ]
    if step_rows:
        _INSERT_STEPS.execute_many(connection, step_rows)
    _append_event(connection, run_id=run_id, step_id=None, status=str(RunStatus.QUEUED), reason=None, at=now)
    if counts_call:
        _INSERT_CALL.execute(
            connection, {"workflow_id": workflow_id, "run_id": run_id, "kind": "firing", "count": 1, "at": now}
        )
    return QueuedRun(run_id, number, row, tuple(step_rows))


_RUN_ROW = select(_RUNS).where(_RUNS.c.id == bindparam("b_run_id"))
_STEP_ROWS = select(_STEPS).where(_STEPS.c.run_id == bindparam("b_run_id"))
_DELIVERED = select(
    exists().where(table_of(Export).c.run_id == bindparam("b_run_id")),
    exists().where(table_of(OutboxMessage).c.run_id == bindparam("b_run_id")),
)


def run_row(session: Session, run_id: str) -> Row[Any] | None:
    """The run's row as it is in the store now (a Core read: never an object the session holds from before)."""
    return session.execute(_RUN_ROW, {"b_run_id": run_id}).first()


def step_rows(session: Session, run_id: str) -> list[Row[Any]]:
    """The run's step rows as they are in the store now, in no particular order."""
    return list(session.execute(_STEP_ROWS, {"b_run_id": run_id}))


def delivered(session: Session, run_id: str) -> bool:
    """Whether the run has any export or outbox message (the run resource reads them only then)."""
    row = session.execute(_DELIVERED, {"b_run_id": run_id}).one()
    return bool(row[0] or row[1])


def get_run(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"no run {run_id!r}")
    return run


def transition_run(
    session: Db,
    *,
    run_id: str,
    to: RunStatus,
    now: datetime,
    reason: str | None = None,
    error: str | None = None,
    from_: RunStatus | None = None,
) -> None:
    """Move a run to `to`; raises IllegalTransition if its current status does not allow it.

    `from_` narrows the move to runs in that one status (a re-run reopens failed runs, never queued ones).
    """
    connection = connection_of(session)
    params: dict[str, Any] = {"b_run_id": run_id, "b_now": now}
    if error is not None:
        params["b_error"] = error
    if _run_move(to, from_, error is not None).execute(connection, params).rowcount != 1:
        current = _RUN_STATUS.execute(connection, {"b_run_id": run_id}).fetchone()
        if current is None:
            raise NotFound(f"no run {run_id!r}")
        raise IllegalTransition(f"a {current[0]} run cannot become {to}")
    _append_event(connection, run_id=run_id, step_id=None, status=str(to), reason=reason or error, at=now)


@cache
def _run_move(to: RunStatus, from_: RunStatus | None, with_error: bool) -> DriverStatement:
    predecessors = _predecessors_run(to)
    if from_ is not None:
        predecessors = [s for s in predecessors if s == str(from_)]
    now = bindparam("b_now", type_=_RUNS.c.started_at.type)
    values: dict[str, Any] = {"status": str(to)}
    if to is RunStatus.RUNNING:
        values.update(started_at=func.coalesce(_RUNS.c.started_at, now), finished_at=None, error=None)
    elif to in (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED):
        values["finished_at"] = now
        if with_error:
            values["error"] = bindparam("b_error", type_=_RUNS.c.error.type)
    return DriverStatement(
        update(_RUNS).where(_RUNS.c.id == bindparam("b_run_id"), _RUNS.c.status.in_(predecessors)).values(values)
    )


def transition_step(
    session: Db,
    *,
    run_id: str,
    step_id: str,
    to: StepStatus,
    now: datetime,
    reason: str | None = None,
    keep_result: bool = False,
    **fields: Any,
) -> None:
    """Move one step to `to`, setting its timing and any result fields given.

    Back to pending, its result fields are cleared unless `keep_result` (its recorded outputs stand).
    """
    connection = connection_of(session)
    params = {"b_run_id": run_id, "b_step_id": step_id, "b_now": now, **{f"b_{k}": v for k, v in fields.items()}}
    if _step_move(to, keep_result, frozenset(fields)).execute(connection, params).rowcount != 1:
        current = _STEP_STATUS.execute(connection, {"b_run_id": run_id, "b_step_id": step_id}).fetchone()
        if current is None:
            raise NotFound(f"run {run_id!r} has no step {step_id!r}")
        raise IllegalTransition(f"step {step_id!r} is {current[0]} and cannot become {to}")
    _append_event(connection, run_id=run_id, step_id=step_id, status=str(to), reason=reason, at=now)


@cache
def _step_move(to: StepStatus, keep_result: bool, fields: frozenset[str]) -> DriverStatement:
    values: dict[str, Any] = {"status": str(to), **_bound(_STEPS, fields)}
    now = bindparam("b_now", type_=_STEPS.c.started_at.type)
    if to is StepStatus.RUNNING:
        values["started_at"] = now
    elif to is StepStatus.PENDING and keep_result:
        values.update(started_at=None, finished_at=None, error=None, progress=None)
    elif to is StepStatus.PENDING:
        values.update(
            started_at=None,
            finished_at=None,
            error=None,
            rows_in=None,
            rows_out=None,
            outputs={},
            tally={},
            progress=None,
            credits=Decimal(0),
        )
    else:
        values["finished_at"] = now
    return DriverStatement(
        update(_STEPS)
        .where(
            _STEPS.c.run_id == bindparam("b_run_id"),
            _STEPS.c.step_id == bindparam("b_step_id"),
            _STEPS.c.status.in_(_predecessors_step(to)),
        )
        .values(values)
    )


RERUN_REASON = "re-run from the failed step"
_RESETTABLE = (StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED)


def reopen_run(session: Db, *, run_id: str, now: datetime) -> list[str]:
    """Put a failed run back to work from its failed step; returns the steps set back to pending.

    The run goes failed → running (IllegalTransition for any other status) and its failed, skipped and
    cancelled steps go back to pending; completed steps keep their status, counts and stored outputs, so
    the engine reads their sets from the artifacts instead of running them again. A reset step whose outputs
    were recorded (a delivery step cut off while its emails went out) keeps its counts: the engine reconciles
    it. The time it stood failed is added to its `idle_s`: its runtime counts the work, not the wait for
    somebody to re-run it.
    """
    failed_at = session.scalar(select(Run.finished_at).where(Run.id == run_id))
    transition_run(session, run_id=run_id, to=RunStatus.RUNNING, now=now, reason=RERUN_REASON, from_=RunStatus.FAILED)
    if failed_at is not None:
        idle = max(0.0, (now - failed_at).total_seconds())
        session.execute(
            update(Run).where(Run.id == run_id).values(idle_s=Run.idle_s + idle),
            execution_options={"synchronize_session": False},
        )
    reset = [step_id for step_id, status in step_states(session, run_id).items() if status in _RESETTABLE]
    recorded = set(session.scalars(select(Artifact.step_id).where(Artifact.run_id == run_id)))
    for step_id in sorted(reset):
        transition_step(
            session,
            run_id=run_id,
            step_id=step_id,
            to=StepStatus.PENDING,
            now=now,
            reason=RERUN_REASON,
            keep_result=step_id in recorded,
        )
    return sorted(reset)


def run_and_step_states(session: Db, run_id: str) -> tuple[RunStatus, dict[str, StepStatus]]:
    """The run's status and each step's, in one query (the runner asks this after every step)."""
    rows = _STATES.execute(connection_of(session), {"b_run_id": run_id}).fetchall()
    if not rows:
        raise NotFound(f"no run {run_id!r}")
    return RunStatus(rows[0][0]), {step_id: StepStatus(status) for _, step_id, status in rows if step_id is not None}


def step_states(session: Db, run_id: str) -> dict[str, StepStatus]:
    rows = session.execute(select(StepRun.step_id, StepRun.status).where(StepRun.run_id == run_id))
    return {step_id: StepStatus(status) for step_id, status in rows}


def run_status(session: Db, run_id: str) -> RunStatus:
    row = _RUN_STATUS.execute(connection_of(session), {"b_run_id": run_id}).fetchone()
    if row is None:
        raise NotFound(f"no run {run_id!r}")
    return RunStatus(row[0])


def artifacts_of(session: Session, run_id: str, step_id: str) -> dict[str, Artifact]:
    rows = session.scalars(select(Artifact).where(Artifact.run_id == run_id, Artifact.step_id == step_id))
    return {artifact.port: artifact for artifact in rows}


def add_run_totals(session: Session, *, run_id: str, credits: Decimal, processed: int) -> bool:
    """Add spend to a run that is still running; False (and nothing written) if it no longer is.

    This is the fence that keeps a cancelled run from spending: the check and the write are one statement.
    """
    result = session.execute(
        update(Run)
        .where(Run.id == run_id, Run.status == str(RunStatus.RUNNING))
        .values(credits=Run.credits + credits, conversations_processed=Run.conversations_processed + processed),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def step_spend(session: Db, *, run_id: str, step_id: str) -> Decimal:
    """Credits charged by one step of a run so far (what a failed or cancelled step still cost)."""
    value = session.scalar(_STEP_SPEND, {"b_run_id": run_id, "b_step_id": step_id})
    return value if isinstance(value, Decimal) else Decimal(0)


def record_step_result(session: Session, *, run_id: str, step_id: str, **fields: Any) -> None:
    """Store a running step's result fields (counts, outputs, credits) while it stays running.

    A delivery step records what it produced with its messages, then waits for them to be sent before
    it completes; IllegalTransition if the step is no longer running.
    """
    params = {"b_run_id": run_id, "b_step_id": step_id, **{f"b_{k}": v for k, v in fields.items()}}
    result = session.execute(_result_of_running(frozenset(fields)), params)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise IllegalTransition(f"step {step_id!r} is not running")


@cache
def _result_of_running(fields: frozenset[str]) -> Update:
    return (
        update(_STEPS)
        .where(
            _STEPS.c.run_id == bindparam("b_run_id"),
            _STEPS.c.step_id == bindparam("b_step_id"),
            _STEPS.c.status == str(StepStatus.RUNNING),
        )
        .values(_bound(_STEPS, fields))
    )


def record_progress(session: Session, *, run_id: str, step_id: str, progress: dict[str, Any], now: datetime) -> bool:
    """Store a running step's latest progress and append it as a `running` event of the step (the live feed's).

    Only while both the step and its run are running: a report racing a cancel or the step's end writes
    nothing and answers False, so no progress event follows the step's or the run's final status.
    """
    run_running = select(Run.id).where(Run.id == run_id, Run.status == str(RunStatus.RUNNING)).exists()
    result = session.execute(
        update(StepRun)
        .where(
            StepRun.run_id == run_id,
            StepRun.step_id == step_id,
            StepRun.status == str(StepStatus.RUNNING),
            run_running,
        )
        .values(progress=progress),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    _append_event(
        session, run_id=run_id, step_id=step_id, status=str(StepStatus.RUNNING), reason=None, at=now, progress=progress
    )
    return True
