"""Impact preview: what a run of the draft, and of the active version, would select, spend and split — dry.

Contract of `estimate_workflow`:
- It only reads, inside the caller's transaction: nothing is analysed, charged, sent or stored.
- Select Conversations runs its real query (the step's own `execute`) with the workflow creator's
  data-access rules, as a run would. A trigger's own conversations (source `trigger`, or a step hung
  straight off a Sync Completed trigger) are stood in for by the conversations imported in the last 24
  hours, of the trigger's integration when it names one.
- Process Conversations prices instead of analysing. A conversation with a stored result for the
  pipeline's current version is reused — free, its stored columns carried on; the others would be
  charged the pipeline's price (analysis per conversation, transcription per audio minute for
  recordings). The call and credits limits are applied as the run's spend guard applies them, in
  order, across the run's Process steps: the run's firing is one call, each conversation sent one
  more; the conversation that crosses the credits limit is the last one admitted. What the limits
  leave out does not flow on, as in a run.
- Conversations that would be processed have no scores yet: their analysis columns (score,
  sentiment, criteria, measures) are empty in the estimate, where — as everywhere — a rule on an
  empty value never matches and empty values sort last. Each step says how many output rows await
  analysis (`awaiting_analysis`), and how many rows awaiting analysis it placed on values nobody
  knows yet (`undecided`): a Filter on score keeps between `rows_out` and `rows_out + undecided`.
- Filter, Sort and Distribute run their own pure functions on the sets. Step kinds that deliver
  (Send Alert, Schedule Export) send nothing in an estimate: their rows pass through, counted.
- The draft is estimated only when Final checks find no issue; otherwise its issues are answered
  instead. The active version (checked when published) always is. A step that fails (a pipeline
  removed since publishing, say) shows its error, and the steps after it are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NoReturn

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.ledger import calls_in_window, credits_spent
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration, WorkflowVersion
from redflare.adapters.db.pipelines import get_pipeline
from redflare.adapters.db.selection import ID_CHUNK, SqlConversationSource, load_results
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.access import AccessRules
from redflare.domain.columns import ANALYSIS_COLUMNS, CRITERION_PREFIX
from redflare.domain.conditions import referenced_fields
from redflare.domain.credits import ZERO, affordable
from redflare.domain.errors import InvalidWorkflow, Issue, RedflareError, StepError
from redflare.domain.loading import document_from_data
from redflare.domain.workflow import DEFAULT_PORT, StepNode, TriggerType, WorkflowDocument, split_port_ref
from redflare.services.users import Principal
from redflare.services.visibility import creator_rules, visible_workflow
from redflare.services.workflows import final_checks
from redflare.sets.frames import columns_of, empty_set, union_richest
from redflare.sets.results import results_frame
from redflare.steps import distribute, process_conversations, select_conversations, sort
from redflare.steps import filter as filter_step
from redflare.steps.base import check_input
from redflare.steps.context import Selection, StepContext, TriggerInfo
from redflare.steps.registry import STEP_KINDS

CALL_LIMIT = "call_limit"
CREDITS_LIMIT = "credits_limit"
RECENT = timedelta(hours=24)
PENDING = "__estimate_pending"  # per row: its analysis columns are unknown until it is processed
# What a pipeline adds that the estimate cannot know before analysing (it knows the pipeline and the price).
_UNKNOWN_BEFORE_ANALYSIS = frozenset(ANALYSIS_COLUMNS) - {"pipeline", "credits"}


@dataclass
class Budget:
    """The spend guard's arithmetic, replayed: calls in the rolling window, credits since the limit was set."""

    call_limit: int | None
    credits_limit: Decimal | None
    calls: int  # calls already counted, this run's firing included
    spent: Decimal

    def admit(self, prices: Sequence[Decimal]) -> tuple[int, str | None]:
        """How many of these conversations, in order, the limits let through, and which limit stopped the rest."""
        admitted = 0
        for price in prices:
            if self.call_limit is not None and self.calls >= self.call_limit:
                return admitted, CALL_LIMIT
            if not affordable(spent=self.spent, limit=self.credits_limit, price=price):
                return admitted, CREDITS_LIMIT
            self.calls += 1
            self.spent += price
            admitted += 1
        return admitted, None


@dataclass(frozen=True)
class Usage:
    """Where the workflow stands against its limits now."""

    call_limit: int | None
    calls_used: int  # in the rolling 24 hours
    credits_limit: Decimal | None
    credits_spent: Decimal  # since the credits limit was set
    credits_since: datetime | None = None

    def budget(self, *, calls: bool = True, credits: bool = True) -> Budget:
        """A fresh budget for one run (its firing counted), with either limit left out on request."""
        return Budget(
            call_limit=self.call_limit if calls else None,
            credits_limit=self.credits_limit if credits else None,
            calls=self.calls_used + 1,
            spent=self.credits_spent,
        )

    @property
    def firing_allowed(self) -> bool:
        """A firing past the call limit makes no run (SPEC: Settings)."""
        return self.call_limit is None or self.calls_used < self.call_limit


