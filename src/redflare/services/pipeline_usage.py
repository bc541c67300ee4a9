"""Which published workflows use a pipeline, and what archiving it does to them (nothing breaks in silence).

A workflow uses a pipeline when its active version names it: Process Conversations' pipeline, Select
Conversations' source pipeline or the pipeline its Processed / Unprocessed state refers to. Archiving a pipeline
that live workflows use is refused until confirmed; confirmed, each of them is paused through its lifecycle with
the reason (audited), instead of failing at its next firing with "no pipeline …".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.lifecycle import apply
from redflare.adapters.db.orm import Workflow, WorkflowVersion
from redflare.domain.errors import Conflict
from redflare.domain.lifecycle import LifecycleAction, WorkflowStatus, pipeline_archived_pause_reason
from redflare.services import audit
from redflare.services.users import Principal
from redflare.services.workflow_list import visible_clause

PUBLISHED = (str(WorkflowStatus.LIVE), str(WorkflowStatus.PAUSED))


@dataclass(frozen=True)
class PipelineUse:
    workflow_id: str
    name: str
    status: str


class PipelineInUse(Conflict):
    """Archiving would leave live workflows without their pipeline: confirm to pause them."""


def pipelines_named(definition: Mapping[str, Any]) -> set[str]:
    """Every pipeline a workflow document names."""
    names: set[str] = set()
    for step in definition.get("steps", []):
        config = step.get("config") or {}
        if isinstance(config.get("pipeline"), str):
            names.add(config["pipeline"])
        source = config.get("source")
        if isinstance(source, Mapping) and isinstance(source.get("pipeline"), str):
            names.add(source["pipeline"])
    return names


def workflows_using(session: Session, pipeline: str, *, principal: Principal | None = None) -> list[PipelineUse]:
    """The published (live or paused) workflows whose active version uses `pipeline`, by name; with `principal`,
    only those that user may see."""
    rows = session.execute(
        select(Workflow.id, Workflow.name, Workflow.status, WorkflowVersion.definition)
        .join(
            WorkflowVersion,
            (WorkflowVersion.workflow_id == Workflow.id) & (WorkflowVersion.number == Workflow.active_version),
        )
        .where(Workflow.status.in_(PUBLISHED), *([] if principal is None else [visible_clause(session, principal)]))
        .order_by(Workflow.name)
    ).all()
    return [
        PipelineUse(workflow_id, name, status)
        for workflow_id, name, status, definition in rows
        if pipeline in pipelines_named(definition)
    ]


def _named(session: Session, principal: Principal, pipeline: str, live: list[PipelineUse]) -> str:
    """The live users by name (those the user may see; the others counted)."""
    seen = {use.workflow_id for use in workflows_using(session, pipeline, principal=principal)}
    names = [repr(use.name) for use in live if use.workflow_id in seen]
    hidden = len(live) - len(names)
    return ", ".join([*names, *([f"{hidden} you cannot see"] if hidden else [])])


def check_reprice(session: Session, principal: Principal, pipeline: str, *, confirm: bool) -> None:
    """New prices change what live workflows spend from their next run: PipelineInUse naming them unless
    `confirm`."""
    live = [use for use in workflows_using(session, pipeline) if use.status == WorkflowStatus.LIVE]
    if live and not confirm:
        raise PipelineInUse(
            f"pipeline {pipeline!r}'s new prices apply to the next runs of {len(live)} live workflow(s): "
            f"{_named(session, principal, pipeline, live)} (save again with confirm to go ahead)"
        )


def check_archivable(session: Session, principal: Principal, pipeline: str, *, confirm: bool) -> list[PipelineUse]:
    """The live workflows archiving `pipeline` would pause; PipelineInUse naming them (those the user may see;
    the others counted) unless `confirm`."""
    live = [use for use in workflows_using(session, pipeline) if use.status == WorkflowStatus.LIVE]
    if live and not confirm:
        named = _named(session, principal, pipeline, live)
        raise PipelineInUse(
            f"pipeline {pipeline!r} is used by {len(live)} live workflow(s): {named}; archiving it pauses them "
            "(archive again with confirm to go ahead)"
        )
    return live


def pause_users(
    session: Session, *, principal: Principal, pipeline: str, uses: list[PipelineUse], now: datetime
) -> None:
    """Pause each live workflow that used the archived pipeline, saying why (audited as an automatic pause)."""
    for use in uses:
        workflow = session.get(Workflow, use.workflow_id, with_for_update=True)
        if workflow is not None and workflow.status == WorkflowStatus.LIVE:
            apply(
                session,
                workflow,
                LifecycleAction.AUTO_PAUSE,
                now=now,
                actor=audit.actor_of(principal),
                reason=pipeline_archived_pause_reason(pipeline),
                detail={"pipeline": pipeline},
            )
