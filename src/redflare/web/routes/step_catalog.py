"""What the canvas offers: the step kinds with their side-panel forms, the trigger kinds, the set's columns.

The forms are each step config's JSON Schema (titles, descriptions and `helper` texts from the step's
own pydantic model), so the panel and the server's validation can never disagree about a field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from redflare.domain.columns import ANALYSIS_COLUMNS, BASE_COLUMNS
from redflare.domain.workflow import TriggerType
from redflare.steps.registry import STEP_KINDS
from redflare.web.deps import CurrentUser

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
