"""The canvas's helpers: change or clear the trigger, and what deleting a step or a connection affects.

Changing the trigger clears the steps (the UI's warning, `CHANGE_TRIGGER_WARNING`, must be confirmed when
there are steps to lose); clearing it starts over. Name and settings stay. A workflow the user may not
see is NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Workflow
from redflare.domain.errors import Conflict, InvalidInput, Issue, NotFound
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.validation import TRIGGER_NODE
from redflare.domain.workflow import Trigger, WorkflowDocument, split_port_ref
from redflare.engine.planner import downstream_of
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflows import (
    Draft,
    final_checks,
    nul_issues,
    settings_data,
)

CHANGE_TRIGGER_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?"


@dataclass(frozen=True)
class Impact:
    """The steps that deleting a step or a connection leaves without (all or part of) their input."""

    steps: list[str]


def draft_graph(document: WorkflowDocument) -> dict[str, list[str]]:
    """Step id → the step ids it waits for, leaving out references to steps that do not exist."""
    ids = {step.id for step in document.steps}
    graph: dict[str, list[str]] = {}
    for step in document.steps:
        upstream = [split_port_ref(ref)[0] for ref in step.after]
        graph.setdefault(step.id, []).extend(u for u in upstream if u in ids)
    return graph


def deletion_impact(
    session: Session, *, principal: Principal, workflow_id: str, step: str | None, connection: str | None
) -> Impact:
    """How many downstream steps deleting a step (or the connection `FROM->TO`) affects, and which.

    Deleting a step affects every step downstream of it; deleting a connection affects the step it
    feeds and everything downstream of that one.
    """
    if (step is None) == (connection is None):
        raise InvalidInput("give exactly one of step or connection", [Issue("step", "give step or connection")])
    document = document_from_data(visible_workflow(session, principal, workflow_id).draft)
    graph = draft_graph(document)
    if step is not None:
        if step not in graph:
            raise NotFound(f"no step {step!r} in the draft")
        affected = downstream_of(graph, [step])
    else:
        assert connection is not None
        source, arrow, target = connection.partition("->")
        target_step = document.step(target) if arrow and target in graph else None
        if target_step is None or source not in target_step.after:
            raise NotFound(f"no connection {connection!r} in the draft (write it FROM->TO)")
        affected = {target} | downstream_of(graph, [target])
    return Impact([s.id for s in document.steps if s.id in affected])


def change_trigger(
    session: Session, *, principal: Principal, workflow_id: str, trigger: Trigger, confirm: bool, now: datetime
) -> Draft:
    """Change trigger: set it and clear the steps. With steps to lose, it needs `confirm` (the UI's warning)."""
    workflow = visible_workflow(session, principal, workflow_id)
    issues = nul_issues(trigger.model_dump(mode="json", exclude_none=True), "trigger")
    if issues:
        raise InvalidInput("the trigger cannot be stored", issues)
    document = document_from_data(workflow.draft)
    if document.steps and not confirm:
        raise Conflict(f"{CHANGE_TRIGGER_WARNING} Send confirm: true to change it.")
    return _restart(session, workflow, document, trigger=trigger, now=now)


def clear_trigger(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> Draft:
    """Clear trigger: start over — no trigger and no steps; the name and settings stay."""
    workflow = visible_workflow(session, principal, workflow_id)
    return _restart(session, workflow, document_from_data(workflow.draft), trigger=None, now=now)


def _restart(
    session: Session, workflow: Workflow, document: WorkflowDocument, *, trigger: Trigger | None, now: datetime
) -> Draft:
    # Canvas positions of the removed steps go with them; the trigger's own position stays.
    layout = {node: place for node, place in document.layout.items() if node == TRIGGER_NODE}
    fresh = document.model_copy(update={"trigger": trigger, "steps": [], "layout": layout})
    workflow.draft = {**dump_document(fresh), "settings": settings_data(workflow)}
    workflow.updated_at = now
    session.flush()
    return Draft(workflow, workflow.draft, final_checks(session, fresh))