@dataclass(frozen=True)
class CallLimitEstimate:
    limit: int
    used: int
    remaining: int
    stops_after: int | None  # conversations this run sends before the limit stops it; None: not reached


@dataclass(frozen=True)
class CreditsLimitEstimate:
    limit: Decimal
    spent: Decimal
    since: datetime | None
    remaining: Decimal
    stops_after: int | None


@dataclass(frozen=True)
class LimitsEstimate:
    call_limit: CallLimitEstimate | None
    credits_limit: CreditsLimitEstimate | None
    firing_allowed: bool
    cuts_in: str | None  # the limit that stops this run first, if any


@dataclass(frozen=True)
class Processing:
    pipeline: str
    pipeline_version: int
    reused: int  # already processed by this pipeline version: free, their columns known
    to_process: int  # would be sent to the pipeline and charged
    processed: int  # of those, how many the limits let through
    left_unprocessed: int
    stopped_by: str | None


@dataclass(frozen=True)
class StepEstimate:
    id: str
    type: str
    status: str  # estimated | failed | skipped
    rows_in: int | None = None
    rows_out: int | None = None
    outputs: dict[str, int] = field(default_factory=dict)
    awaiting_analysis: int = 0
    undecided: int = 0
    credits: Decimal = ZERO
    processing: Processing | None = None
    note: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class VersionEstimate:
    version: int | None  # None: the draft
    issues: list[Issue] = field(default_factory=list)
    conversations: int = 0  # selected, distinct
    reused: int = 0
    to_process: int = 0
    processed: int = 0
    credits: Decimal = ZERO  # what a run would spend, limits applied
    credits_without_limits: Decimal = ZERO
    limits: LimitsEstimate | None = None
    steps: list[StepEstimate] = field(default_factory=list)


@dataclass(frozen=True)
class Estimate:
    workflow_id: str
    estimated_at: datetime
    draft: VersionEstimate
    active: VersionEstimate | None


