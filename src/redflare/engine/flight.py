"""A run in flight in this engine: its steps' statuses as the engine knows them, which task carries each running
step, and the sets its finished steps handed on.

The run loop (on the event loop) and the step threads share it, so every read and change of the statuses is under
its lock. A step thread that completes a step may carry on with the one step that this completion made ready — a
chain runs in one thread, without going back to the loop between its steps — by *claiming* it: the claim marks it
running here at once (nobody else starts it), and holds until the store shows it running too (its start is written
in the same transaction as the previous step's end), or is released. Likewise the step whose completion ends the
run records the run's end with its own (`ends_with`), when nothing is left for the loop to settle first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from redflare.domain.runs import RunStatus, StepStatus
from redflare.engine.planner import Plan, plan
from redflare.engine.ports import Begun


@dataclass
class Flight:
    begun: Begun
    graph: Mapping[str, Sequence[str]]
    """Each step id → the ids of the steps it waits for."""
    states: dict[str, StepStatus]
    sets: dict[tuple[str, str], pl.DataFrame] = field(default_factory=dict)
    """(step, port) → the set a finished step produced there: the next step is fed from memory."""
    carriers: dict[str, str] = field(default_factory=dict)
    """A running step → the step whose task carries it (itself, or the first step of the chain it is part of)."""
    completed_with_step: bool = False
    """The run's completion was recorded with its last step's (`record(finish=True)`): the loop only returns."""
    files: bool = False
    """A set of the run went to a file (written in the background): the run ends through the loop, which waits
    for the files first."""
    _claimed: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def run_id(self) -> str:
        return self.begun.facts.run_id

    def plan(self) -> Plan:
        with self._lock:
            return plan(self.graph, self.states)

    def snapshot(self) -> dict[str, StepStatus]:
        with self._lock:
            return dict(self.states)

    def set(self, step_ids: Iterable[str], status: StepStatus) -> None:
        with self._lock:
            self.states.update(dict.fromkeys(step_ids, status))

    def start(self, step_id: str) -> None:
        """The loop gives the step a task of its own."""
        with self._lock:
            self.states[step_id] = StepStatus.RUNNING
            self.carriers[step_id] = step_id

    def refresh(self, stored: Mapping[str, StepStatus]) -> None:
        """Take the store's statuses; a claimed step the store does not show running yet stays running here."""
        with self._lock:
            self.states = {**stored, **dict.fromkeys(self._claimed, StepStatus.RUNNING)}

    def carrier_of(self, step_id: str) -> str:
        with self._lock:
            return self.carriers.get(step_id, step_id)

    def claim_next(self, step_id: str) -> str | None:
        """The one step that `step_id` completing makes ready, claimed for the task carrying `step_id`; None when
        none or several do (several: the loop starts them side by side) or when a step is about to be skipped."""
        with self._lock:
            after = {**self.states, step_id: StepStatus.COMPLETED}
            current = plan(self.graph, after)
            fresh = [s for s in current.ready if step_id in self.graph[s] and s not in self._claimed]
            if len(fresh) != 1 or current.skip:
                return None
            (next_id,) = fresh
            self._claimed.add(next_id)
            self.states[next_id] = StepStatus.RUNNING
            self.carriers[next_id] = self.carriers.get(step_id, step_id)
            return next_id

    def ends_with(self, step_id: str) -> bool:
        """Whether `step_id` completing completes the run: every other step has ended, none failed, skipped or
        cancelled, and no set of the run is still being written to its file."""
        with self._lock:
            current = plan(self.graph, {**self.states, step_id: StepStatus.COMPLETED})
            return current.finished and not current.skip and current.outcome is RunStatus.COMPLETED and not self.files

    def started(self, step_id: str) -> None:
        """A claimed step's start is in the store."""
        with self._lock:
            self._claimed.discard(step_id)

    def release(self, step_id: str) -> None:
        """A claimed step was not started after all (the run was cancelled, recording failed): pending again."""
        with self._lock:
            self._claimed.discard(step_id)
            self.carriers.pop(step_id, None)
            self.states[step_id] = StepStatus.PENDING
