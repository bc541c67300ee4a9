"""What the workflows list and a workflow's page show: summaries, the status shown, and who sees what.

`list_workflows` answers only the workflows the acting user may see (`visible_clause` is
`visibility.may_see` in SQL); summaries of a page take two queries, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Run, User, Workflow, WorkflowVersion
from redflare.domain.access import Role
from redflare.services.users import Principal, principal_of
from redflare.services.visibility import visible_workflow

Status = Literal["Draft", "Live", "Paused", "Unpublished Changes"]
UNPUBLISHED_NOTICE = "This workflow has changes that are not published yet."
# Name and settings live on the workflow row (renames and guardrails apply at once), not in a version.
_NOT_PUBLISHED_PARTS = frozenset({"name", "settings"})


@dataclass(frozen=True)
class LastRun:
    id: str
    number: int
    status: str
    at: datetime


@dataclass(frozen=True)
class WorkflowSummary:
    id: str
    name: str
    status: Status
    state: str
    active_version: int | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    paused_reason: str | None
    notice: str | None
    last_run: LastRun | None


@dataclass(frozen=True)
class WorkflowPage:
    data: list[WorkflowSummary]
    count: int


def has_unpublished_changes(draft: Mapping[str, Any], published: Mapping[str, Any]) -> bool:
    """Whether the draft differs from a published definition in anything a version carries."""

    def versioned(document: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in document.items() if key not in _NOT_PUBLISHED_PARTS}

    return versioned(draft) != versioned(published)


def displayed_status(state: str, draft: Mapping[str, Any], active: Mapping[str, Any] | None) -> Status:
    """The status the list shows: Draft, Live, Paused, or Unpublished Changes."""
    if state == "draft" or active is None:
        return "Draft"
    if has_unpublished_changes(draft, active):
        return "Unpublished Changes"
    return "Paused" if state == "paused" else "Live"


def _summary(workflow: Workflow, active: Mapping[str, Any] | None, last_run: LastRun | None) -> WorkflowSummary:
    status = displayed_status(workflow.status, workflow.draft, active)
    return WorkflowSummary(
        id=workflow.id,
        name=workflow.name,
        status=status,
        state=workflow.status,
        active_version=workflow.active_version,
        created_by=workflow.created_by,
        created_at=workflow.created_at,
        updated_at=workflow.updated_at,
        paused_reason=workflow.paused_reason,
        notice=UNPUBLISHED_NOTICE if status == "Unpublished Changes" else None,
        last_run=last_run,
    )


def summaries(session: Session, workflows: Sequence[Workflow]) -> list[WorkflowSummary]:
    """Summaries of a page of workflows: two queries, whatever the page size."""
    ids = [w.id for w in workflows]
    rows = session.execute(
        select(WorkflowVersion.workflow_id, WorkflowVersion.definition)
        .join(
            Workflow,
            and_(Workflow.id == WorkflowVersion.workflow_id, Workflow.active_version == WorkflowVersion.number),
        )
        .where(Workflow.id.in_(ids))
    )
    active: dict[str, dict[str, Any]] = dict(rows.all())
    latest = (
        select(Run.workflow_id, func.max(Run.number).label("number"))
        .where(Run.workflow_id.in_(ids))
        .group_by(Run.workflow_id)
        .subquery()
    )
    # Columns, not Run entities: an entity would also load (and parse) each run's pinned definition.
    last_runs = {
        workflow_id: LastRun(run_id, number, status, started_at or created_at)
        for workflow_id, run_id, number, status, started_at, created_at in session.execute(
            select(Run.workflow_id, Run.id, Run.number, Run.status, Run.started_at, Run.created_at).join(
                latest, and_(Run.workflow_id == latest.c.workflow_id, Run.number == latest.c.number)
            )
        )
    }
    return [_summary(w, active.get(w.id), last_runs.get(w.id)) for w in workflows]


def summary_of(session: Session, workflow: Workflow) -> WorkflowSummary:
    return summaries(session, [workflow])[0]


def visible_clause(session: Session, principal: Principal) -> ColumnElement[bool]:
    """SQL for `visibility.may_see`: admins, the creator, or users whose rules cover the creator's."""
    if principal.role is Role.ADMIN:
        return true()
    covered = [u.id for u in session.scalars(select(User)) if principal.access.covers(principal_of(u).access)]
    creator_gone = and_(Workflow.created_by.is_not(None), ~exists().where(User.id == Workflow.created_by))
    return or_(
        Workflow.created_by == principal.user_id,
        Workflow.created_by.in_(covered),
        creator_gone,  # a deleted creator's rules allow nothing, which everyone's rules cover
        Workflow.created_by.is_(None) if principal.access.sees_everything else false(),
    )


def list_workflows(
    session: Session, *, principal: Principal, search: str | None, limit: int, offset: int
) -> WorkflowPage:
    """The workflows this user may see, by name (case-insensitive `search` within it), one page and the total."""
    where = [visible_clause(session, principal)]
    if search:
        where.append(func.lower(Workflow.name).contains(search.lower(), autoescape=True))
    count = session.scalar(select(func.count()).select_from(Workflow).where(*where)) or 0
    page = list(
        session.scalars(
            select(Workflow).where(*where).order_by(func.lower(Workflow.name), Workflow.id).limit(limit).offset(offset)
        )
    )
    return WorkflowPage(summaries(session, page), count)


def workflow_summary(session: Session, *, principal: Principal, workflow_id: str) -> WorkflowSummary:
    return summary_of(session, visible_workflow(session, principal, workflow_id))
