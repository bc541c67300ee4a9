"""What the canvas offers: the step kinds with their side-panel forms, the trigger kinds, the set's columns.

The forms are each step config's JSON Schema (titles, descriptions and `helper` texts from the step's
own pydantic model), so the panel and the server's validation can never disagree about a field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from redflare.domain.columns import ANALYSIS_COLUMNS, BASE_COLUMNS, GROUP_COLUMN
from redflare.domain.workflow import TriggerType
from redflare.services import workflows
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


class StepKindPublic(BaseModel):
    type: str
    title: str
    description: str
    takes_input: bool = Field(description="False for a step that starts a branch (Select Conversations).")
    config_schema: dict[str, Any] = Field(description="JSON Schema of the step's config: the side panel's form.")
    initial_config: dict[str, Any] = Field(
        default_factory=dict, description="What a step of this kind starts with when added on the canvas."
    )


class TriggerKindPublic(BaseModel):
    type: str
    title: str


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
            )
            for kind in STEP_KINDS.values()
        ],
        triggers=[TriggerKindPublic(type=t.value, title=TRIGGER_TITLES[t]) for t in TriggerType],
        columns=[ColumnPublic(name=n, kind=k.value, analysis=False) for n, k in BASE_COLUMNS.items()]
        + [ColumnPublic(name=n, kind=k.value, analysis=True) for n, k in ANALYSIS_COLUMNS.items()],
    )
