"""What the canvas offers: the step kinds with their side-panel forms, the trigger kinds, the set's columns; and
what a workflow document's nodes say (each step's one-line summary and ports, the trigger's line).

The forms are each step config's JSON Schema (titles, descriptions and `helper` texts from the step's
own pydantic model), so the panel and the server's validation can never disagree about a field. A kind's icon,
colour, ports and field visibility come from the kind too (`StepKind.look`, `ports_from`, `shown_when`): the UI
keeps no copy of them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from redflare.domain.columns import ANALYSIS_COLUMNS, BASE_COLUMNS, GROUP_COLUMN
from redflare.domain.workflow import TriggerType
from redflare.services import workflows
from redflare.services.canvas import node_summaries
from redflare.steps.registry import STEP_KINDS
from redflare.web.deps import CurrentUser, SessionDep

router = APIRouter(tags=["catalog"])

# The guide's names (../shared/seed/workflows-guide.txt); Manual is "Run now", on every workflow.
TRIGGER_TITLES: dict[TriggerType, str] = {
    TriggerType.SCHEDULE: "On a Schedule",
    TriggerType.SYNC_STARTED: "Integration Sync Started",
    TriggerType.SYNC_COMPLETED: "Integration Sync Completed",
    TriggerType.SYNC_FAILED: "Integration Sync Failed",
    TriggerType.MANUAL: "Manual",
}


class PortsFromPublic(BaseModel):
    list_field: str = Field(description="The config list whose items are the output ports (Distribute: groups).")
    name_field: str = Field(description="The item field naming each port (a group's name).")


class StepKindPublic(BaseModel):
    type: str
    title: str
    description: str
    takes_input: bool = Field(description="False for a step that starts a branch (Select Conversations).")
    config_schema: dict[str, Any] = Field(description="JSON Schema of the step's config: the side panel's form.")
    initial_config: dict[str, Any] = Field(
        default_factory=dict, description="What a step of this kind starts with when added on the canvas."
    )
    icon: str = Field(description="SVG path data on a 24×24 grid, drawn as a 2-px stroke: the node's icon.")
    color: str = Field(description="A Mantine palette name: the node's accent and its box on the minimap.")
    ports_from: PortsFromPublic | None = Field(
        description="Null: one output port, `out`. Else one port per item of the named config list."
    )
    shown_when: dict[str, dict[str, list[str]]] = Field(
        description="Fields only some settings read: field key (at any depth) → {config field: values showing it}."
    )


class TriggerKindPublic(BaseModel):
    type: str
    title: str
    icon: str = Field(description="SVG path data, as a step kind's.")
    color: str = Field(description="A Mantine palette name, as a step kind's.")


TRIGGER_LOOK = ("M13 2 4 14h7l-1 8 9-12h-7z", "grape")  # one look for every trigger: the bolt that starts a run


class StepSummaryPublic(BaseModel):
    summary: str = Field(description='One line saying what the step does ("Top 10 by score ↑").')
    complete: bool = Field(description="False while the config is not one the kind accepts (the line says so).")
    ports: list[str] = Field(description="Its output ports: `out`, or one per Distribute group.")


class NodeSummariesPublic(BaseModel):
    trigger: str | None = Field(description="The trigger's line (`daily at 09:00`); null without a trigger.")
    steps: dict[str, StepSummaryPublic] = Field(description="Per step id.")


class ColumnPublic(BaseModel):
    name: str
    kind: str = Field(description="text, number, boolean, datetime or text_list (appendix B).")
    analysis: bool = Field(description="Added by Process Conversations.")


class StepCatalogPublic(BaseModel):
    steps: list[StepKindPublic]
    triggers: list[TriggerKindPublic]
    columns: list[ColumnPublic]


class StepColumnsPublic(BaseModel):
    columns: dict[str, list[ColumnPublic]] = Field(
        description="Per step id, the columns its input will have: what its column pickers offer (a step whose "
        "config or input is broken is left out)."
    )


@router.post("/steps/columns")
def step_columns(document: dict[str, Any], principal: CurrentUser, session: SessionDep) -> StepColumnsPublic:
    """The columns each step of this workflow document will receive (e.g. `group` after Distribute; a pipeline's
    own criteria after Process Conversations), from the same rules as Final checks. Stores nothing."""
    found = workflows.step_input_columns(session, document)
    return StepColumnsPublic(
        columns={
            step_id: [
                ColumnPublic(name=name, kind=kind.value, analysis=name not in BASE_COLUMNS and name != GROUP_COLUMN)
                for name, kind in columns.items()
            ]
            for step_id, columns in found.items()
        }
    )


@router.post("/steps/summaries")
def step_summaries(document: dict[str, Any], principal: CurrentUser) -> NodeSummariesPublic:
    """What each node of this workflow document says under its title: the trigger's line, and per step the one-line
    summary of its config and its output ports, each from its kind. Takes the document as the canvas holds it (a
    step not set up yet says so); stores nothing."""
    found = node_summaries(document)
    return NodeSummariesPublic(
        trigger=found.trigger,
        steps={
            step_id: StepSummaryPublic(summary=s.summary, complete=s.complete, ports=s.ports)
            for step_id, s in found.steps.items()
        },
    )


@router.get("/steps")
def step_catalog(principal: CurrentUser) -> StepCatalogPublic:
    """Step kinds (with each config's JSON Schema), trigger kinds and the conversation set's columns."""
    return StepCatalogPublic(
        steps=[
            StepKindPublic(
                type=kind.type,
                title=kind.title,
                description=kind.description,
                takes_input=kind.takes_input,
                config_schema=kind.json_schema(),
                initial_config=dict(kind.initial_config),
                icon=kind.look.icon,
                color=kind.look.color,
                ports_from=(
                    PortsFromPublic(list_field=kind.ports_from.list_field, name_field=kind.ports_from.name_field)
                    if kind.ports_from is not None
                    else None
                ),
                shown_when={key: {f: list(v) for f, v in rule.items()} for key, rule in kind.shown_when.items()},
            )
            for kind in STEP_KINDS.values()
        ],
        triggers=[
            TriggerKindPublic(type=t.value, title=TRIGGER_TITLES[t], icon=TRIGGER_LOOK[0], color=TRIGGER_LOOK[1])
            for t in TriggerType
        ],
        columns=[ColumnPublic(name=n, kind=k.value, analysis=False) for n, k in BASE_COLUMNS.items()]
        + [ColumnPublic(name=n, kind=k.value, analysis=True) for n, k in ANALYSIS_COLUMNS.items()],
    )
