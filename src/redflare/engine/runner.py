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
from redflare.engine.planner import UPSTREAM_FAILED, plan
from redflare.engine.ports import Begun, DeliveryHooks, RunFacts, RunStore, StepContexts, StepOutcome
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
    # The local backend hands sets to the next step in memory; the Parquet copy is the record (and what a re-run
    # or another worker reads). Keyed by run, then (step, port).
    _sets: dict[str, dict[tuple[str, str], pl.DataFrame]] = field(default_factory=dict)

    async def execute(self, run_id: str) -> RunStatus:
        """Run a queued run until every step has ended; returns the run's status.

        A failed run is re-run from its failed step; a running one is taken as already reopened by the service
        that re-runs it. A run that has ended (a queued run cancelled before it started) is left as it is. An
        error the engine cannot place on a step fails the run with it: nothing is left running.
        """
        self._sets[run_id] = {}
        try:
            status = await self._execute(run_id)
        except asyncio.CancelledError:
            raise  # the backend cut the run off (shutdown): it stays running for the next start to recover
        except Exception as exc:
            log.exception("run %s failed in the engine", run_id)
            await asyncio.to_thread(self.runs.fail_run, run_id, f"the engine failed: {_text(exc)}")
            status = RunStatus.FAILED
        finally:
            self._sets.pop(run_id, None)
        await asyncio.to_thread(self.files.settle, run_id)  # a failed or cancelled run's last sets, too
        return status

    async def _execute(self, run_id: str) -> RunStatus:
        begun = await asyncio.to_thread(self.runs.begin, run_id)
        if isinstance(begun, RunStatus):
            return begun
        document = begun.document
        graph = {step.id: [split_port_ref(ref)[0] for ref in step.after] for step in document.steps}
        # The steps' statuses as this loop knows them: it moved them itself (each step task answers where it
        # ended), so the store is read only when something may have happened elsewhere — a poll's time without a
        # step ending (a cancel), or a step that could not say where it ended.
        states = dict(begun.states)
        tasks: dict[str, asyncio.Task[StepStatus | None]] = {}
        stale = not states
        try:
            while True:
                if stale:
                    # A step whose task had ended before this read yet shows running was left so; one that ends
                    # while we read has recorded its end, or is about to.
                    ended = {step_id for step_id, task in tasks.items() if task.done()}
                    status, states = await asyncio.to_thread(self.runs.states, run_id)
                    if status is RunStatus.CANCELLED:
                        await self._wind_down(run_id, tasks)
                        return RunStatus.CANCELLED
                    abandoned = [
                        s for s, st in states.items() if st is StepStatus.RUNNING and (s not in tasks or s in ended)
                    ]
                    if abandoned:
                        await asyncio.to_thread(self._fail_abandoned, run_id, abandoned)
                        continue
                    stale = False
                current = plan(graph, states)
                if current.skip:
                    await asyncio.to_thread(self.runs.skip, run_id, current.skip, UPSTREAM_FAILED)
                    states.update(dict.fromkeys(current.skip, StepStatus.SKIPPED))
                    continue
                for step_id in current.ready:
                    if _idle(tasks.get(step_id)):
                        tasks[step_id] = asyncio.create_task(self._step_task(begun, step_id))
                        states[step_id] = StepStatus.RUNNING
                if current.finished:
                    outcome = current.outcome or RunStatus.COMPLETED
                    error = _run_error(document, states) if outcome is RunStatus.FAILED else None
                    return await asyncio.to_thread(self._finish, run_id, outcome, error)
                running = [t for t in tasks.values() if not t.done()]
                # Always a wait: for a step to end, else for the poll's time (a cancel, a step started elsewhere).
                if not running:
                    await asyncio.sleep(POLL_SECONDS)
                    stale = True
                    continue
                done, _ = await asyncio.wait(running, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
                stale = not done
                for step_id, task in tasks.items():
                    if task in done:
                        ended_as = task.result()
                        states[step_id] = ended_as or StepStatus.RUNNING
                        # Not known, or cancelled (the run was, most likely): the store says what happened.
                        stale = stale or ended_as in (None, StepStatus.CANCELLED)
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

    async def _step_task(self, begun: Begun, step_id: str) -> StepStatus | None:
        """One step from start to its recorded end; whatever goes wrong is recorded on the step. Answers the status
        it ended with, or None when that is not known (its failure could not be recorded, the run had ended)."""
        run_id = begun.facts.run_id
        try:
            ended = await asyncio.to_thread(self._run_step, begun, step_id)
            if ended is StepStatus.RUNNING:  # its messages await sending
                return await self._await_delivery(run_id, step_id)
            return ended
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("step %s of run %s failed", step_id, run_id)
            try:
                await asyncio.to_thread(self.runs.end_step, run_id, step_id, StepStatus.FAILED, error=_text(exc))
            except IllegalTransition:
                return None  # it had ended (a cancel got there first)
            except Exception:  # the store itself failing: the loop finds the step abandoned and tries again
                log.exception("the failure of step %s of run %s could not be recorded", step_id, run_id)
                return None
            return StepStatus.FAILED

    def _run_step(self, begun: Begun, step_id: str) -> StepStatus | None:
        """Runs in a worker thread: one step from start to its recorded end, or to its messages awaiting delivery.

        Answers the status the step ended with — RUNNING when its messages went to the outbox to be sent (the step
        completes once they are) — or None when the run was no longer running (a cancel): nothing was started.
        """
        facts = begun.facts
        step = begun.document.step(step_id)
        kind = self.kinds[step.type]
        run_id = facts.run_id
        if not self.runs.start_step(run_id, step_id):
            return None
        if begun.reopened:
            reconciled = self._reconcile(facts, step_id, kind.ports(kind.parse(step.config)))
            if reconciled is not None:
                return reconciled
        context = self.contexts.context(facts, step_id)
        try:
            frame = self._input_of(run_id, step.after)
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
            return StepStatus.CANCELLED
        except Exception as exc:  # any failure of a step is recorded on it, never lost
            log.exception("step %s of run %s failed", step_id, run_id)
            self.runs.end_step(run_id, step_id, StepStatus.FAILED, error=_text(exc))
            return StepStatus.FAILED
        return self._record(facts, step_id, frame, result)

    def _reconcile(self, facts: RunFacts, step_id: str, ports: Sequence[str]) -> StepStatus | None:
        """A re-run of a step whose outputs an earlier attempt recorded (a delivery step cut off while its emails
        were going out): its outputs stand, its unsent messages get a fresh round, nothing is rendered or written
        again. None when there is nothing recorded to reconcile."""
        recorded = self.runs.recorded_outputs(facts.run_id, step_id, ports)
        if recorded is None:
            return None
        log.info("step %s of run %s: reconciling the outputs an earlier attempt recorded", step_id, facts.run_id)
        if facts.run_id in self._sets:
            self._sets[facts.run_id].update(((step_id, port), self.files.read(path)) for port, path in recorded.items())
        awaiting = self.runs.resend(facts, step_id, smtp_configured=self.delivery.smtp_configured)
        if awaiting:
            self.delivery.wake_deliverer()
        return StepStatus.RUNNING  # settled through the delivery wait, which completes the step (at once if none)

    def _input_of(self, run_id: str, after: list[str]) -> pl.DataFrame | None:
        if not after:
            return None
        in_memory = self._sets.get(run_id, {})
        refs = [split_port_ref(ref) for ref in after]
        if all(ref in in_memory for ref in refs):
            return union_richest([in_memory[ref] for ref in refs])
        self.files.settle(run_id)
        return union_richest([self.files.read(path) for path in self.runs.output_paths(run_id, refs)])

    def _record(self, facts: RunFacts, step_id: str, frame: pl.DataFrame | None, result: StepResult) -> StepStatus:
        """Record a step's outputs, exports and messages in one transaction; answers the step's status: completed,
        cancelled (its run was, meanwhile), or running while its messages await sending."""
        run_id = facts.run_id
        outcome = StepOutcome(
            written={port: self.files.write_later(run_id, step_id, port, out) for port, out in result.outputs.items()},
            counts={port: out.height for port, out in result.outputs.items()},
            rows_in=None if frame is None else frame.height,
            tally={
                **result.tally,
                **({"notes": result.notes} if result.notes else {}),
                **({"stopped_by": result.stopped_by} if result.stopped_by else {}),
            },
            exports=result.exports,
            messages=result.messages,
        )
        recorded = self.runs.record(facts, step_id, outcome, smtp_configured=self.delivery.smtp_configured)
        for key in recorded.gone:  # files of an earlier attempt, or of a step cancelled meanwhile
            self.delivery.forget_export(key)
        if run_id in self._sets and not recorded.cancelled:
            self._sets[run_id].update(((step_id, port), out) for port, out in result.outputs.items())
        if recorded.awaiting:
            self.delivery.wake_deliverer()
            return StepStatus.RUNNING
        return StepStatus.CANCELLED if recorded.cancelled else StepStatus.COMPLETED

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


def _idle(task: asyncio.Task[StepStatus | None] | None) -> bool:
    """No task of this engine is carrying the step (none was started, or it has ended)."""
    return task is None or task.done()


def _run_error(document: WorkflowDocument, states: Mapping[str, StepStatus]) -> str:
    failed = [s for s in document.steps if states[s.id] is StepStatus.FAILED]
    return f"step {failed[0].id!r} failed" if failed else "a step failed"


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
