"""The world as a step sees it: a frozen context of ports. Steps never reach past it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple, Protocol

import polars as pl

from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.access import EVERYTHING, AccessRules
from redflare.domain.conditions import Group
from redflare.domain.conversation import Conversation
from redflare.domain.delivery import ExportRecord, FileType
from redflare.domain.ports import Clock

Order = Literal["newest", "oldest", "random"]
StopCause = Literal["call_limit", "credits_limit", "cancelled"]
State = Literal["processed", "unprocessed", "all"]


@dataclass(frozen=True)
class Selection:
    """What Select Conversations asks of the store."""

    integration: str | None = None
    conversation_ids: Sequence[str] | None = None  # the trigger's gathered set, when source is `trigger`
    pipeline: str | None = None
    pipeline_version: int | None = None  # None: the pipeline's current version
    any_version: bool = False  # "processed" means a result of any version of the pipeline, not only the current one
    state: State = "all"
    condition: Group | None = None
    limit: int | None = None
    order: Order = "newest"
    seed: int = 0
    access: AccessRules = EVERYTHING
    with_analysis: bool = False  # join the pipeline's stored result columns (state "processed")


class Analysable(NamedTuple):
    """What a conversation's price, and a pipeline with no stage on, depend on: read without its turns."""

    id: str
    duration_s: float | None
    audio: str | None
    has_turns: bool


class BatchLoader(Protocol):
    """Loads whole conversations (with turns) by id, in the order asked. Picklable: a worker process of the
    analysis pool loads its own batch, so conversations never travel through the process feeding the pool."""

    def load(self, ids: Sequence[str]) -> list[Conversation]: ...


@dataclass(frozen=True)
class Batch:
    """Conversations to analyse together, by id, with what loads them (in whichever process analyses them)."""

    ids: tuple[str, ...]
    loader: BatchLoader

    def conversations(self) -> list[Conversation]:
        return self.loader.load(self.ids)


class ConversationSource(Protocol):
    def select(self, selection: Selection) -> pl.DataFrame:
        """The matching conversations as a set (appendix B columns, plus analysis ones if asked)."""
        ...

    def load(self, ids: Sequence[str]) -> list[Conversation]:
        """Whole conversations (with turns) for analysis, in the order asked."""
        ...

    def analysable(self, ids: Sequence[str]) -> list[Analysable]:
        """Each conversation found, in the order asked, as pricing needs it: read without loading the turns."""
        ...

    def batch_loader(self) -> BatchLoader:
        """What loads a batch in the process that analyses it."""
        ...


class PipelineCatalog(Protocol):
    def get(self, name: str) -> PipelineDefinition:
        """The current version of a pipeline; raises NotFound."""
        ...


class ResultLedger(Protocol):
    """Stored analysis results: the never-bill-twice ledger keyed by (conversation, pipeline, version)."""

    def stored(self, ids: Sequence[str], pipeline: PipelineDefinition) -> pl.DataFrame:
        """Result columns of the conversations already processed by this pipeline version."""
        ...


class SpendGuard(Protocol):
    """The call and credits limits of the workflow, and the run's cancellation, as one gate."""

    def admit(self, priced: Sequence[tuple[str, Decimal]]) -> int:
        """How many of these (conversation id, price) pairs, in order, may be sent now; reserves their spend."""
        ...

    def settle(self, outcomes: Sequence[AnalysisOutcome], pipeline: PipelineDefinition, *, reprocess: bool) -> Decimal:
        """Store a batch's results and charge them in one transaction; raises Cancelled if the run was.

        Returns the credits charged: a result already stored for this pipeline version is not charged
        again unless `reprocess` is set. A test run stores and charges nothing.
        """
        ...

    def settle_blank(
        self, blank: Sequence[str], failed: Sequence[str], pipeline: PipelineDefinition, *, reprocess: bool
    ) -> Decimal:
        """`settle` for a batch of a pipeline with no stage on (`steps.stageless`), given as ids: `blank` those
        with a blank result (no value, no credits: such a pipeline costs nothing), `failed` the rest. The same
        guarantees, without an outcome per conversation; returns the credits charged (none)."""
        ...

    @property
    def stop_reason(self) -> str | None:
        """Why admission stopped (limit reached), if it did."""
        ...

    @property
    def stopped_by(self) -> StopCause | None:
        """What stopped admission: a limit (the run goes on, cut short) or the run's cancel; None if nothing did."""
        ...


