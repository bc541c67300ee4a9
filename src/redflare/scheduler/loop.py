"""The scheduler: turns due schedules and sync events into runs, exactly one run per firing.

One pass (`tick`, synchronous) does, in order:

1. scans the folder integrations that are due (`integrations.folder`; the events of their syncs are consumed
   in this same pass);
2. starts the waiting firings whose workflow has nothing queued or running any more (first, so a new firing
   of that workflow queues behind the run it starts, not beside it);
3. fires the due schedule times of live workflows (catch-up from `due.schedule_baseline`, see there);
4. consumes unconsumed sync events: one firing per listening live workflow, then marks the event consumed —
   only once every listener's firing is decided, so a failure leaves it to the next pass, where the firings
   already made are duplicates and change nothing.

Each workflow's firing is its own short transaction, and an error in one is logged and skipped: one bad
workflow never stops the rest. Firing keys are unique per workflow in the database, so any number of
schedulers over one store (two processes, a restart mid-pass) make one run per firing.

Each run started is handed to `submit(run_id)` (the backend's) after its transaction committed. `tick` calls it in
the calling thread; `run` calls it on the event loop's thread (the pass itself runs in a worker thread).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redflare.adapters.db.orm import Workflow
from redflare.adapters.db.store import Store
from redflare.adapters.db.sync_events import mark_consumed, unconsumed_events
from redflare.config import Settings
from redflare.domain.ports import Clock
from redflare.domain.workflow import TriggerType
from redflare.integrations.folder import due_folder_integrations, sync_folder
from redflare.scheduler.due import (
    LiveWorkflow,
    TriggerCache,
    integration_names,
    listening,
    schedule_baseline,
    workflows_waiting,
)
from redflare.scheduler.firing import FiringResult, fire, schedule_key, start_waiting, sync_key
from redflare.triggers.schedule import due_firings, next_fire

log = logging.getLogger(__name__)

Submit = Callable[[str], None]


@dataclass(frozen=True)
class _NextDue:
    """When a schedule can next be due, valid while the workflow row is unchanged (same version, updated_at)."""

    version: int
    updated_at: datetime
    at: datetime | None  # None: the schedule never fires again


class Scheduler:
    """Fires due schedules and sync events of live workflows: one pass (`tick`) or a loop (`run`)."""

    def __init__(self, store: Store, clock: Clock, settings: Settings, submit: Submit) -> None:
        self.store = store
        self.clock = clock
        self.catch_up = settings.catch_up
        self.poll_s = settings.scheduler_poll_s
        self.submit = submit
        self._triggers = TriggerCache()
        # Skips the store reads for a schedule until its next fire time comes (another scheduler firing it
        # first is harmless: ours is then a duplicate). A publish, resume or set-active changes updated_at.
        self._next_due: dict[str, _NextDue] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None

    # --- One pass -----------------------------------------------------------------------------------------------

    def tick(self) -> list[str]:
        """One pass (see the module docstring); hands each run it started to `submit`; answers their ids."""
        started = self.fire_due()
        for result in started:
            self._hand_over(result)
        return [result.run_id for result in started if result.run_id is not None]

    def fire_due(self) -> list[FiringResult]:
        """One pass without handing runs over: the firings that started a run (committed).

        Each part is guarded on its own: a failure (logged) in one leaves the others to do their work.
        """
        started: list[FiringResult] = []
        with _logged("scanning the folder integrations due"):
            self._sync_folders()
        with _logged("starting waiting firings"):
            started += self._start_waiting()
        live: list[LiveWorkflow] | None = None
        with _logged("listing the live workflows"), self.store.read() as session:
            live = self._triggers.live_workflows(session)
        if live is not None:
            with _logged("firing due schedules"):
                started += self._fire_schedules(live)
            with _logged("consuming sync events"):
                started += self._consume_sync_events(live)
        return started

    def _start_waiting(self) -> list[FiringResult]:
        with self.store.read() as session:
            waiting = workflows_waiting(session)
        started = []
        for workflow_id in waiting:
            with _logged(f"starting the waiting firing of workflow {workflow_id}"):
                with self.store.transaction() as session:
                    workflow = session.get(Workflow, workflow_id)
                    result = None if workflow is None else start_waiting(session, workflow=workflow, now=self._now())
                if result is not None and result.outcome == "started":
                    started.append(result)
        return started

    def _fire_schedules(self, live: list[LiveWorkflow]) -> list[FiringResult]:
        started = []
        for workflow in live:
            if workflow.trigger is None or workflow.trigger.type is not TriggerType.SCHEDULE:
                self._next_due.pop(workflow.id, None)
                continue
            with _logged(f"firing the schedule of workflow {workflow.id}"):
                started += self._fire_schedule(workflow)
        return started

    def _fire_schedule(self, workflow: LiveWorkflow) -> list[FiringResult]:
        assert workflow.trigger is not None
        now = self._now()
        known = self._next_due.get(workflow.id)
        fresh = known is not None and (known.version, known.updated_at) == (workflow.version, workflow.updated_at)
        if fresh and known is not None and (known.at is None or known.at > now):
            return []
        with self.store.read() as session:
            baseline = schedule_baseline(session, workflow.id)
        started = []
        decided = True
        for scheduled_for in due_firings(workflow.trigger, last_fired=baseline, now=now, catch_up=self.catch_up):
            payload = {"scheduled_for": scheduled_for.isoformat()}
            result = self._fire(workflow.id, schedule_key(scheduled_for), "schedule", scheduled_for, payload)
            decided = decided and result is not None
            if result is not None and result.outcome == "started":
                started.append(result)
        if decided:  # a firing that failed is tried again next pass
            # Whatever was due is decided; nothing more can be before the next fire time after `now`.
            upcoming = next_fire(workflow.trigger, after=now)
            self._next_due[workflow.id] = _NextDue(workflow.version, workflow.updated_at, upcoming)
        return started

    def _consume_sync_events(self, live: list[LiveWorkflow]) -> list[FiringResult]:
        with self.store.read() as session:
            events = unconsumed_events(session)
            names = integration_names(session, events)
        started = []
        for event in events:
            integration = names.get(event.integration_id)
            listeners = [] if integration is None else listening(live, event_type=event.type, integration=integration)
            # The payload carries the integration, the sync id and its window; for Sync Completed, the
            # conversations that arrived in it (`conversation_ids`), which the run gathers.
            payload: dict[str, Any] = {"integration": integration, "sync_id": event.sync_id, **event.payload}
            decided = True
            for workflow_id in listeners:
                result = self._fire(workflow_id, sync_key(event.sync_id, event.type), event.type, None, payload)
                decided = decided and result is not None
                if result is not None and result.outcome == "started":
                    started.append(result)
            if decided:
                with _logged(f"marking sync event {event.id} consumed"), self.store.transaction() as session:
                    mark_consumed(session, event.id, now=self._now())
        return started

    def _fire(
        self, workflow_id: str, key: str, trigger_type: str, scheduled_for: datetime | None, payload: dict[str, Any]
    ) -> FiringResult | None:
        """Fire one workflow in its own transaction; None if that failed (logged)."""
        with _logged(f"firing {key} of workflow {workflow_id}"):
            with self.store.transaction() as session:
                workflow = session.get(Workflow, workflow_id)
                if workflow is None:  # deleted since it was listed: nothing to fire
                    return FiringResult(workflow_id, key, "skipped", "the workflow was deleted")
                result = fire(
                    session,
                    workflow=workflow,
                    key=key,
                    trigger_type=trigger_type,
                    scheduled_for=scheduled_for,
                    payload=payload,
                    now=self._now(),
                )
            if result.outcome != "duplicate":
                log.info("workflow %s firing %s: %s%s", workflow_id, key, result.outcome, _because(result.reason))
            return result
        return None

    def _sync_folders(self) -> None:
        """Scan the folder integrations that are due (each its own sync, with its events)."""
        with self.store.read() as session:
            due = due_folder_integrations(session, self._now())
        for integration_id in due:
            with _logged(f"syncing folder integration {integration_id}"):
                sync_folder(self.store, integration_id, self._now())

    def _hand_over(self, result: FiringResult) -> None:
        assert result.run_id is not None, "a started firing has a run"
        with _logged(f"handing run {result.run_id} to the backend"):
            self.submit(result.run_id)

    def _now(self) -> datetime:
        return self.clock.now()

    # --- The loop -----------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop` is set: at once on `wake()`, else every `scheduler_poll_s` seconds.

        The pass runs in a worker thread (the store is synchronous); an error is logged and the loop goes on.
        """
        self._loop = asyncio.get_running_loop()
        self._wakeup = wakeup = asyncio.Event()
        try:
            while not stop.is_set():
                # Cleared before the pass, so a wake() that arrives during it cuts the following wait short.
                wakeup.clear()
                try:
                    started = await asyncio.to_thread(self.fire_due)
                except Exception:
                    log.exception("a scheduler pass failed; trying again shortly")
                    started = []
                for result in started:
                    self._hand_over(result)
                await _first_of(stop, wakeup, timeout=self.poll_s)
        finally:
            self._wakeup = None
            self._loop = None

    def wake(self) -> None:
        """Make a pass now (a sync event was just written). Safe from any thread; a no-op unless running."""
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None:
            return
        with suppress(RuntimeError):  # the loop has closed: nothing left to wake
            loop.call_soon_threadsafe(wakeup.set)


@contextmanager
def _logged(what: str) -> Iterator[None]:
    """A block whose error is logged and swallowed: the scheduler carries on with the next piece of work."""
    try:
        yield
    except Exception:
        log.exception("scheduler: %s failed", what)


def _because(reason: str | None) -> str:
    return f" ({reason})" if reason else ""


async def _first_of(*events: asyncio.Event, timeout: float) -> None:
    """Return when any of `events` is set, or after `timeout` seconds."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
