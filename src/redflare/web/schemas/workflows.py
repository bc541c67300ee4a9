"""Workflows as the API takes and answers them: the list, one workflow, its draft, issues, versions, settings.

Workflow documents themselves (appendix A) travel as plain JSON objects: the service parses them, so
every problem comes back with its path inside the document (`steps[2].config.pipeline`) and its node.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field

from redflare.domain.errors import Issue
from redflare.domain.workflow import Trigger
from redflare.services.lifecycle import FIX_BEFORE_PUBLISHING
from redflare.services.workflows import MAX_CALL_LIMIT, MAX_CREDITS_LIMIT, Draft

WorkflowCreate = Annotated[
    dict[str, Any],
    Body(description="A workflow document (SPEC appendix A): name, trigger, steps, settings, layout."),
]
WorkflowDocumentBody = WorkflowCreate
WorkflowsImport = Annotated[
    list[Any],
    Body(min_length=1, max_length=100, description="Workflow documents (appendix A); all stored, or none."),
]


class _FromService(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IssuePublic(_FromService):
    path: str = Field(description="Where in the document, e.g. steps[2].config.pipeline.")
    message: str
    node: str | None = Field(description='The canvas node it belongs to: "trigger" or a step id.')


class LastRunPublic(_FromService):
    id: str
    number: int
    status: str
    at: datetime = Field(description="When it started (or was queued, if it has not started).")


class WorkflowPublic(_FromService):
    id: str
    name: str
    status: Literal["Draft", "Live", "Paused", "Unpublished Changes"] = Field(
        description="As the list shows it; Unpublished Changes: live or paused, with a draft unlike the active version."
    )
    state: Literal["draft", "live", "paused"] = Field(description="Whether its trigger fires: live only.")
    active_version: int | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    paused_reason: str | None
    notice: str | None = Field(description='"This workflow has changes that are not published yet." when so.')
    last_run: LastRunPublic | None


class WorkflowCreated(WorkflowPublic):
    issues: list[IssuePublic] = Field(description="Final checks of the stored draft; publishing needs none.")


class WorkflowsPublic(BaseModel):
    data: list[WorkflowPublic]
    count: int = Field(description="How many match in all (the page holds at most `limit`).")


class WorkflowUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")  # PostgreSQL text cannot hold NUL


class DraftPublic(BaseModel):
    document: dict[str, Any] = Field(description="The draft as a workflow document (appendix A).")
    issues: list[IssuePublic]


class IssuesPublic(BaseModel):
    message: str = Field(description="The guide's reminder above the Final checks.")
    count: int
    issues: list[IssuePublic]
    nodes: dict[str, list[IssuePublic]] = Field(
        description='Issues per node ("trigger", a step id, or "workflow" for the document as a whole).'
    )


class VersionPublic(_FromService):
    number: int
    created_at: datetime
    created_by: str | None
    created_by_email: str | None
    active: bool


class VersionsPublic(BaseModel):
    data: list[VersionPublic]
    count: int


class VersionDocument(_FromService):
    number: int
    active: bool
    created_at: datetime
    created_by: str | None
    document: dict[str, Any]


class SettingsUpdate(BaseModel):
    """Both limits; one left out (or null) means no limit."""

    model_config = ConfigDict(extra="forbid")
    call_limit: int | None = Field(
        default=None,
        ge=0,
        le=MAX_CALL_LIMIT,
        description="A maximum number of times this workflow can be triggered to prevent accidental loops or "
        "excessive activity (calls in a rolling 24 hours: a firing, or a conversation sent to a pipeline).",
    )
    credits_limit: Decimal | None = Field(
        default=None,
        ge=0,
        le=MAX_CREDITS_LIMIT,
        description="Control your spending by setting a credit threshold. The workflow will automatically pause "
        "if it exceeds this amount.",
    )
    overlap: Literal["skip", "queue", "parallel"] = Field(
        default="queue",
        description="When the trigger fires while a run is still going: skip the firing, queue one (at most one "
        "waiting), or run in parallel. Either way the firing is recorded.",
    )


class SettingsPublic(_FromService):
    call_limit: int | None
    credits_limit: float | None
    overlap: Literal["skip", "queue", "parallel"]
    credits_limit_since: datetime | None = Field(description="Spending counts against the limit from here.")
    credits_spent: float = Field(description="Credits spent since the credits limit was set (or ever, without one).")
    calls_last_24h: int = Field(description="Calls counted against the call limit: triggers plus conversations.")
    triggers_last_24h: int = Field(default=0, description="Of those, runs started (each firing or Run now is one).")
    conversations_last_24h: int = Field(default=0, description="Of those, conversations sent to a pipeline.")


class ImpactPublic(BaseModel):
    affected: int = Field(description="How many downstream steps the deletion affects.")
    steps: list[str]


class TriggerChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trigger: Trigger
    confirm: bool = Field(
        default=False,
        description="Changing the trigger will clear the current workflow steps: true to go ahead when there are any.",
    )


class DuplicateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Literal["draft", "active"] = Field(default="draft", description="Copy the draft or the active version.")


class AuditEntryPublic(_FromService):
    at: datetime
    user_id: str | None
    user_email: str | None
    action: str
    detail: dict[str, Any]


class AuditPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int


def issue_public(issue: Issue) -> IssuePublic:
    return IssuePublic(path=issue.path, message=issue.message, node=issue.node)


def issues_public(issues: list[Issue]) -> IssuesPublic:
    """The Final checks as the panel shows them: the guide's reminder, then the issues per node."""
    nodes: dict[str, list[IssuePublic]] = {}
    for issue in issues:
        nodes.setdefault(issue.node or "workflow", []).append(issue_public(issue))
    return IssuesPublic(
        message=FIX_BEFORE_PUBLISHING,
        count=len(issues),
        issues=[issue_public(i) for i in issues],
        nodes=nodes,
    )


def draft_public(draft: Draft) -> DraftPublic:
    return DraftPublic(document=draft.document, issues=[issue_public(i) for i in draft.issues])
