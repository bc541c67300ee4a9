"""Builds each step's frozen context from the store and the run."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.ledger import SqlResultLedger, SqlSpendGuard, run_status_now
from redflare.adapters.db.pipelines import get_pipeline
from redflare.adapters.db.selection import SqlConversationSource
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.access import AccessRules
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus
from redflare.domain.workflow import Settings as Limits
from redflare.engine.delivery import DeliverySetup
from redflare.engine.exports import StorageExportSink
from redflare.engine.facts import SqlRunFacts
from redflare.steps.context import NO_PROGRESS, AnalysisExecutor, ProgressSink, StepContext, TriggerInfo


class SqlPipelineCatalog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, name: str) -> PipelineDefinition:
        with self._sessions() as session:
            return get_pipeline(session, name)[1]


class RunCancellation:
    """Asks the store whether the run is still going (a cancel from any process is seen)."""

    def __init__(self, sessions: sessionmaker[Session], run_id: str) -> None:
        self._sessions = sessions
        self._run_id = run_id

    @property
    def cancelled(self) -> bool:
        return run_status_now(self._sessions, self._run_id) is RunStatus.CANCELLED


@dataclass(frozen=True)
class RunFacts:
    run_id: str
    workflow_id: str
    trigger: TriggerInfo
    limits: Limits
    access: AccessRules
    test: bool
    sample: int | None = None  # a test run's sample size: at most this many conversations per selection


def build_context(
    sessions: sessionmaker[Session],
    clock: Clock,
    executor: AnalysisExecutor,
    facts: RunFacts,
    step_id: str,
    *,
    batch_size: int,
    delivery: DeliverySetup,
    progress: ProgressSink = NO_PROGRESS,
) -> StepContext:
    return StepContext(
        run_id=facts.run_id,
        workflow_id=facts.workflow_id,
        step_id=step_id,
        clock=clock,
        trigger=facts.trigger,
        conversations=SqlConversationSource(sessions),
        pipelines=SqlPipelineCatalog(sessions),
        ledger=SqlResultLedger(sessions),
        guard=SqlSpendGuard(
            sessions,
            clock,
            run_id=facts.run_id,
            workflow_id=facts.workflow_id,
            step_id=step_id,
            limits=facts.limits,
            test=facts.test,
        ),
        executor=executor,
        cancellation=RunCancellation(sessions, facts.run_id),
        facts=SqlRunFacts(sessions, facts.run_id, delivery.base_url),
        exports=StorageExportSink(delivery.storage, delivery.links),
        access=facts.access,
        test=facts.test,
        sample=facts.sample,
        batch_size=batch_size,
        progress=progress,
    )
