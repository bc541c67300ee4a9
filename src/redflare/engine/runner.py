"""Runs one workflow run to its end: asks the planner what is ready, runs it, records everything.

Independent steps run at the same time, each in a worker thread (polars and the analysis pool do the heavy
lifting outside the GIL); a step starts when all its inputs have completed. The store is reached only through
the `RunStore` and `StepContexts` ports, always from worker threads: this loop never blocks on the database.

The run loop cannot spin: every pass ends waiting on something — a step finishing, or the poll timeout after
which it looks for a cancel made elsewhere. Nothing a step does can leave the run hanging: any exception in a
step, in recording it or in the loop's own bookkeeping fails that step (and so the run) with the reason, and a
step the store shows running that no task of this engine carries is failed as abandoned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from redflare.domain.errors import Cancelled, IllegalTransition
from redflare.domain.runs import RunStatus, StepStatus
from redflare.domain.workflow import WorkflowDocument, split_port_ref
from redflare.engine.artifacts import ArtifactFiles
from redflare.engine.flight import Flight
from redflare.engine.planner import UPSTREAM_FAILED
from redflare.engine.ports import DeliveryHooks, RunStore, StepContexts, StepOutcome
from redflare.sets.frames import union_richest
from redflare.steps.base import StepKind, StepResult
from redflare.steps.context import Selection

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2  # how often a running run looks for a cancel made elsewhere
DELIVERY_POLL_SECONDS = 0.1  # how often a delivery step looks at its messages while they are being sent
ABANDONED = "the step stopped without recording its end (an internal error); re-run it from the failed step"


@dataclass
class RunEngine:
    runs: RunStore
    contexts: StepContexts
    delivery: DeliveryHooks
    files: ArtifactFiles
    kinds: Mapping[str, StepKind[Any]]
    # Runs in flight, by id. The local backend hands sets to the next step in memory (`Flight.sets`); the Parquet
    # copy is the record (and what a re-run or another worker reads).
    _flights: dict[str, Flight] = field(default_factory=dict)

    async def execute(self, run_id: str) -> RunStatus:
        """Run a queued run until every step has ended; returns the run's status.

        A failed run is re-run from its failed step; a running one is taken as already reopened by the service
        that re-runs it. A run that has ended (a queued run cancelled before it started) is left as it is. An
        error the engine cannot place on a step fails the run with it: nothing is left running.
        """
        try:
            status = await self._execute(run_id)
        except asyncio.CancelledError:
            raise  # the backend cut the run off (shutdown): it stays running for the next start to recover
        except Exception as exc:
            log.exception("run %s failed in the engine", run_id)
            await asyncio.to_thread(self.runs.fail_run, run_id, f"the engine failed: {_text(exc)}")
            status = RunStatus.FAILED
        finally:
            flight = self._flights.pop(run_id, None)
        if flight is None or flight.files:
            await asyncio.to_thread(self.files.settle, run_id)  # a failed or cancelled run's last sets, too
        return status

    async def _execute(self, run_id: str) -> RunStatus:
        # The steps a fresh run starts with (those waiting for nothing) are started with the run, in its begin.
        begun = await asyncio.to_thread(self.runs.begin, run_id, first=_roots)
        if isinstance(begun, RunStatus):
            return begun
        document = begun.document
        graph = {step.id: [split_port_ref(ref)[0] for ref in step.after] for step in document.steps}
        # The steps' statuses as this engine knows them: it moved them itself (each step task answers where it
        # ended), so the store is read only when something may have happened elsewhere — a poll's time without a
        # step ending (a cancel), or a step that could not say where it ended.
        flight = Flight(begun, graph, dict(begun.states))
        self._flights[run_id] = flight
        tasks: dict[str, asyncio.Task[StepStatus | None]] = {}  # by the first step each carries
        for step_id in begun.started:
            flight.start(step_id)
            tasks[step_id] = asyncio.create_task(self._step_task(flight, step_id, started=True))
        stale = not flight.states
        try:
            while True:
                if stale:
                    # A step whose task had ended before this read yet shows running was left so; one that ends
                    # while we read has recorded its end, or is about to.
                    ended = {step_id for step_id, task in tasks.items() if task.done()}
                    status, stored = await asyncio.to_thread(self.runs.states, run_id)
                    if status is RunStatus.CANCELLED:
                        await self._wind_down(run_id, tasks)
                        return RunStatus.CANCELLED
                    flight.refresh(stored)
                    abandoned = []
                    for step_id, step_status in stored.items():
                        carrier = flight.carrier_of(step_id)
                        if step_status is StepStatus.RUNNING and (carrier not in tasks or carrier in ended):
                            abandoned.append(step_id)
                    if abandoned:
                        await asyncio.to_thread(self._fail_abandoned, run_id, abandoned)
                        continue
                    stale = False
                current = flight.plan()
                if current.skip:
                    await asyncio.to_thread(self.runs.skip, run_id, current.skip, UPSTREAM_FAILED)
                    flight.set(current.skip, StepStatus.SKIPPED)
                    continue
                for step_id in current.ready:
                    if _idle(tasks.get(step_id)):
                        flight.start(step_id)
                        tasks[step_id] = asyncio.create_task(self._step_task(flight, step_id))
                if current.finished and flight.completed_with_step and current.outcome is RunStatus.COMPLETED:
                    return RunStatus.COMPLETED  # recorded with the last step: its sets are all in their records
                if current.finished:
                    outcome = current.outcome or RunStatus.COMPLETED
                    error = _run_error(document, flight.snapshot()) if outcome is RunStatus.FAILED else None
                    return await asyncio.to_thread(self._finish, run_id, outcome, error)
                running = [t for t in tasks.values() if not t.done()]
                # Always a wait: for a step to end, else for the poll's time (a cancel, a step started elsewhere).
                if not running:
                    await asyncio.sleep(POLL_SECONDS)
                    stale = True
                    continue
                done, _ = await asyncio.wait(running, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
                # Not known, or cancelled (the run was, most likely): the store says what happened.
                stale = not done or any(task.result() in (None, StepStatus.CANCELLED) for task in done)
        finally:
            for task in tasks.values():  # cut off (shutdown) or failed: no step task outlives its run loop
                task.cancel()

    def _finish(self, run_id: str, outcome: RunStatus, error: str | None) -> RunStatus:
        self.files.settle(run_id)  # its sets are on disk before it ends
        return self.runs.finish(run_id, outcome, error)

    def _fail_abandoned(self, run_id: str, step_ids: Sequence[str]) -> None:
        for step_id in step_ids:
            log.error("step %s of run %s is running with nothing carrying it: failed", step_id, run_id)
            with suppress(IllegalTransition):  # it ended meanwhile
                self.runs.end_step(run_id, step_id, StepStatus.FAILED, error=ABANDONED)

    async def _wind_down(self, run_id: str, tasks: Mapping[str, asyncio.Task[StepStatus | None]]) -> None:
        """A cancelled run: pending steps are cancelled now; running ones stop at their next check."""
        await asyncio.to_thread(self.runs.cancel_pending, run_id)
        running = [t for t in tasks.values() if not t.done()]
        if running:
            await asyncio.wait(running)

    async def _step_task(self, flight: Flight, step_id: str, *, started: bool = False) -> StepStatus | None:
        """A step from start (unless `started`: the run's begin started it) to its recorded end — and the steps it
        leads straight on to (`_carry`); whatever goes wrong is recorded on the step. Answers the status the last
        one ended with, or None when that is not known (its failure could not be recorded, the run had ended)."""
        last, ended = await asyncio.to_thread(self._carry, flight, step_id, started)
        if ended is StepStatus.RUNNING:  # its messages await sending
            try:
                ended = await self._await_delivery(flight.run_id, last)
            except Exception as exc:  # the store failing while it waits: the step fails with the reason, not the run
                log.exception("step %s of run %s failed", last, flight.run_id)
                ended = await asyncio.to_thread(self._fail_step, flight.run_id, last, exc)
        if ended is not None:
            flight.set([last], ended)
        return ended

    def _carry(self, flight: Flight, step_id: str, started: bool) -> tuple[str, StepStatus | None]:
        """Runs in a worker thread: `step_id`, then, while each completes and leads to exactly one step made ready
        by it, that step (already started by the same transaction). Answers the last step and how it ended."""
        while True:
            try:
                ended, next_id = self._run_step(flight, step_id, started=started)
            except Exception as exc:  # recording the step failed: record the failure, if the store lets us
                log.exception("step %s of run %s failed", step_id, flight.run_id)
                return step_id, self._fail_step(flight.run_id, step_id, exc)
            if next_id is None:
                return step_id, ended
            flight.set([step_id], StepStatus.COMPLETED)
            step_id, started = next_id, True

    def _fail_step(self, run_id: str, step_id: str, exc: Exception) -> StepStatus | None:
        try:
            self.runs.end_step(run_id, step_id, StepStatus.FAILED, error=_text(exc))
        except IllegalTransition:
            return None  # it had ended (a cancel got there first)
        except Exception:  # the store itself failing: the loop finds the step abandoned and tries again
            log.exception("the failure of step %s of run %s could not be recorded", step_id, run_id)
            return None
        return StepStatus.FAILED

    def _run_step(self, flight: Flight, step_id: str, *, started: bool) -> tuple[StepStatus | None, str | None]:
        """One step from start (unless `started`: its start is recorded) to its recorded end, or to its messages
        awaiting delivery.

        Answers the status the step ended with — RUNNING when its messages went to the outbox to be sent (the step
        completes once they are), None when the run was no longer running (a cancel: nothing was started) — and the
        step it led to and started, if any.
        """
        begun = flight.begun
        facts = begun.facts
        step = begun.document.step(step_id)
        kind = self.kinds[step.type]
        run_id = facts.run_id
        if not started and not self.runs.start_step(run_id, step_id):
            return None, None
        if begun.reopened:
            reconciled = self._reconcile(flight, step_id, kind.ports(kind.parse(step.config)))
            if reconciled is not None:
                return reconciled, None
        context = self.contexts.context(facts, step_id)
        try:
            frame = self._input_of(flight, step.after)
            if frame is None and kind.takes_input:
                # Hung straight off the trigger: its input is what the firing gathered (a sync's window).
                frame = context.conversations.select(
                    Selection(
                        conversation_ids=facts.trigger.conversation_ids or [],
                        access=facts.access,
                        order="oldest",
                        limit=facts.sample,
                    )
                )
            try:
                result = kind.execute(context, kind.parse(step.config), frame)
            finally:
                context.progress.flush()  # the last report, held back by the throttle, lands before the step's end
        except Cancelled as exc:
            self.runs.end_step(run_id, step_id, StepStatus.CANCELLED, reason=str(exc))
            return StepStatus.CANCELLED, None
        except Exception as exc:  # any failure of a step is recorded on it, never lost
            log.exception("step %s of run %s failed", step_id, run_id)
            self.runs.end_step(run_id, step_id, StepStatus.FAILED, error=_text(exc))
            return StepStatus.FAILED, None
        return self._record(flight, step_id, frame, result)

    def _reconcile(self, flight: Flight, step_id: str, ports: Sequence[str]) -> StepStatus | None:
        """A re-run of a step whose outputs an earlier attempt recorded (a delivery step cut off while its emails
        were going out): its outputs stand, its unsent messages get a fresh round, nothing is rendered or written
        again. None when there is nothing recorded to reconcile."""
        facts = flight.begun.facts
        recorded = self.runs.recorded_outputs(facts.run_id, step_id, ports)
        if recorded is None:
            return None
        log.info("step %s of run %s: reconciling the outputs an earlier attempt recorded", step_id, facts.run_id)
        flight.sets.update(((step_id, port), self.files.read(stored)) for port, stored in recorded.items())
        awaiting = self.runs.resend(facts, step_id, smtp_configured=self.delivery.smtp_configured)
        if awaiting:
            self.delivery.wake_deliverer()
        return StepStatus.RUNNING  # settled through the delivery wait, which completes the step (at once if none)

    def _input_of(self, flight: Flight, after: list[str]) -> pl.DataFrame | None:
        if not after:
            return None
        refs = [split_port_ref(ref) for ref in after]
        if all(ref in flight.sets for ref in refs):
            return union_richest([flight.sets[ref] for ref in refs])
        self.files.settle(flight.run_id)
        return union_richest([self.files.read(stored) for stored in self.runs.output_sets(flight.run_id, refs)])

    def _record(
        self, flight: Flight, step_id: str, frame: pl.DataFrame | None, result: StepResult
    ) -> tuple[StepStatus, str | None]:
        """Record a step's outputs, exports and messages in one transaction — with the start of the one step its
        completion makes ready, claimed to carry on with — and answer the step's status (completed, cancelled: its
        run was, meanwhile, or running while its messages await sending) and the step started."""
        facts = flight.begun.facts
        run_id = facts.run_id
        outcome = StepOutcome(
            written={port: self.files.keep(run_id, step_id, port, out) for port, out in result.outputs.items()},
            counts={port: out.height for port, out in result.outputs.items()},
            rows_in=None if frame is None else frame.height,
            tally={
                **result.tally,
                **({"notes": result.notes} if result.notes else {}),
                **({"stopped_by": result.stopped_by} if result.stopped_by else {}),
            },
            exports=result.exports,
            messages=result.messages,
            replaces=flight.begun.reopened,
            credits=result.credits,
        )
        if any(stored.data is None for stored in outcome.written.values()):
            flight.files = True  # written in the background: the run's end waits for it (the loop's `_finish`)
        # A step with messages completes once they are sent: what follows it waits for that.
        next_id = None if result.messages else flight.claim_next(step_id)
        # The run's last step: the run completes in the same transaction (not a re-run's: the loop settles those).
        finish = next_id is None and not result.messages and not flight.begun.reopened and flight.ends_with(step_id)
        try:
            recorded = self.runs.record(
                facts, step_id, outcome, smtp_configured=self.delivery.smtp_configured, start=next_id, finish=finish
            )
        except BaseException:
            if next_id is not None:
                flight.release(next_id)
            raise
        if next_id is not None and recorded.started:
            flight.started(next_id)
        elif next_id is not None:  # the run was cancelled meanwhile: nothing follows
            flight.release(next_id)
            next_id = None
        if recorded.finished:
            flight.completed_with_step = True
        for key in recorded.gone:  # files of an earlier attempt, or of a step cancelled meanwhile
            self.delivery.forget_export(key)
        if not recorded.cancelled:
            flight.sets.update(((step_id, port), out) for port, out in result.outputs.items())
        if recorded.awaiting:
            self.delivery.wake_deliverer()
            return StepStatus.RUNNING, None
        return (StepStatus.CANCELLED, None) if recorded.cancelled else (StepStatus.COMPLETED, next_id)

    async def _await_delivery(self, run_id: str, step_id: str) -> StepStatus:
        """Wait for a step's messages to be sent (or to fail for good), then complete (or fail) the step.

        The wait is on the store, so any deliverer — this process's or another's — settles them. A run
        cancelled meanwhile keeps its unsent messages from going out and cancels the step.
        """
        while True:
            state = await asyncio.to_thread(self.runs.delivery_state, run_id, step_id)
            if state.cancelled or state.waiting == 0:
                break
            await asyncio.sleep(DELIVERY_POLL_SECONDS)
        return await asyncio.to_thread(self.runs.settle_delivery, run_id, step_id, state)


def _roots(document: WorkflowDocument) -> list[str]:
    """The steps a fresh run starts with: those waiting for no other step."""
    return [step.id for step in document.steps if not step.after]


def _idle(task: asyncio.Task[StepStatus | None] | None) -> bool:
    """No task of this engine is carrying the step (none was started, or it has ended)."""
    return task is None or task.done()


def _run_error(document: WorkflowDocument, states: Mapping[str, StepStatus]) -> str:
    failed = [s for s in document.steps if states[s.id] is StepStatus.FAILED]
    return f"step {failed[0].id!r} failed" if failed else "a step failed"


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
