"""Reads for what the browser shows beside a run and a workflow: a run's score and sentiment distribution, its
outbox messages with the retry schedule, and the audit log across workflows (the audit log page).

Reads only: viewers may use them all. A run of a workflow the user may not see is 404, like one that does not
exist. Kept apart from `runs.py`, whose start path is tuned for speed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from redflare.services import audit, run_charts, run_verdicts
from redflare.services import deliveries as delivery_service
from redflare.services.runs import visible_run
from redflare.web.deps import CurrentUser, ServicesDep, SessionDep
from redflare.web.schemas.runs import MessagePublic

router = APIRouter(tags=["runs"])

RunId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such run, or not one you may see"}}


class HistogramPublic(BaseModel):
    edges: list[float] = Field(description="Bin i counts values in [edges[i], edges[i+1]); the last bin its top too.")
    counts: list[int]
    missing: int = Field(description="Processed conversations without this value.")


class ThresholdPublic(BaseModel):
    step_id: str | None
    field: str = Field(description="`score` or `sentiment`.")
    operator: str
    value: float


class DistributionPublic(BaseModel):
    run_id: str
    processed: int = Field(description="Conversations this run processed: each histogram's counts and missing add up.")
    score: HistogramPublic
    sentiment: HistogramPublic
    thresholds: list[ThresholdPublic] = Field(description="What the run's Filter steps test score and sentiment for.")


class VerdictReasonsPublic(BaseModel):
    data: dict[str, dict[str, str]] = Field(
        description="Conversation id → criterion name → why it passed, failed or did not apply (the threshold, the "
        "value, the turn), for the conversations the step's output preview shows."
    )


class RunMessagesPublic(BaseModel):
    max_attempts: int = Field(description="Tries before a message fails for good (REDFLARE_SMTP_MAX_ATTEMPTS).")
    data: list[MessagePublic]


class AuditRowPublic(BaseModel):
    id: int
    at: datetime
    user_id: str | None
    user_email: str | None = Field(description="Who acted; null when RedFlare did (an automatic pause).")
    action: str
    workflow_id: str | None
    workflow_name: str | None
    detail: dict[str, Any]


class AuditSearchPublic(BaseModel):
    data: list[AuditRowPublic]
    count: int
    actions: list[str] = Field(description="Every action in the log you may read, for the filter's choices.")


@router.get("/runs/{run_id}/distribution", responses=_NOT_FOUND)
def run_distribution(run_id: RunId, principal: CurrentUser, session: SessionDep) -> DistributionPublic:
    """Score and sentiment of the conversations the run processed, in bins, with its Filters' thresholds."""
    return DistributionPublic.model_validate(run_charts.run_distribution(session, principal=principal, run_id=run_id))


@router.get("/runs/{run_id}/steps/{step_id}/reasons", responses=_NOT_FOUND)
def step_reasons(
    run_id: RunId,
    step_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00]*$")],
    principal: CurrentUser,
    session: SessionDep,
) -> VerdictReasonsPublic:
    """Why each criterion passed, failed or did not apply, for the conversations in a Process Conversations step's
    output preview; empty for other steps."""
    reasons = run_verdicts.step_reasons(session, principal=principal, run_id=run_id, step_id=step_id)
    return VerdictReasonsPublic(data=reasons)


@router.get("/runs/{run_id}/messages", responses=_NOT_FOUND)
def run_messages(run_id: RunId, principal: CurrentUser, session: SessionDep, app: ServicesDep) -> RunMessagesPublic:
    """The run's outbox messages with every attempt and, for one waiting to be retried, when it is tried next."""
    run = visible_run(session, principal, run_id)
    page = delivery_service.list_outbox(
        session, principal=principal, workflow_id=run.workflow_id, run_id=run.id, limit=200
    )
    return RunMessagesPublic(
        max_attempts=app.settings.smtp_max_attempts,
        data=[MessagePublic.model_validate(message) for message in reversed(page.data)],
    )


@router.get("/audit", responses={404: {"description": "No such workflow, or not one you may see"}})
def audit_search(
    principal: CurrentUser,
    session: SessionDep,
    workflow_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
    action: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")] = None,
    actor: Annotated[str | None, Query(max_length=320, pattern=r"^[^\x00]*$", description="Part of an email.")] = None,
    since: Annotated[datetime | None, Query(description="From this moment (inclusive).")] = None,
    until: Annotated[datetime | None, Query(description="Before this moment.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> AuditSearchPublic:
    """The audit log of every workflow you may see, newest first: who published, paused, resumed, changed settings
    or sent again what, and when; narrowed by workflow, action, who acted and a time window."""
    filters = audit.AuditFilters(workflow_id=workflow_id, action=action, actor=actor, since=since, until=until)
    page = audit.search(session, principal=principal, filters=filters, limit=limit, offset=offset)
    return AuditSearchPublic.model_validate({"data": page.data, "count": page.count, "actions": page.actions})
