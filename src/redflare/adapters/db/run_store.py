"""The engine's `RunStore` over the SQL store: each call one short transaction, status moves through runs.py.

The calls a run makes every time (its begin, a step's start and record, its end) are transactions of a plain
connection (`_writing`): no ORM session is made, flushed and closed around a few Core statements. What touches
ORM-written rows (a step's messages and exports, a re-run's reset, failures) keeps a session.

Recording a step is idempotent, so a re-run after an interruption never trips over what an earlier attempt of
the step wrote: its artifact rows are replaced, its exports replaced (old files handed back for deletion), and
its messages rewritten except those already sent (nobody gets an email twice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.access import rules_of_creator
from redflare.adapters.db.database import READ_ONLY
from redflare.adapters.db.driver import DriverStatement
from redflare.adapters.db.exports import replace_step_exports
from redflare.adapters.db.limits import limits_of
from redflare.adapters.db.orm import Artifact, OutboxMessage, Run, StepRun, User, Workflow, table_of
from redflare.adapters.db.outbox import add_messages, hold_unsent, step_delivery
from redflare.adapters.db.runs import (
    Db,
    connection_of,
    record_step_result,
    reopen_run,
    run_and_step_states,
    run_status,
    step_spend,
    transition_run,
    transition_step,
)
from redflare.adapters.db.store import Store
from redflare.domain.delivery import NOT_SENT_CANCELLED, NOT_SENT_NO_SMTP, NOT_SENT_TEST_RUN, MessageStatus
from redflare.domain.errors import IllegalTransition, NotFound
from redflare.domain.loading import document_from_data
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus, StepStatus
from redflare.domain.workflow import WorkflowDocument
from redflare.engine.ports import Begun, DeliveryState, Recorded, RunFacts, StepOutcome
from redflare.sets.stored import StoredSet
from redflare.steps.context import TriggerInfo

MAX_ERROR = 2000  # characters of a step's or run's error kept
_ARTIFACTS = table_of(Artifact)
_DELETE_ARTIFACTS = DriverStatement(
    delete(_ARTIFACTS).where(
        _ARTIFACTS.c.run_id == bindparam("b_run_id"), _ARTIFACTS.c.step_id == bindparam("b_step_id")
    )
)
_ARTIFACT_KEYS = ("run_id", "step_id", "port", "path", "data", "rows", "bytes", "created_at")
_INSERT_ARTIFACTS = DriverStatement(insert(_ARTIFACTS).inline(), keys=_ARTIFACT_KEYS)
_RUNS, _WORKFLOWS, _USERS = table_of(Run), table_of(Workflow), table_of(User)
# What a run begins with, in one read: the run, its workflow's limits and its creator's data-access rules.
_BEGIN = (
    select(
        _RUNS.c.workflow_id,
        _RUNS.c.status,
        _RUNS.c.trigger_type,
        _RUNS.c.trigger_payload,
        _RUNS.c.test,
        _RUNS.c.definition,
        _WORKFLOWS.c.id.label("workflow_exists"),
        _WORKFLOWS.c.call_limit,
        _WORKFLOWS.c.credits_limit,
        _WORKFLOWS.c.overlap_policy,
        _WORKFLOWS.c.created_by,
        _USERS.c.id.label("creator_exists"),
        _USERS.c.integrations,
        _USERS.c.teams,
        _USERS.c.agents,
    )
    .join_from(_RUNS, _WORKFLOWS, _WORKFLOWS.c.id == _RUNS.c.workflow_id, isouter=True)
    .join(_USERS, _USERS.c.id == _WORKFLOWS.c.created_by, isouter=True)
    .where(_RUNS.c.id == bindparam("b_run_id"))
)


def describe(error: BaseException | str) -> str:
    """An error as a step or run shows it: its text (or its type), cut to MAX_ERROR characters."""
    text = error if isinstance(error, str) else (str(error) or type(error).__name__)
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR] + "…"


class SqlRunStore:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._sessions: sessionmaker[Session] = store.sessions
        self._store = store
        self._clock = clock

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A writing transaction on a plain connection: committed at the end of the block, rolled back on error."""
        with self._store.engine.begin() as connection:
            yield connection

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A reading transaction on a plain connection (on SQLite it takes no write lock)."""
        with self._store.engine.connect() as connection, connection.execution_options(**READ_ONLY).begin():
            yield connection

    # --- The run ------------------------------------------------------------------------------------------------

    def begin(
        self, run_id: str, *, first: Callable[[WorkflowDocument], Sequence[str]] | None = None
    ) -> Begun | RunStatus:
        started: tuple[str, ...] = ()
        with self._writing() as session:
            run = session.execute(_BEGIN, {"b_run_id": run_id}).first()
            if run is None:
                raise NotFound(f"no run {run_id!r}")
            if run.workflow_exists is None:
                raise NotFound(f"no workflow {run.workflow_id!r}")
            facts = RunFacts(
                run_id=run_id,
                workflow_id=run.workflow_id,
                trigger=TriggerInfo(run.trigger_type, dict(run.trigger_payload)),
                limits=limits_of(run),
                access=rules_of_creator(run.created_by, run if run.creator_exists is not None else None),
                test=run.test,
                sample=_sample_of(run.trigger_payload) if run.test else None,
            )
            document = document_from_data(run.definition)
            status = RunStatus(run.status)
            reopened = status is not RunStatus.QUEUED
            try:
                if status is RunStatus.QUEUED:
                    now = self._now()
                    transition_run(session, run_id=run_id, to=RunStatus.RUNNING, now=now)
                    started = tuple(first(document)) if first is not None else ()
                    for step_id in started:
                        transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.RUNNING, now=now)
                elif status is RunStatus.FAILED:
                    reopen_run(session, run_id=run_id, now=self._now())
                elif status is not RunStatus.RUNNING:
                    return status
            except IllegalTransition:  # cancelled, or taken up elsewhere, between our read and our write
                return run_status(session, run_id)
            _, states = run_and_step_states(session, run_id)
        return Begun(facts, document, reopened=reopened, states=states, started=started)

    def states(self, run_id: str) -> tuple[RunStatus, dict[str, StepStatus]]:
        with self._reading() as connection:
            return run_and_step_states(connection, run_id)

    def skip(self, run_id: str, step_ids: Sequence[str], reason: str) -> None:
        with self._store.transaction() as session:
            for step_id in step_ids:
                transition_step(
                    session, run_id=run_id, step_id=step_id, to=StepStatus.SKIPPED, now=self._now(), reason=reason
                )

    def cancel_pending(self, run_id: str) -> None:
        with self._store.transaction() as session:
            for step_id in _steps_in(session, run_id, StepStatus.PENDING):
                with suppress(IllegalTransition):  # the cancel of a queued run may have cancelled it already
                    transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.CANCELLED, now=self._now())

    def finish(self, run_id: str, outcome: RunStatus, error: str | None) -> RunStatus:
        with self._writing() as session:
            try:
                transition_run(session, run_id=run_id, to=outcome, now=self._now(), error=error)
            except IllegalTransition:
                return run_status(session, run_id)  # cancelled meanwhile: the cancel stands
        return outcome

    def fail_run(self, run_id: str, error: str) -> None:
        error = describe(error)
        with self._store.transaction() as session:
            for step_id in _steps_in(session, run_id, StepStatus.RUNNING):
                transition_step(
                    session, run_id=run_id, step_id=step_id, to=StepStatus.FAILED, now=self._now(), error=error
                )
            for step_id in _steps_in(session, run_id, StepStatus.PENDING):
                transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.SKIPPED, now=self._now())
            with suppress(IllegalTransition):  # it ended meanwhile (a cancel): that stands
                transition_run(session, run_id=run_id, to=RunStatus.FAILED, now=self._now(), error=error)

    # --- Steps --------------------------------------------------------------------------------------------------

    def start_step(self, run_id: str, step_id: str) -> bool:
        with self._writing() as session:
            if run_status(session, run_id) is not RunStatus.RUNNING:
                return False
            transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.RUNNING, now=self._now())
        return True

    def end_step(
        self, run_id: str, step_id: str, to: StepStatus, *, reason: str | None = None, error: str | None = None
    ) -> None:
        with self._writing() as session:
            fields: dict[str, Any] = {"error": describe(error)} if error else {}
            # Batches settled before the failure or cancel were charged: the step shows what it cost.
            fields["credits"] = step_spend(session, run_id=run_id, step_id=step_id)
            transition_step(session, run_id=run_id, step_id=step_id, to=to, now=self._now(), reason=reason, **fields)

    def record(
        self,
        facts: RunFacts,
        step_id: str,
        outcome: StepOutcome,
        *,
        smtp_configured: bool,
        start: str | None = None,
        finish: bool = False,
    ) -> Recorded:
        run_id = facts.run_id
        status, reason = message_status(facts.test, smtp_configured)
        awaiting = bool(outcome.messages) and status is MessageStatus.PENDING
        # Messages and exports are ORM rows: a session then; a plain connection for everything else.
        with self._store.transaction() if outcome.messages or outcome.exports else self._writing() as session:
            if run_status(session, run_id) is RunStatus.CANCELLED:
                spent = step_spend(session, run_id=run_id, step_id=step_id)
                transition_step(
                    session, run_id=run_id, step_id=step_id, to=StepStatus.CANCELLED, now=self._now(), credits=spent
                )
                return Recorded(awaiting=False, cancelled=True, gone=[record.key for record in outcome.exports])
            now = self._now()
            self._replace_artifacts(session, run_id, step_id, outcome, now)
            if outcome.messages:
                add_messages(
                    _session(session),
                    run_id=run_id,
                    workflow_id=facts.workflow_id,
                    step_id=step_id,
                    messages=outcome.messages,
                    status=status,
                    reason=reason,
                    now=now,
                )
            gone = (
                replace_step_exports(
                    _session(session),
                    run_id=run_id,
                    workflow_id=facts.workflow_id,
                    step_id=step_id,
                    records=outcome.exports,
                    now=now,
                )
                if outcome.exports
                else []
            )
            fields: dict[str, Any] = {
                "rows_in": outcome.rows_in,
                "rows_out": sum(outcome.counts.values()),
                "outputs": dict(outcome.counts),
                # What the step charged in this run, earlier attempts of a re-run included (the ledger's sum; in a
                # single attempt it equals the step's own tally, so a first attempt that charged nothing has none).
                "credits": step_spend(session, run_id=run_id, step_id=step_id)
                if outcome.credits or outcome.replaces
                else outcome.credits,
                "tally": dict(outcome.tally),
            }
            if awaiting:
                record_step_result(_session(session), run_id=run_id, step_id=step_id, **fields)
                return Recorded(awaiting=True, gone=gone)
            transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.COMPLETED, now=now, **fields)
            started = finished = False
            if start is not None:
                with suppress(IllegalTransition):  # not pending any more: the engine leaves it to the run loop
                    transition_step(session, run_id=run_id, step_id=start, to=StepStatus.RUNNING, now=now)
                    started = True
            if finish:
                with suppress(IllegalTransition):  # ended meanwhile (a cancel): the engine's loop sees to it
                    transition_run(session, run_id=run_id, to=RunStatus.COMPLETED, now=now)
                    finished = True
        return Recorded(awaiting=False, gone=gone, started=started, finished=finished)

    def _replace_artifacts(self, session: Db, run_id: str, step_id: str, outcome: StepOutcome, now: datetime) -> None:
        connection = connection_of(session)
        if outcome.replaces:  # a re-run: an earlier attempt's rows go (first attempts have none)
            _DELETE_ARTIFACTS.execute(connection, {"b_run_id": run_id, "b_step_id": step_id})
        if outcome.written:
            _INSERT_ARTIFACTS.execute_many(
                connection,
                [
                    {
                        "run_id": run_id,
                        "step_id": step_id,
                        "port": port,
                        "path": stored.path,
                        "data": stored.data,
                        "rows": outcome.counts[port],
                        "bytes": stored.size,
                        "created_at": now,
                    }
                    for port, stored in outcome.written.items()
                ],
            )

    def recorded_outputs(self, run_id: str, step_id: str, ports: Sequence[str]) -> dict[str, StoredSet] | None:
        with self._store.read() as session:
            rows = session.execute(
                select(_ARTIFACTS.c.port, _ARTIFACTS.c.path, _ARTIFACTS.c.data, _ARTIFACTS.c.bytes).where(
                    _ARTIFACTS.c.run_id == run_id, _ARTIFACTS.c.step_id == step_id
                )
            ).all()
        recorded = {port: StoredSet(path, data, size) for port, path, data, size in rows}
        return {port: recorded[port] for port in ports} if ports and set(ports) <= set(recorded) else None

    def resend(self, facts: RunFacts, step_id: str, *, smtp_configured: bool) -> bool:
        status, reason = message_status(facts.test, smtp_configured)
        now = self._now()
        with self._store.transaction() as session:
            unsent = OutboxMessage.status.in_(
                [str(MessageStatus.FAILED), str(MessageStatus.HELD), str(MessageStatus.PENDING)]
            )
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.run_id == facts.run_id, OutboxMessage.step_id == step_id, unsent)
                .values(
                    status=str(status),
                    reason=reason,
                    attempts=0,
                    next_attempt_at=now if status is MessageStatus.PENDING else None,
                    claimed_until=None,
                ),
                execution_options={"synchronize_session": False},
            )
            resent = int(result.rowcount)  # type: ignore[attr-defined]
            # A message still being sent by a deliverer (its lease running) is waited for like a pending one.
            sending = step_delivery(session, run_id=facts.run_id, step_id=step_id).waiting
        return (resent > 0 and status is MessageStatus.PENDING) or sending > 0

    def output_sets(self, run_id: str, refs: Sequence[tuple[str, str]]) -> list[StoredSet]:
        with self._store.read() as session:
            rows = session.execute(
                select(
                    _ARTIFACTS.c.step_id, _ARTIFACTS.c.port, _ARTIFACTS.c.path, _ARTIFACTS.c.data, _ARTIFACTS.c.bytes
                ).where(_ARTIFACTS.c.run_id == run_id, _ARTIFACTS.c.step_id.in_({step for step, _ in refs}))
            ).all()
            kept = {(step, port): StoredSet(path, data, size) for step, port, path, data, size in rows}
        missing = [f"{step}.{port}" for step, port in refs if (step, port) not in kept]
        if missing:
            raise LookupError(f"no output {missing[0]} recorded for this run")
        return [kept[ref] for ref in refs]

    # --- Delivery steps -----------------------------------------------------------------------------------------

    def delivery_state(self, run_id: str, step_id: str) -> DeliveryState:
        with self._store.read() as session:
            cancelled = run_status(session, run_id) is RunStatus.CANCELLED
            settled = step_delivery(session, run_id=run_id, step_id=step_id)
        return DeliveryState(cancelled, settled.waiting, settled.failed)

    def settle_delivery(self, run_id: str, step_id: str, state: DeliveryState) -> StepStatus:
        with self._store.transaction() as session:
            if state.cancelled:
                hold_unsent(session, run_id=run_id, reason=NOT_SENT_CANCELLED)
                with suppress(IllegalTransition):
                    transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.CANCELLED, now=self._now())
                return StepStatus.CANCELLED
            error = "; ".join(f"email to {', '.join(to)} not sent: {why}" for to, why in state.failed)
            fields: dict[str, Any] = {"error": describe(error)} if error else {}
            to = StepStatus.FAILED if error else StepStatus.COMPLETED
            transition_step(session, run_id=run_id, step_id=step_id, to=to, now=self._now(), **fields)
        return to

    def _now(self) -> datetime:
        return self._clock.now()


def _session(db: Db) -> Session:
    """`record` opens a session for a step with messages or exports (ORM rows): where those are written."""
    assert isinstance(db, Session), "a step with messages or exports is recorded in a session"
    return db


def message_status(test: bool, smtp_configured: bool) -> tuple[MessageStatus, str | None]:
    """How a step's new messages enter the outbox: to be sent, or held with the reason."""
    if test:
        return MessageStatus.HELD, NOT_SENT_TEST_RUN
    if not smtp_configured:
        return MessageStatus.HELD, NOT_SENT_NO_SMTP
    return MessageStatus.PENDING, None


def _steps_in(session: Session, run_id: str, status: StepStatus) -> list[str]:
    query = select(StepRun.step_id).where(StepRun.run_id == run_id, StepRun.status == str(status))
    return sorted(session.scalars(query))


def _sample_of(payload: Mapping[str, Any]) -> int | None:
    sample = payload.get("sample")
    return sample if isinstance(sample, int) and not isinstance(sample, bool) and sample > 0 else None
