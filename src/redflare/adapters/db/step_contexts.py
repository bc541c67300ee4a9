"""Builds each step's frozen context from the store, the run's facts and the process's delivery set-up."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from redflare.adapters.db.batches import SqlConversations
from redflare.adapters.db.ledger import SqlResultLedger, SqlSpendGuard, run_status_now
from redflare.adapters.db.pipelines import get_pipeline
from redflare.adapters.db.progress import PROGRESS_INTERVAL_SECONDS, StoredProgress
from redflare.adapters.db.run_facts import SqlRunFacts
from redflare.adapters.exportfiles.links import ExportLinks
from redflare.adapters.exportfiles.sink import StorageExportSink
from redflare.adapters.storage import ExportStorage
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.ports import Clock
from redflare.domain.runs import RunStatus
from redflare.engine.ports import RunFacts
from redflare.steps.context import AnalysisExecutor, StepContext


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


@dataclass
class SqlStepContexts:
    """The engine's `StepContexts` over the SQL store."""

    sessions: sessionmaker[Session]
    clock: Clock
    executor: AnalysisExecutor
    storage: ExportStorage
    links: ExportLinks
    base_url: str
    batch_size: int = 200
    progress_interval: float = PROGRESS_INTERVAL_SECONDS
    """A step's progress reaches the store at most this often (plus its last report)."""

    def context(self, facts: RunFacts, step_id: str) -> StepContext:
        sessions = self.sessions
        return StepContext(
            run_id=facts.run_id,
            workflow_id=facts.workflow_id,
            step_id=step_id,
            clock=self.clock,
            trigger=facts.trigger,
            conversations=SqlConversations(sessions),
            pipelines=SqlPipelineCatalog(sessions),
            ledger=SqlResultLedger(sessions),
            guard=SqlSpendGuard(
                sessions,
                self.clock,
                run_id=facts.run_id,
                workflow_id=facts.workflow_id,
                step_id=step_id,
                limits=facts.limits,
                test=facts.test,
            ),
            executor=self.executor,
            cancellation=RunCancellation(sessions, facts.run_id),
            facts=SqlRunFacts(sessions, facts.run_id, self.base_url),
            exports=StorageExportSink(self.storage, self.links),
            access=facts.access,
            test=facts.test,
            sample=facts.sample,
            batch_size=self.batch_size,
            progress=StoredProgress(
                sessions, self.clock, run_id=facts.run_id, step_id=step_id, interval=self.progress_interval
            ),
        )
