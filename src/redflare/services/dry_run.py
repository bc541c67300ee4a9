"""The dry run behind an impact preview: a document's steps replayed on the sets, pricing instead of analysing.

`DryRun(session, document, access=…, budget=…, now=…).run()` answers one `StepEstimate` per step, in
document order, and leaves behind what the run would send (`prices`, in order, limits aside) and which
conversations it selected (`selected`). It only reads, in the caller's transaction; every port that
would analyse, charge or cancel refuses (see `services.estimate` for the contract). What a step does here is
its kind's to say (`StepKind.preview`, `steps/preview.py`): it selects, is priced, transforms or passes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NoReturn

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.batches import SqlConversations
from redflare.adapters.db.conversations import turn_count
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.adapters.db.pipelines import get_pipeline
from redflare.adapters.db.selection import ID_CHUNK, load_results
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.access import AccessRules
from redflare.domain.credits import ZERO
from redflare.domain.errors import RedflareError, StepError
from redflare.domain.workflow import DEFAULT_PORT, StepNode, TriggerType, WorkflowDocument, split_port_ref
from redflare.services.budget import Budget
from redflare.services.estimate_results import Processing, StepEstimate
from redflare.sets.frames import empty_set, union_richest
from redflare.sets.results import results_frame
from redflare.steps.base import StepKind
from redflare.steps.context import Selection, StepContext, TriggerInfo
from redflare.steps.preview import Analysis, Flow
from redflare.steps.registry import STEP_KINDS

RECENT = timedelta(hours=24)
PENDING = "__estimate_pending"  # per row: its analysis columns are unknown until it is processed
SENDS_NOTHING = "sends nothing in an estimate"


class _NeverSpends:
    """The ports of a step context an estimate must never reach: analysing, charging, cancelling."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("an estimate never analyses, charges or stores anything")

    get = stored = admit = settle = settle_blank = run = facts = write = _refuse

    @property
    def stop_reason(self) -> str | None:
        return None

    @property
    def stopped_by(self) -> None:
        return None

    @property
    def cancelled(self) -> bool:
        return False


