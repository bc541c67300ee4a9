"""What the engine needs from the world, as ports: the adapters implement them, the engine never imports them.

- `RunStore`: the run's record — its status and each step's, their moves, a step's recorded result (outputs,
  exports, messages) and where a delivery step's messages stand. Every call is one short transaction.
- `StepContexts`: the frozen `StepContext` a step kind executes with (conversations, pipelines, ledger, spend
  guard, exports, progress), built for one step of one run.
- `DeliveryHooks`: whether email can go out now, how to wake a deliverer, how to drop an export file.

Calls are synchronous (the store is); the engine makes them from worker threads, never on its event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from redflare.domain.access import AccessRules
from redflare.domain.delivery import ExportRecord, OutgoingMessage
from redflare.domain.runs import RunStatus, StepStatus
from redflare.domain.workflow import Settings as Limits
from redflare.domain.workflow import WorkflowDocument
from redflare.sets.stored import StoredSet
from redflare.steps.context import StepContext, TriggerInfo


@dataclass(frozen=True)
class RunFacts:
    """What every step of one run shares, read once when the run begins."""

    run_id: str
    workflow_id: str
    trigger: TriggerInfo
    limits: Limits
    access: AccessRules
    """The workflow creator's data-access rules, as they are when the run begins (or is re-run)."""
    test: bool
    sample: int | None = None  # a test run's sample size: at most this many conversations per selection


@dataclass(frozen=True)
class Begun:
    """A run the engine has moved to running: its facts and the document it executes."""

    facts: RunFacts
    document: WorkflowDocument
    reopened: bool = False
    """A re-run: steps may have outputs an earlier attempt recorded (the engine reconciles them)."""
    states: Mapping[str, StepStatus] = field(default_factory=dict)
    """Each step's status as the run began (empty: the engine reads them)."""
    started: tuple[str, ...] = ()
    """The steps started with the run's begin (`begin(first=…)`), in the same transaction."""


@dataclass(frozen=True)
class StepOutcome:
    """A step's result as the engine records it: its sets (already written), counts, tally, exports, messages."""

    written: Mapping[str, StoredSet]  # port → where its set is kept
    counts: Mapping[str, int]  # port → rows
    rows_in: int | None
    tally: Mapping[str, Any]
    exports: Sequence[ExportRecord] = ()
    messages: Sequence[OutgoingMessage] = ()
    replaces: bool = False
    """A re-run: an earlier attempt of the step may have recorded outputs, which this replaces."""
    credits: Decimal = Decimal(0)
    """What the step says it charged (the ledger's sum is what is recorded, when there is anything to sum)."""


@dataclass(frozen=True)
class Recorded:
    """What recording a step did: whether it now waits on its messages, and export files to delete."""

    awaiting: bool
    cancelled: bool = False
    gone: list[str] = field(default_factory=list)
    started: bool = False
    """The step asked to start with this one's end (`record(start=…)`) is running."""
    finished: bool = False
    """The run completed with this step (`record(finish=True)`), in the same transaction."""


@dataclass(frozen=True)
class DeliveryState:
    """Where a delivery step's messages stand: the run cancelled, how many still go, which failed and why."""

    cancelled: bool
    waiting: int
    failed: list[tuple[list[str], str]]


class RunStore(Protocol):
    def begin(
        self, run_id: str, *, first: Callable[[WorkflowDocument], Sequence[str]] | None = None
    ) -> Begun | RunStatus:
        """Move a queued run to running, or a failed one back to work from its failed step (a re-run); a running
        one (reopened by the service) is taken as it is. Answers the run's status when there is nothing to do.
        `first`: the steps a queued run starts with, given its document; they are started in the same transaction
        (`Begun.started`)."""
        ...

    def states(self, run_id: str) -> tuple[RunStatus, dict[str, StepStatus]]:
        """The run's status and each step's."""
        ...

    def skip(self, run_id: str, step_ids: Sequence[str], reason: str) -> None: ...

    def cancel_pending(self, run_id: str) -> None:
        """A cancelled run's pending steps are cancelled (a step already cancelled stays so)."""
        ...

    def finish(self, run_id: str, outcome: RunStatus, error: str | None) -> RunStatus:
        """End the run; a run cancelled meanwhile stays cancelled (answers the status it ended with)."""
        ...

    def fail_run(self, run_id: str, error: str) -> None:
        """Fail a run the engine could not carry on (its running and pending steps with it), if it is still going."""
        ...

    def start_step(self, run_id: str, step_id: str) -> bool:
        """Move a pending step to running; False (nothing moved) when its run is no longer running (a cancel)."""
        ...

    def end_step(
        self, run_id: str, step_id: str, to: StepStatus, *, reason: str | None = None, error: str | None = None
    ) -> None:
        """End a running step as failed or cancelled, with what its settled batches cost; IllegalTransition if
        it is not running."""
        ...

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
        """Record a step's outputs, exports and messages in one transaction (idempotent for a re-run). It
        completes, or — with messages to send — stays running until they are settled. A run cancelled meanwhile
        cancels the step instead. `start`: a pending step to start in the same transaction once this one has
        completed (the engine carries on with it). `finish`: this step is the run's last, so the run completes in
        the same transaction too (unless it is no longer running: then the engine ends it as usual)."""
        ...

    def recorded_outputs(self, run_id: str, step_id: str, ports: Sequence[str]) -> dict[str, StoredSet] | None:
        """A step's outputs an earlier attempt recorded (port → where its set is kept), when every port has one."""
        ...

    def resend(self, facts: RunFacts, step_id: str, *, smtp_configured: bool) -> bool:
        """Re-run of a step whose outputs were recorded: its unsent messages get a fresh round; True if any now
        waits to be sent. Sent messages stay sent: nobody gets an email twice."""
        ...

    def output_sets(self, run_id: str, refs: Sequence[tuple[str, str]]) -> list[StoredSet]:
        """Where these (step, port) outputs are kept; LookupError naming one that was never recorded."""
        ...

    def delivery_state(self, run_id: str, step_id: str) -> DeliveryState: ...

    def settle_delivery(self, run_id: str, step_id: str, state: DeliveryState) -> StepStatus:
        """Complete a delivery step (or fail it with who did not get what, or cancel it with its run); answers the
        status it ended with."""
        ...


class StepContexts(Protocol):
    def context(self, facts: RunFacts, step_id: str) -> StepContext:
        """The context one step of one run executes with."""
        ...


class DeliveryHooks(Protocol):
    @property
    def smtp_configured(self) -> bool: ...

    def wake_deliverer(self) -> None:
        """Messages just entered the outbox: a deliverer in this process may start at once (any thread)."""
        ...

    def forget_export(self, key: str) -> None:
        """Delete an export file that no record points at any more (a re-run's replaced file)."""
        ...