InFlight = Callable[[int], None]
"""Told how many conversations of the batches not yet yielded are analysed already (a count, never a write)."""


class AnalysisExecutor(Protocol):
    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[Batch], in_flight: InFlight | None = None
    ) -> Iterator[list[AnalysisOutcome]]:
        """Analyse batches in parallel (each loaded where it is analysed), yielding each one's outcomes as it ends.

        Pulls the next batch only when a worker is free, so a stop between batches is prompt. With `in_flight`,
        calls it from the consuming thread, while it waits for a batch to end, with how many conversations of the
        batches it has not yet yielded are analysed so far: progress per conversation, not per batch.
        """
        ...


class Cancellation(Protocol):
    @property
    def cancelled(self) -> bool: ...


class RunFactsSource(Protocol):
    def facts(self) -> dict[str, Any]:
        """The run's facts for message templates, as plain values (SPEC: Send Alert).

        `{"workflow": {"id", "name"}, "run": {"id", "number", "url", "test", "started_at", "credits",
        "conversations_processed", "trigger"}, "steps": {step id: {"type", "status", "rows_in", "rows_out",
        "credits"}}, "trigger": templating.trigger_facts(…)}` — counts and credits of the run so far; credits as
        floats; `trigger` what fired the run (its integration, sync, window, counts, a failed sync's error).
        """
        ...


class ExportSink(Protocol):
    def write(self, frame: pl.DataFrame, *, name: str, columns: Sequence[str], file_type: FileType) -> ExportRecord:
        """Write `columns` of `frame` as a CSV or .xlsx file into the export storage under a random key.

        Answers the record with its size, row count and a signed download link; the engine stores the
        record with the step's result. A column the frame does not have is a ValueError naming it.
        """
        ...


class ProgressSink(Protocol):
    """Where a long step says how far it has got, for the run page's progress bar."""

    def report(self, processed: int, total: int, credits: Decimal) -> None:
        """`processed` of `total` items are finished, and they have cost `credits` so far.

        Called from the step's own thread as often as it likes (after each batch); the sink decides
        how often that reaches the store. Never raises for the step's sake: progress is a courtesy.
        """
        ...

    def flush(self) -> None:
        """Pass on the last report still held back (the engine calls it when the step returns or raises)."""
        ...


class _NoProgress:
    """The default sink: a context built without one (tests, the dry run) reports into nothing."""

    def report(self, processed: int, total: int, credits: Decimal) -> None:
        return None

    def flush(self) -> None:
        return None


NO_PROGRESS: ProgressSink = _NoProgress()


@dataclass(frozen=True)
class TriggerInfo:
    type: str
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def conversation_ids(self) -> list[str] | None:
        ids = self.payload.get("conversation_ids")
        return list(ids) if isinstance(ids, list) else None


@dataclass(frozen=True)
class StepContext:
    run_id: str
    workflow_id: str
    step_id: str
    clock: Clock
    trigger: TriggerInfo
    conversations: ConversationSource
    pipelines: PipelineCatalog
    ledger: ResultLedger
    guard: SpendGuard
    executor: AnalysisExecutor
    cancellation: Cancellation
    facts: RunFactsSource
    exports: ExportSink
    access: AccessRules = EVERYTHING
    test: bool = False
    sample: int | None = None
    """A test run's sample size: Select Conversations takes at most this many."""
    batch_size: int = 200
    progress: ProgressSink = NO_PROGRESS