class DryRun:
    def __init__(
        self, session: Session, document: WorkflowDocument, *, access: AccessRules, budget: Budget, now: datetime
    ) -> None:
        self.session = session
        self.document = document
        self.access = access
        self.budget = budget
        self.now = now
        # The query runs in the caller's transaction (on SQLite a second one would wait for its lock).
        self.source = SqlConversations(sessionmaker(bind=session.connection(), join_transaction_mode="rollback_only"))
        self.prices: list[Decimal] = []  # every conversation the run would send, in order, limits aside
        self.selected: set[str] = set()
        self.sets: dict[tuple[str, str], pl.DataFrame] = {}
        self._recent: list[str] | None = None

    def run(self) -> list[StepEstimate]:
        done: dict[str, StepEstimate] = {}
        remaining = list(self.document.steps)
        while remaining:  # document order among the steps whose inputs are ready
            node = next((s for s in remaining if all(split_port_ref(r)[0] in done for r in s.after)), None)
            if node is None:  # a cycle or an unknown step: Final checks refuse these, but never crash on them
                done.update(
                    (s.id, StepEstimate(s.id, s.type, "skipped", note="its inputs never get ready")) for s in remaining
                )
                break
            remaining.remove(node)
            upstream = [done[split_port_ref(r)[0]] for r in node.after]
            if any(u.status != "estimated" for u in upstream):
                done[node.id] = StepEstimate(node.id, node.type, "skipped", note="an earlier step did not estimate")
                continue
            done[node.id] = self._step(node)
        return [done[s.id] for s in self.document.steps]

    def _step(self, node: StepNode) -> StepEstimate:
        frame = None
        try:
            frame = self._input_of(node)
            outputs, extra = self._outputs(node, frame)
        except (RedflareError, ValueError) as exc:
            return StepEstimate(node.id, node.type, "failed", rows_in=_height(frame), error=str(exc) or repr(exc))
        self.sets.update(((node.id, port), out) for port, out in outputs.items())
        pending_in = 0 if frame is None else _pending(frame)
        pending_out = sum(_pending(out) for out in outputs.values())
        return StepEstimate(
            node.id,
            node.type,
            "estimated",
            rows_in=_height(frame),
            rows_out=sum(out.height for out in outputs.values()),
            outputs={port: out.height for port, out in outputs.items()},
            awaiting_analysis=pending_out,
            undecided=self._undecided(node, frame, pending_in, pending_out),
            **extra,
        )

    def _outputs(self, node: StepNode, frame: pl.DataFrame | None) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
        """What the step's kind says it does in an estimate (`StepKind.preview`), on its input."""
        source = frame if frame is not None else _with_pending(empty_set(), False)
        kind: StepKind[Any] | None = STEP_KINDS.get(node.type)
        if kind is None:
            return {DEFAULT_PORT: source}, {"note": SENDS_NOTHING}
        config = kind.parse(node.config)
        preview = kind.preview
        if preview.role == "selects":
            selected = kind.execute(self._context(node.id), config, None).outputs[DEFAULT_PORT]
            self.selected.update(selected["id"].to_list())
            return {DEFAULT_PORT: _with_pending(selected, False)}, {}
        if preview.role == "analyses" and preview.analysis is not None:
            return self._process(preview.analysis(config), source)
        if preview.role == "transforms" and preview.transform is not None:
            return dict(preview.transform(config, source)), {}
        return {DEFAULT_PORT: source}, {"note": SENDS_NOTHING}

    def _process(self, config: Analysis, frame: pl.DataFrame) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
        pipeline_id, pipeline = get_pipeline(self.session, config.pipeline)
        ids = frame["id"].to_list()
        criteria = pipeline.criterion_names
        reused = (
            results_frame([], pipeline.name, criteria)
            if config.reprocess
            else load_results(self.session, ids, pipeline_id, pipeline)
        )
        known = set(reused["id"].to_list())
        priced = self._priced([i for i in ids if i not in known], pipeline)
        prices = [price for _, price in priced]
        self.prices.extend(prices)
        admitted, stopped_by = self.budget.admit(prices)
        sent = priced[:admitted]
        # Rows on their way to the pipeline: its name and their price are known, their scores are not.
        awaiting = results_frame(
            [(i, None, None, None, price, None, None, None, {}) for i, price in sent], pipeline.name, criteria
        )
        results = pl.concat([_with_pending(reused, False), _with_pending(awaiting, True)], how="vertical_relaxed")
        keep = [c for c in frame.columns if c == "id" or c not in results.columns]
        out = frame.select(keep).join(results, on="id", how="inner", maintain_order="left")
        processing = Processing(
            pipeline=pipeline.name,
            pipeline_version=pipeline.version,
            reused=reused.height,
            to_process=len(priced),
            processed=admitted,
            left_unprocessed=len(priced) - admitted,
            stopped_by=stopped_by,
        )
        return {DEFAULT_PORT: out}, {"credits": sum(prices[:admitted], ZERO), "processing": processing}

    def _priced(self, ids: list[str], pipeline: PipelineDefinition) -> list[tuple[str, Decimal]]:
        """Each stored conversation's price under the pipeline, in the order given (gone ones left out)."""
        billed_seconds: dict[str, float | None] = {}
        turns = turn_count(self.session)
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            query = select(ConversationRow.id, ConversationRow.audio, ConversationRow.duration_s, turns)
            for conversation_id, audio, duration, turned in self.session.execute(
                query.where(ConversationRow.id.in_(chunk))
            ):
                # As analysis.pipeline.audio_seconds decides in a run: only a recording without turns pays for
                # its transcription.
                billed_seconds[conversation_id] = duration if audio and not turned else None
        return [(i, pipeline.price(billed_seconds[i])) for i in ids if i in billed_seconds]

    def _input_of(self, node: StepNode) -> pl.DataFrame | None:
        if node.after:
            missing = [ref for ref in node.after if split_port_ref(ref) not in self.sets]
            if missing:
                raise StepError(f"no output {', '.join(missing)} to take as input")
            return union_richest([self.sets[split_port_ref(ref)] for ref in node.after])
        kind = STEP_KINDS.get(node.type)
        if kind is None or not kind.takes_input:
            return None
        # Hung straight off the trigger: what the firing gathered, as the engine gives it.
        frame = self.source.select(Selection(conversation_ids=self._recent_ids(), access=self.access, order="oldest"))
        self.selected.update(frame["id"].to_list())
        return _with_pending(frame, False)

    def _context(self, step_id: str) -> StepContext:
        trigger = self.document.trigger
        never = _NeverSpends()
        return StepContext(
            run_id="estimate",
            workflow_id="estimate",
            step_id=step_id,
            clock=_Frozen(self.now),
            trigger=TriggerInfo(
                trigger.type if trigger is not None else TriggerType.MANUAL,
                {"conversation_ids": self._recent_ids()},
            ),
            conversations=self.source,
            pipelines=never,
            ledger=never,
            guard=never,
            executor=never,
            cancellation=never,
            facts=never,
            exports=never,
            access=self.access,
        )

    def _recent_ids(self) -> list[str]:
        """Stand-in for a sync's conversations: those imported in the last 24 hours (of the trigger's integration)."""
        trigger = self.document.trigger
        if trigger is None or trigger.type is not TriggerType.SYNC_COMPLETED:
            return []
        if self._recent is None:
            query = select(ConversationRow.id).where(ConversationRow.imported_at > self.now - RECENT)
            if trigger.integration is not None:
                query = query.join(Integration, Integration.id == ConversationRow.integration_id).where(
                    Integration.name == trigger.integration
                )
            self._recent = list(self.session.scalars(query))
        return self._recent

    def _undecided(self, node: StepNode, frame: pl.DataFrame | None, pending_in: int, pending_out: int) -> int:
        """Rows awaiting analysis that this step placed on values not known before analysis."""
        kind: StepKind[Any] | None = STEP_KINDS.get(node.type)
        if kind is None or frame is None or not pending_in:
            return 0
        return kind.preview.undecided(kind.parse(node.config), Flow(frame.height, pending_in, pending_out))


@dataclass(frozen=True)
class _Frozen:
    at: datetime

    def now(self) -> datetime:
        return self.at


def _with_pending(frame: pl.DataFrame, pending: bool) -> pl.DataFrame:
    return frame.with_columns(pl.lit(pending, dtype=pl.Boolean).alias(PENDING))


def _pending(frame: pl.DataFrame) -> int:
    return int(frame[PENDING].sum()) if PENDING in frame.columns else 0


def _height(frame: pl.DataFrame | None) -> int | None:
    return None if frame is None else frame.height
