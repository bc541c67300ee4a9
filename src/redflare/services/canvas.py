"""The canvas's helpers: change or clear the trigger, what deleting a step or a connection affects, and the line
each node shows under its title (`node_summaries`, each step kind's own `summarize`).

Changing the trigger clears the steps (the UI's warning, `CHANGE_TRIGGER_WARNING`, must be confirmed when
there are steps to lose); clearing it starts over. Name and settings stay. A workflow the user may not
see is NotFound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Workflow
from redflare.domain.errors import Conflict, InvalidInput, Issue, NotFound
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.validation import TRIGGER_NODE
from redflare.domain.workflow import DEFAULT_PORT, Trigger, WorkflowDocument, split_port_ref
from redflare.engine.planner import downstream_of
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflows import (
    Draft,
    final_checks,
    nul_issues,
    settings_data,
)
from redflare.steps.base import StepKind
from redflare.steps.registry import STEP_KINDS
from redflare.triggers.summary import trigger_summary

CHANGE_TRIGGER_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?"


@dataclass(frozen=True)
class Impact:
    """The steps that deleting a step or a connection leaves without (all or part of) their input."""

    steps: list[str]


NOT_SET_UP = "Not set up yet"


@dataclass(frozen=True)
class NodeSummary:
    """A step node's line, and its output ports. `complete` is False while its config is not one the kind accepts
    (the line then says so; the side panel and Final checks say what is missing)."""

    summary: str
    complete: bool
    ports: list[str]


@dataclass(frozen=True)
class NodeSummaries:
    trigger: str | None
    steps: dict[str, NodeSummary]


def node_summaries(document: Mapping[str, Any]) -> NodeSummaries:
    """Each node's line for a workflow document as the canvas holds it (saved or not, valid or not): a step's from
    its kind (`StepKind.summarize`), the trigger's from `triggers.summary`. Pure: reads and stores nothing."""
    raw_trigger = document.get("trigger")
    trigger: str | None = None
    if isinstance(raw_trigger, Mapping):
        try:
            trigger = trigger_summary(Trigger.model_validate(raw_trigger))
        except ValidationError:
            trigger = NOT_SET_UP
    steps: dict[str, NodeSummary] = {}
    raw_steps = document.get("steps")
    for raw in raw_steps if isinstance(raw_steps, list) else []:
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            steps[raw["id"]] = step_summary(str(raw.get("type")), raw.get("config"))
    return NodeSummaries(trigger, steps)


def step_summary(step_type: str, raw_config: Any) -> NodeSummary:
    kind: StepKind[Any] | None = STEP_KINDS.get(step_type)
    if kind is None:
        return NodeSummary(f"No step kind {step_type!r} in this version", False, [DEFAULT_PORT])
    config_data = raw_config if isinstance(raw_config, Mapping) else {}
    try:
        config = kind.parse(config_data)
    except ValidationError:
        return NodeSummary(NOT_SET_UP, False, _declared_ports(kind, config_data))
    return NodeSummary(kind.summary(config), True, kind.ports(config))


def _declared_ports(kind: StepKind[Any], config: Mapping[str, Any]) -> list[str]:
    """The ports a config not yet valid names (Distribute's group names so far), as the canvas draws them."""
    rule = kind.ports_from
    items = config.get(rule.list_field) if rule is not None else None
    names = (
        [item.get(rule.name_field) for item in items if isinstance(item, Mapping)]
        if rule and isinstance(items, list)
        else []
    )
    named = [name for name in names if isinstance(name, str) and name]
    return named or [DEFAULT_PORT]


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
