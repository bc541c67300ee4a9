"""Runs one workflow run to its end: asks the planner what is ready, runs it, records everything.

Independent steps run at the same time (each in a worker thread: polars and the process pool do the
heavy lifting outside the GIL); a step starts when all its inputs have completed. Every status change
goes through the runs repository, which refuses illegal transitions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from redflare.adapters.db.exports import replace_step_exports
from redflare.adapters.db.outbox import Settled, add_messages, hold_unsent, step_delivery
from redflare.adapters.db.runs import (
    add_artifact,
    artifacts_of,
    get_run,
    record_step_result,
    reopen_run,
    run_and_step_states,
    run_status,
    step_spend,
    transition_run,
    transition_step,
)
from redflare.adapters.db.store import Store
from redflare.domain.access import AccessRules
from redflare.domain.delivery import NOT_SENT_CANCELLED, NOT_SENT_NO_SMTP, NOT_SENT_TEST_RUN, MessageStatus
from redflare.domain.errors import Cancelled, IllegalTransition
from redflare.domain.loading import document_from_data
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus, StepStatus
from redflare.domain.workflow import WorkflowDocument, split_port_ref
from redflare.engine.artifacts import ArtifactFiles
from redflare.engine.context import RunFacts, build_context
from redflare.engine.delivery import DeliverySetup, unconfigured_delivery
from redflare.engine.planner import UPSTREAM_FAILED, plan
from redflare.engine.progress import PROGRESS_INTERVAL_SECONDS, StoredProgress
from redflare.services.workflows import get_workflow, limits_of
from redflare.sets.frames import union_richest
from redflare.steps.base import StepKind, StepResult
from redflare.steps.context import AnalysisExecutor, Selection, TriggerInfo

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2  # how often a running run looks for a cancel made elsewhere
DELIVERY_POLL_SECONDS = 0.1  # how often a delivery step looks at its messages while they are being sent


@dataclass
class RunEngine:
    store: Store
    clock: Clock
    executor: AnalysisExecutor
    kinds: Mapping[str, StepKind[Any]]
    batch_size: int = 200
    delivery: DeliverySetup | None = None
    progress_interval: float = PROGRESS_INTERVAL_SECONDS
    """A step's progress reaches the store at most this often (plus its last report)."""

    def __post_init__(self) -> None:
        self._files = ArtifactFiles(self.store.artifacts_dir)
        if self.delivery is None:  # no settings given (engine tests, benchmarks): keep mail, files beside artifacts
            self.delivery = unconfigured_delivery(self.store.artifacts_dir.parent / "exports", self.clock)
        self._delivery: DeliverySetup = self.delivery
        # The local backend hands sets to the next step in memory; the Parquet copy is the record
        # (and what a re-run or another worker reads). Keyed by run, then (step, port).
        self._sets: dict[str, dict[tuple[str, str], pl.DataFrame]] = {}

    async def execute(self, run_id: str, *, access: AccessRules | None = None) -> RunStatus:
        """Run a queued run until every step has ended; returns the run's status.

        A failed run is re-run from its failed step (see `reopen_run`); a running one is taken as already
        reopened by the service that re-runs it, so the engine carries it on. A run that has ended (a
        queued run cancelled before it started) is left as it is.
        """
        self._sets[run_id] = {}
        try:
            return await self._execute(run_id, access)
        finally:
            self._sets.pop(run_id, None)

    async def _execute(self, run_id: str, access: AccessRules | None) -> RunStatus:
        # Every write transaction runs in a worker thread, never on the event loop: on SQLite, waiting there for
        # the write lock would stall the loop, and with it a request that holds the lock and needs the loop to
        # commit (a deadlock until the busy timeout, then "database is locked").
        begun = await asyncio.to_thread(self._begin, run_id, access)
        if isinstance(begun, RunStatus):
            return begun
        facts, document = begun
        graph = {step.id: [split_port_ref(ref)[0] for ref in step.after] for step in document.steps}
        tasks: dict[str, asyncio.Task[None]] = {}
        while True:
            with self.store.read() as session:
                status, states = run_and_step_states(session, run_id)
            if status is RunStatus.CANCELLED:
                await self._wind_down(run_id, tasks, states)
                return RunStatus.CANCELLED
            current = plan(graph, states)
            if current.skip:
                await asyncio.to_thread(self._skip, run_id, current.skip)
                continue
            for step_id in current.ready:
                if step_id not in tasks:
                    tasks[step_id] = asyncio.create_task(self._step_task(facts, document, step_id))
            if current.finished:
                outcome = current.outcome or RunStatus.COMPLETED
                return await asyncio.to_thread(self._finish, run_id, outcome, document, states)
            running = [t for t in tasks.values() if not t.done()]
            if running:
                await asyncio.wait(running, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)

    def _begin(self, run_id: str, access: AccessRules | None) -> tuple[RunFacts, WorkflowDocument] | RunStatus:
        """The run's facts and document, with the run moved to running; its status when there is nothing to do."""
        with self.store.transaction() as session:
            run = get_run(session, run_id)
            document = document_from_data(run.definition)
            facts = RunFacts(
                run_id=run.id,
                workflow_id=run.workflow_id,
                trigger=TriggerInfo(run.trigger_type, dict(run.trigger_payload)),
                limits=limits_of(get_workflow(session, run.workflow_id)),
                access=access or AccessRules(),
                test=run.test,
                sample=_sample_of(run.trigger_payload) if run.test else None,
            )
            if not self._start(session, run_id, RunStatus(run.status)):
                return run_status(session, run_id)
        return facts, document

    def _skip(self, run_id: str, step_ids: Iterable[str]) -> None:
        with self.store.transaction() as session:
            for step_id in step_ids:
                transition_step(
                    session,
                    run_id=run_id,
                    step_id=step_id,
                    to=StepStatus.SKIPPED,
                    now=self.clock.now(),
                    reason=UPSTREAM_FAILED,
                )

    def _start(self, session: Session, run_id: str, status: RunStatus) -> bool:
        """Move the run to running as its status asks; False when there is nothing for this engine to do."""
        try:
            if status is RunStatus.QUEUED:
                transition_run(session, run_id=run_id, to=RunStatus.RUNNING, now=self.clock.now())
            elif status is RunStatus.FAILED:
                reopen_run(session, run_id=run_id, now=self.clock.now())
            elif status is not RunStatus.RUNNING:
                return False
        except IllegalTransition:
            return False  # cancelled, or taken up elsewhere, between our read and our write
        return True

    async def _wind_down(
        self, run_id: str, tasks: Mapping[str, asyncio.Task[None]], states: Mapping[str, StepStatus]
    ) -> None:
        """A cancelled run: pending steps are cancelled now; running ones stop at their next check."""
        await asyncio.to_thread(self._cancel_pending, run_id, states)
        running = [t for t in tasks.values() if not t.done()]
        if running:
            await asyncio.wait(running)

    def _cancel_pending(self, run_id: str, states: Mapping[str, StepStatus]) -> None:
        with self.store.transaction() as session:
            for step_id, status in states.items():
                if status is StepStatus.PENDING:
                    # The cancel of a queued run may have cancelled its steps already: that stands.
                    with suppress(IllegalTransition):
                        transition_step(
                            session, run_id=run_id, step_id=step_id, to=StepStatus.CANCELLED, now=self.clock.now()
                        )

    def _finish(
        self, run_id: str, outcome: RunStatus, document: WorkflowDocument, states: Mapping[str, StepStatus]
    ) -> RunStatus:
        with self.store.transaction() as session:
            error = None
            if outcome is RunStatus.FAILED:
                failed = [s for s in document.steps if states[s.id] is StepStatus.FAILED]
                error = f"step {failed[0].id!r} failed" if failed else "a step failed"
            try:
                transition_run(session, run_id=run_id, to=outcome, now=self.clock.now(), error=error)
            except IllegalTransition:
                return run_status(session, run_id)  # cancelled meanwhile: the cancel stands
        return outcome

    async def _step_task(self, facts: RunFacts, document: WorkflowDocument, step_id: str) -> None:
        if await asyncio.to_thread(self._run_step, facts, document, step_id):
            await self._await_delivery(facts.run_id, step_id)

    def _run_step(self, facts: RunFacts, document: WorkflowDocument, step_id: str) -> bool:
        """Runs in a worker thread: one step from start to its recorded end, or to its messages awaiting delivery.

        True when the step's messages went to the outbox to be sent: the step completes once they are.
        """
        step = document.step(step_id)
        kind = self.kinds[step.type]
        run_id = facts.run_id
        with self.store.transaction() as session:
            transition_step(session, run_id=run_id, step_id=step_id, to=StepStatus.RUNNING, now=self.clock.now())
        progress = StoredProgress(
            self.store.sessions, self.clock, run_id=run_id, step_id=step_id, interval=self.progress_interval
        )
        try:
            context = build_context(
                self.store.sessions,
                self.clock,
                self.executor,
                facts,
                step_id,
                batch_size=self.batch_size,
                delivery=self._delivery,
                progress=progress,
            )
            frame = self._input_of(run_id, step.after)
            if frame is None and kind.takes_input:
                # Hung straight off the trigger: its input is what the firing gathered (a sync's window).
                ids = facts.trigger.conversation_ids or []
                frame = context.conversations.select(
                    Selection(conversation_ids=ids, access=facts.access, order="oldest", limit=facts.sample)
                )
            try:
                result = kind.execute(context, kind.parse(step.config), frame)
            finally:
                progress.flush()  # the last report, held back by the throttle, lands before the step's end
        except Cancelled as exc:
            self._end_step(run_id, step_id, StepStatus.CANCELLED, reason=str(exc))
            return False
        except Exception as exc:  # any failure of a step is recorded on it, never lost
            log.exception("step %s of run %s failed", step_id, run_id)
            self._end_step(run_id, step_id, StepStatus.FAILED, error=_describe(exc))
            return False
        return self._record_success(facts, step_id, frame, result)

    def _input_of(self, run_id: str, after: list[str]) -> pl.DataFrame | None:
        if not after:
            return None
        in_memory = self._sets.get(run_id, {})
        refs = [split_port_ref(ref) for ref in after]
        if all(ref in in_memory for ref in refs):
            return union_richest([in_memory[ref] for ref in refs])
        paths = []
        with self.store.read() as session:
            for upstream, port in refs:
                artifact = artifacts_of(session, run_id, upstream).get(port)
                if artifact is None:
                    raise RuntimeError(f"no output {upstream}.{port} recorded for this run")
                paths.append(artifact.path)
        return union_richest([ArtifactFiles.read(path) for path in paths])

    def _message_status(self, test: bool) -> tuple[MessageStatus, str | None]:
        if test:
            return MessageStatus.HELD, NOT_SENT_TEST_RUN
        if not self._delivery.smtp_configured:
            return MessageStatus.HELD, NOT_SENT_NO_SMTP
        return MessageStatus.PENDING, None

    def _record_success(self, facts: RunFacts, step_id: str, frame: pl.DataFrame | None, result: StepResult) -> bool:
        """Record a step's outputs, exports and messages in one transaction; True if messages now await sending."""
        run_id = facts.run_id
        written = {port: self._files.write(run_id, step_id, port, out) for port, out in result.outputs.items()}
        counts = {port: out.height for port, out in result.outputs.items()}
        status, reason = self._message_status(facts.test)
        awaiting = bool(result.messages) and status is MessageStatus.PENDING
        gone: list[str] = []
        with self.store.transaction() as session:
            if run_status(session, run_id) is RunStatus.CANCELLED:
                spent = step_spend(session, run_id=run_id, step_id=step_id)
                transition_step(
                    session,
                    run_id=run_id,
                    step_id=step_id,
                    to=StepStatus.CANCELLED,
                    now=self.clock.now(),
                    credits=spent,
                )
                gone = [record.key for record in result.exports]
                awaiting = False
            else:
                self._store_result(session, facts, step_id, written, counts, result, status, reason)
                gone = (
                    replace_step_exports(
                        session,
                        run_id=run_id,
                        workflow_id=facts.workflow_id,
                        step_id=step_id,
                        records=result.exports,
                        now=self.clock.now(),
                    )
                    if result.exports
                    else []
                )
                fields: dict[str, Any] = {
                    "rows_in": None if frame is None else frame.height,
                    "rows_out": sum(counts.values()),
                    "outputs": counts,
                    # What the step charged in this run, earlier attempts of a re-run included (the ledger's
                    # sum; in a single attempt it equals the step's own tally).
                    "credits": step_spend(session, run_id=run_id, step_id=step_id),
                    "tally": {**result.tally, **({"notes": result.notes} if result.notes else {})},
                }
                if awaiting:
                    record_step_result(session, run_id=run_id, step_id=step_id, **fields)
                else:
                    transition_step(
                        session, run_id=run_id, step_id=step_id, to=StepStatus.COMPLETED, now=self.clock.now(), **fields
                    )
        for key in gone:  # files of an earlier attempt, or of a step cancelled meanwhile
            with suppress(OSError):
                self._delivery.storage.delete(key)
        if run_id in self._sets:
            self._sets[run_id].update(((step_id, port), out) for port, out in result.outputs.items())
        if awaiting:
            self._delivery.wake_deliverer()
        return awaiting

    def _store_result(
        self,
        session: Session,
        facts: RunFacts,
        step_id: str,
        written: Mapping[str, tuple[str, int]],
        counts: Mapping[str, int],
        result: StepResult,
        status: MessageStatus,
        reason: str | None,
    ) -> None:
        for port, (path, size) in written.items():
            add_artifact(
                session,
                run_id=facts.run_id,
                step_id=step_id,
                port=port,
                path=path,
                rows=counts[port],
                size=size,
                now=self.clock.now(),
            )
        if result.messages:
            add_messages(
                session,
                run_id=facts.run_id,
                workflow_id=facts.workflow_id,
                step_id=step_id,
                messages=result.messages,
                status=status,
                reason=reason,
                now=self.clock.now(),
            )

    async def _await_delivery(self, run_id: str, step_id: str) -> None:
        """Wait for a step's messages to be sent (or to fail for good), then complete (or fail) the step.

        The wait is on the store, so any deliverer — this process's or another's — settles them. A run
        cancelled meanwhile keeps its unsent messages from going out and cancels the step.
        """
        while True:
            cancelled, settled = await asyncio.to_thread(self._delivery_state, run_id, step_id)
            if cancelled or settled.waiting == 0:
                break
            await asyncio.sleep(DELIVERY_POLL_SECONDS)
        await asyncio.to_thread(self._settle_delivery_step, run_id, step_id, cancelled, settled)

    def _settle_delivery_step(self, run_id: str, step_id: str, cancelled: bool, settled: Settled) -> None:
        with self.store.transaction() as session:
            if cancelled:
                hold_unsent(session, run_id=run_id, reason=NOT_SENT_CANCELLED)
                with suppress(IllegalTransition):
                    transition_step(
                        session, run_id=run_id, step_id=step_id, to=StepStatus.CANCELLED, now=self.clock.now()
                    )
                return
            error = "; ".join(f"email to {', '.join(to)} not sent: {why}" for to, why in settled.failed)
            transition_step(
                session,
                run_id=run_id,
                step_id=step_id,
                to=StepStatus.FAILED if error else StepStatus.COMPLETED,
                now=self.clock.now(),
                **({"error": _describe(Exception(error))} if error else {}),
            )

    def _delivery_state(self, run_id: str, step_id: str) -> tuple[bool, Settled]:
        with self.store.read() as session:
            return (
                run_status(session, run_id) is RunStatus.CANCELLED,
                step_delivery(session, run_id=run_id, step_id=step_id),
            )

    def _end_step(
        self, run_id: str, step_id: str, to: StepStatus, *, reason: str | None = None, error: str | None = None
    ) -> None:
        with self.store.transaction() as session:
            fields: dict[str, Any] = {"error": error} if error else {}
            # Batches settled before the failure or cancel were charged: the step shows what it cost.
            fields["credits"] = step_spend(session, run_id=run_id, step_id=step_id)
            transition_step(
                session, run_id=run_id, step_id=step_id, to=to, now=self.clock.now(), reason=reason, **fields
            )


def _sample_of(payload: Mapping[str, Any]) -> int | None:
    sample = payload.get("sample")
    return sample if isinstance(sample, int) and not isinstance(sample, bool) and sample > 0 else None


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 2000 else text[:2000] + "…"
