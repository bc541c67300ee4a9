"""A workflow's firings as the Runs tab lists them: every time its trigger fired, and what came of it
(a run started, a firing waiting behind a running run, merged into the waiting one, or skipped — with the
reason — and duplicates seen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Firing
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow


@dataclass(frozen=True)
class FiringView:
    key: str
    trigger_type: str
    scheduled_for: datetime | None
    outcome: str
    reason: str | None
    run_id: str | None
    duplicates: int
    at: datetime
    covers: list[str]
    """The keys of the later firings merged into this one (its run stands for them too)."""


def list_firings(
    session: Session, *, principal: Principal, workflow_id: str, limit: int, offset: int
) -> tuple[list[FiringView], int]:
    """Newest first, with how many there are; NotFound for a workflow the user may not see."""
    workflow = visible_workflow(session, principal, workflow_id)
    count = session.scalar(select(func.count()).select_from(Firing).where(Firing.workflow_id == workflow.id)) or 0
    rows = session.scalars(
        select(Firing).where(Firing.workflow_id == workflow.id).order_by(Firing.id.desc()).limit(limit).offset(offset)
    )
    views = [
        FiringView(
            f.key,
            f.trigger_type,
            f.scheduled_for,
            f.outcome,
            f.reason,
            f.run_id,
            f.duplicates,
            f.at,
            [str(key) for key in (f.payload or {}).get("covers", [])],
        )
        for f in rows
    ]
    return views, count
