"""What the scheduler reads to decide what is due: live workflows with their active trigger, the baseline a
schedule's catch-up looks from, the workflows listening for a sync event, the workflows with a waiting firing.

Read-only queries; the firing itself happens in `firing`, in a writing transaction of its own.

The catch-up baseline ("live since"). A schedule fires the latest time in (baseline, now] (see
`triggers.schedule.due_firings`), where the baseline is the later of

- the last schedule time the workflow fired for (any outcome: `last_scheduled`), and
- the last time the workflow became live or changed what it runs: the newest audit entry "publish",
  "resume" or "set_active" (each written in the same transaction as its change, so it is exact). Without one
  (a workflow made live before the audit log existed), its active version's created_at.

So a time that passed while the workflow was paused (or before it was published, or under another version's
schedule) is never fired on resume: "Pause stops new runs", and resuming does not replay what it stopped.
Paused and draft workflows are not considered at all; `firing.fire` re-checks under the workflow's lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.firings import last_scheduled
from redflare.adapters.db.orm import AuditEntry, Firing, Integration, SyncEvent, Workflow, WorkflowVersion
from redflare.domain.errors import InvalidWorkflow
from redflare.domain.loading import document_from_data
from redflare.domain.workflow import Trigger

log = logging.getLogger(__name__)

BECAME_LIVE = ("publish", "resume", "set_active")


@dataclass(frozen=True)
class LiveWorkflow:
    """A live workflow as the scheduler sees it: its active version's trigger, and when the row last changed."""

    id: str
    version: int
    updated_at: datetime
    trigger: Trigger | None


class TriggerCache:
    """Active triggers by (workflow, version): versions never change, so each is parsed once."""

    def __init__(self) -> None:
        self._triggers: dict[tuple[str, int], Trigger | None] = {}

    def live_workflows(self, session: Session) -> list[LiveWorkflow]:
        """Every live workflow with its active version's trigger (None: the version has no trigger)."""
        rows = session.execute(
            select(Workflow.id, Workflow.active_version, Workflow.updated_at)
            .where(Workflow.status == "live", Workflow.active_version.is_not(None))
            .order_by(Workflow.id)
        ).all()
        live = []
        for workflow_id, version, updated_at in rows:
            assert version is not None  # filtered above
            live.append(LiveWorkflow(workflow_id, version, updated_at, self._trigger(session, workflow_id, version)))
        return live

    def _trigger(self, session: Session, workflow_id: str, version: int) -> Trigger | None:
        key = (workflow_id, version)
        if key not in self._triggers:
            definition = session.scalar(
                select(WorkflowVersion.definition).where(
                    WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.number == version
                )
            )
            self._triggers[key] = None if definition is None else _trigger_of(workflow_id, version, definition)
        return self._triggers[key]


def _trigger_of(workflow_id: str, version: int, definition: object) -> Trigger | None:
    """The version's trigger; None (logged) for a stored definition that no longer reads: that workflow does not
    fire, the others do."""
    try:
        return document_from_data(definition).trigger
    except InvalidWorkflow:
        log.error("workflow %s version %s does not read as a workflow document; it will not fire", workflow_id, version)
        return None


def live_since(session: Session, workflow_id: str) -> datetime | None:
    """When the workflow last became live or changed its active version (see the module docstring)."""
    audited: datetime | None = session.scalar(
        select(func.max(AuditEntry.at)).where(AuditEntry.workflow_id == workflow_id, AuditEntry.action.in_(BECAME_LIVE))
    )
    if audited is not None:
        return audited
    version: datetime | None = session.scalar(
        select(WorkflowVersion.created_at)
        .join(
            Workflow, (Workflow.id == WorkflowVersion.workflow_id) & (Workflow.active_version == WorkflowVersion.number)
        )
        .where(Workflow.id == workflow_id)
    )
    return version


def schedule_baseline(session: Session, workflow_id: str) -> datetime | None:
    """Where a schedule's catch-up looks from: the later of its last fire time and when it last became live."""
    moments = [m for m in (last_scheduled(session, workflow_id), live_since(session, workflow_id)) if m is not None]
    return max(moments, default=None)


def listening(live: list[LiveWorkflow], *, event_type: str, integration: str) -> list[str]:
    """Ids of the live workflows whose trigger listens for this event: its type, and this integration or any."""
    return [
        workflow.id
        for workflow in live
        if workflow.trigger is not None
        and workflow.trigger.type == event_type
        and workflow.trigger.integration in (None, integration)
    ]


def integration_names(session: Session, events: list[SyncEvent]) -> dict[int, str]:
    ids = {event.integration_id for event in events}
    if not ids:
        return {}
    rows = session.execute(select(Integration.id, Integration.name).where(Integration.id.in_(ids)))
    return dict(rows.all())


def workflows_waiting(session: Session) -> list[str]:
    """Ids of the workflows with a firing waiting behind a run."""
    return list(session.scalars(select(Firing.workflow_id).where(Firing.outcome == "waiting").distinct()))
