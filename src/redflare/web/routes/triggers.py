"""Triggers over the API: the schedule panel's next fire times, and a workflow's firings (what each became)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from redflare.domain.errors import InvalidInput, Issue
from redflare.domain.workflow import Trigger, TriggerType
from redflare.services import firings
from redflare.triggers.schedule import cron_of, fire_times, zone_of
from redflare.web.deps import ClockDep, CurrentUser, SessionDep

router = APIRouter(tags=["triggers"])


class NextFireTimesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trigger: Trigger = Field(description="An On a Schedule trigger, as in a workflow document (appendix A).")
    count: int = Field(default=5, ge=1, le=50, description="How many fire times (the panel shows five).")


class NextFireTimesPublic(BaseModel):
    times: list[datetime] = Field(description="The next fire times after now, in UTC.")
    local_times: list[str] = Field(description="The same times in the trigger's time zone (ISO 8601 with offset).")
    timezone: str
    cron: str = Field(description="The schedule as cron (several expressions joined by ' | ' when one cannot say it).")


class FiringPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    key: str
    trigger_type: str
    scheduled_for: datetime | None
    outcome: Literal["started", "waiting", "merged", "skipped"] = Field(
        description="started: it made a run; waiting: queued behind a running run; merged: a sync that fired while "
        "one was waiting, carried out by the waiting firing's run (`run_id` once it starts); skipped: see `reason`."
    )
    reason: str | None
    run_id: str | None
    duplicates: int = Field(description="How many times the same firing was seen again and ignored.")
    at: datetime
    covers: list[str] = Field(
        default_factory=list, description="Keys of the later firings merged into this one: its run stands for them."
    )


class FiringsPublic(BaseModel):
    data: list[FiringPublic]
    count: int


@router.post("/triggers/next-fire-times", responses={422: {"description": "Not a valid schedule trigger"}})
def next_fire_times(body: NextFireTimesRequest, principal: CurrentUser, clock: ClockDep) -> NextFireTimesPublic:
    """When an On a Schedule trigger fires next (the side panel shows the next five)."""
    if body.trigger.type is not TriggerType.SCHEDULE:
        raise InvalidInput("only an On a Schedule trigger has fire times", [Issue("trigger.type", "use schedule")])
    zone = zone_of(body.trigger)
    times = fire_times(body.trigger, after=clock.now(), count=body.count)
    return NextFireTimesPublic(
        times=times,
        local_times=[t.astimezone(zone).isoformat() for t in times],
        timezone=zone.key,
        cron=cron_of(body.trigger),
    )


@router.get("/workflows/{workflow_id}/firings", responses={404: {"description": "No such workflow you may see"}})
def workflow_firings(
    workflow_id: Annotated[str, Path(min_length=1, max_length=64)],
    principal: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> FiringsPublic:
    """Every firing of the workflow's trigger, newest first: the run it started, or why it made none."""
    found, count = firings.list_firings(
        session, principal=principal, workflow_id=workflow_id, limit=limit, offset=offset
    )
    return FiringsPublic(data=[FiringPublic.model_validate(f) for f in found], count=count)