def estimate_workflow(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> Estimate:
    """The draft's figures beside the active version's; NotFound unless the user may see the workflow."""
    workflow = visible_workflow(session, principal, workflow_id)
    access = creator_rules(session, workflow)
    usage = usage_of(
        session,
        workflow_id=workflow.id,
        call_limit=workflow.call_limit,
        credits_limit=workflow.credits_limit,
        credits_since=workflow.credits_limit_since,
        now=now,
    )
    try:
        draft_document = document_from_data(workflow.draft)
        issues = final_checks(session, draft_document)
    except InvalidWorkflow as exc:
        issues = exc.issues
    draft = (
        VersionEstimate(version=None, issues=issues)
        if issues
        else estimate_document(session, draft_document, version=None, access=access, usage=usage, now=now)
    )
    active = None
    stored = (
        session.get(WorkflowVersion, (workflow.id, workflow.active_version))
        if workflow.active_version is not None
        else None
    )
    if stored is not None:
        document = document_from_data(stored.definition)
        active = estimate_document(session, document, version=stored.number, access=access, usage=usage, now=now)
    return Estimate(workflow_id=workflow.id, estimated_at=now, draft=draft, active=active)


def usage_of(
    session: Session,
    *,
    workflow_id: str,
    call_limit: int | None,
    credits_limit: Decimal | None,
    credits_since: datetime | None,
    now: datetime,
) -> Usage:
    """Calls in the last 24 hours and credits since the limit was set (each read only when its limit is set)."""
    return Usage(
        call_limit=call_limit,
        calls_used=calls_in_window(session, workflow_id, now) if call_limit is not None else 0,
        credits_limit=credits_limit,
        credits_spent=credits_spent(session, workflow_id, credits_since) if credits_limit is not None else ZERO,
        credits_since=credits_since,
    )


def estimate_document(
    session: Session,
    document: WorkflowDocument,
    *,
    version: int | None,
    access: AccessRules,
    usage: Usage,
    now: datetime,
) -> VersionEstimate:
    """A dry run of one checked document (see the module docstring)."""
    dry = _DryRun(session, document, access=access, budget=usage.budget(), now=now)
    steps = dry.run()
    processing = [s.processing for s in steps if s.processing is not None]
    return VersionEstimate(
        version=version,
        conversations=len(dry.selected),
        reused=sum(p.reused for p in processing),
        to_process=sum(p.to_process for p in processing),
        processed=sum(p.processed for p in processing),
        credits=sum((s.credits for s in steps), ZERO),
        credits_without_limits=sum(dry.prices, ZERO),
        limits=limits_estimate(usage, dry.prices),
        steps=steps,
    )


def limits_estimate(usage: Usage, prices: Sequence[Decimal]) -> LimitsEstimate:
    """Where each limit alone would stop a run sending conversations at these prices, and which stops it first."""

    def stops_after(budget: Budget) -> int | None:
        admitted, reason = budget.admit(prices)
        return admitted if reason is not None else None

    calls = None
    if usage.call_limit is not None:
        calls = CallLimitEstimate(
            limit=usage.call_limit,
            used=usage.calls_used,
            remaining=max(0, usage.call_limit - usage.calls_used),
            stops_after=stops_after(usage.budget(credits=False)),
        )
    credits = None
    if usage.credits_limit is not None:
        credits = CreditsLimitEstimate(
            limit=usage.credits_limit,
            spent=usage.credits_spent,
            since=usage.credits_since,
            remaining=max(ZERO, usage.credits_limit - usage.credits_spent),
            stops_after=stops_after(usage.budget(calls=False)),
        )
    _, first = usage.budget().admit(prices)
    return LimitsEstimate(
        call_limit=calls,
        credits_limit=credits,
        firing_allowed=usage.firing_allowed,
        cuts_in=first if usage.firing_allowed else CALL_LIMIT,
    )


def unknown_before_analysis(fields: Iterable[str]) -> bool:
    """Whether any of these columns has no value until a pipeline analyses the conversation."""
    return any(name in _UNKNOWN_BEFORE_ANALYSIS or name.startswith(CRITERION_PREFIX) for name in fields)


class _NeverSpends:
    """The ports of a step context an estimate must never reach: analysing, charging, cancelling."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("an estimate never analyses, charges or stores anything")

    get = stored = admit = settle = run = _refuse

    @property
    def stop_reason(self) -> str | None:
        return None

    @property
    def cancelled(self) -> bool:
        return False


class _DryRun:
    def __init__(
        self, session: Session, document: WorkflowDocument, *, access: AccessRules, budget: Budget, now: datetime
    ) -> None:
        self.session = session
        self.document = document
        self.access = access
        self.budget = budget
        self.now = now
        # The query runs in the caller's transaction (on SQLite a second one would wait for its lock).
        self.source = SqlConversationSource(
            sessionmaker(bind=session.connection(), join_transaction_mode="rollback_only")
        )
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
        kind = STEP_KINDS.get(node.type)
        if kind is None:
            passed = frame if frame is not None else _with_pending(empty_set(), False)
            return {DEFAULT_PORT: passed}, {"note": "sends nothing in an estimate"}
        config = kind.parse(node.config)
        source = frame if frame is not None else _with_pending(empty_set(), False)
        if isinstance(config, select_conversations.Config):
            selected = select_conversations.execute(self._context(node.id), config, None).outputs[DEFAULT_PORT]
            self.selected.update(selected["id"].to_list())
            return {DEFAULT_PORT: _with_pending(selected, False)}, {}
        if isinstance(config, process_conversations.Config):
            return self._process(config, source)
        if isinstance(config, filter_step.Config):
            check_input(filter_step.condition_problems(config, columns_of(source)))
            return {DEFAULT_PORT: filter_step.apply_filter(source, config.condition)}, {}
        if isinstance(config, sort.Config):
            return {DEFAULT_PORT: sort.apply_sort(source, config)}, {}
        if isinstance(config, distribute.Config):
            return dict(distribute.apply_distribute(source, config)), {}
        return {DEFAULT_PORT: source}, {"note": "sends nothing in an estimate"}

    def _process(
        self, config: process_conversations.Config, frame: pl.DataFrame
    ) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
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
        found: dict[str, tuple[str | None, float | None]] = {}
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            query = select(ConversationRow.id, ConversationRow.audio, ConversationRow.duration_s)
            for conversation_id, audio, duration in self.session.execute(query.where(ConversationRow.id.in_(chunk))):
                found[conversation_id] = (audio, duration)
        # Only recordings pay for transcription (as analysis.pipeline.audio_seconds decides in a run).
        return [(i, pipeline.price(found[i][1] if found[i][0] else None)) for i in ids if i in found]

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
        kind = STEP_KINDS.get(node.type)
        if kind is None or frame is None or not pending_in:
            return 0
        config = kind.parse(node.config)
        if isinstance(config, filter_step.Config) and unknown_before_analysis(referenced_fields(config.condition)):
            return pending_in - pending_out  # a kept row is kept whatever its scores; a dropped one might not be
        if isinstance(config, sort.Config):
            cut = config.limit is not None and frame.height > config.limit
            return pending_in if cut and unknown_before_analysis(key.field for key in config.by) else 0
        if isinstance(config, distribute.Config):
            read = {config.balance_by} if config.balance_by else set()
            for group in config.groups:
                read |= referenced_fields(group.condition) if group.condition is not None else set()
            return pending_in if unknown_before_analysis(read) else 0
        return 0


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
