"""Pipelines as data: list, show, create, edit, archive, and try one on a conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from redflare.services import pipelines
from redflare.services.pipeline_trial import try_pipeline
from redflare.services.pipeline_usage import workflows_using
from redflare.web.deps import ClockDep, CurrentUser, Editor, SessionDep
from redflare.web.schemas.pipelines import (
    PipelineBody,
    PipelineDetailPublic,
    PipelinePublic,
    PipelineSaved,
    PipelinesPublic,
    TryRequest,
    TryResultPublic,
)

router = APIRouter(tags=["pipelines"])

PipelineName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9_-]+$")]
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
Responses = dict[int | str, dict[str, str]]
NOT_FOUND: Responses = {404: {"description": "No such pipeline (or version)"}}
CHANGE: Responses = {403: {"description": "Viewers cannot change pipelines"}, **NOT_FOUND}
INVALID: Responses = {422: {"description": "Problem details; `errors` lists every issue with its path"}}


@router.get("/pipelines")
def list_pipelines(
    principal: CurrentUser, session: SessionDep, archived: Annotated[bool, Query()] = False
) -> PipelinesPublic:
    """Every pipeline at its current version, by name; `?archived=true` includes archived ones."""
    found = pipelines.list_pipelines(session, archived=archived)
    return PipelinesPublic(data=[PipelinePublic.model_validate(p) for p in found], count=len(found))


@router.post(
    "/pipelines",
    status_code=201,
    responses={403: CHANGE[403], 409: {"description": "A pipeline with this name exists"}, **INVALID},
)
def create_pipeline(
    body: PipelineBody, principal: Editor, session: SessionDep, clock: ClockDep
) -> PipelineDetailPublic:
    """A new pipeline at version 1 (admins and editors)."""
    created = pipelines.create_pipeline(session, principal=principal, data=body, now=clock.now())
    return PipelineDetailPublic.model_validate(created)


@router.get("/pipelines/{name}", responses=NOT_FOUND)
def get_pipeline(name: PipelineName, principal: CurrentUser, session: SessionDep) -> PipelineDetailPublic:
    """The current version, with the list of every version."""
    return PipelineDetailPublic.model_validate(pipelines.pipeline_detail(session, name))


@router.get("/pipelines/{name}/versions/{number}", responses=NOT_FOUND)
def get_pipeline_version(
    name: PipelineName, number: VersionNumber, principal: CurrentUser, session: SessionDep
) -> PipelinePublic:
    """One version as it was made."""
    return PipelinePublic.model_validate(pipelines.version_detail(session, name, number))


@router.put(
    "/pipelines/{name}",
    responses={
        **CHANGE,
        **INVALID,
        409: {"description": "New prices and live workflows use it: named in `detail`; send `?confirm=true`"},
    },
)
def edit_pipeline(
    name: PipelineName,
    body: PipelineBody,
    principal: Editor,
    session: SessionDep,
    clock: ClockDep,
    confirm: Annotated[bool, Query(description="Save new prices although live workflows use it.")] = False,
) -> PipelineSaved:
    """Replace the definition: a changed one becomes version n+1 and what the next runs use; an identical one
    changes nothing. Old results keep the version (and credits) that made them. New prices for a pipeline that live
    workflows use answer 409 naming them, unless `confirm=true`."""
    detail, changed = pipelines.update_pipeline(
        session, principal=principal, name=name, data=body, now=clock.now(), confirm=confirm
    )
    return PipelineSaved(**PipelineDetailPublic.model_validate(detail).model_dump(), changed=changed)


@router.post(
    "/pipelines/{name}/archive",
    responses={**CHANGE, 409: {"description": "Live workflows use it: named in `detail`; send `?confirm=true`"}},
)
def archive_pipeline(
    name: PipelineName,
    principal: Editor,
    session: SessionDep,
    clock: ClockDep,
    confirm: Annotated[bool, Query(description="Archive even though live workflows use it: they are paused.")] = False,
) -> PipelineDetailPublic:
    """Archive: no longer offered to workflows; Final checks of workflows using it say it does not exist. While live
    workflows use it the answer is 409 naming them; with `confirm=true` they are paused, each with the reason."""
    archived = pipelines.set_pipeline_archived(
        session, principal=principal, name=name, archived=True, now=clock.now(), confirm=confirm
    )
    return PipelineDetailPublic.model_validate(archived)


class PipelineUsePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    workflow_id: str
    name: str
    status: str = Field(description="live or paused")


@router.get("/pipelines/{name}/usage", responses={404: {"description": "No such pipeline"}})
def pipeline_usage(name: PipelineName, principal: CurrentUser, session: SessionDep) -> list[PipelineUsePublic]:
    """The published workflows whose active version uses this pipeline (what archiving it would pause)."""
    pipelines.pipeline_detail(session, name)  # 404 for no such pipeline
    return [PipelineUsePublic.model_validate(use) for use in workflows_using(session, name, principal=principal)]


@router.post("/pipelines/{name}/unarchive", responses=CHANGE)
def unarchive_pipeline(
    name: PipelineName, principal: Editor, session: SessionDep, clock: ClockDep
) -> PipelineDetailPublic:
    """Restore an archived pipeline."""
    return PipelineDetailPublic.model_validate(
        pipelines.set_pipeline_archived(session, principal=principal, name=name, archived=False, now=clock.now())
    )


@router.post("/pipelines/{name}/try", responses={404: {"description": "No such pipeline, version or conversation"}})
def try_on_conversation(
    name: PipelineName, body: TryRequest, principal: CurrentUser, session: SessionDep
) -> TryResultPublic:
    """Analyse one conversation you may see with this pipeline: its transcript, scores per criterion with the
    evidence, sentiment and measures, and what a run would charge. Nothing is charged or stored."""
    # A plain `def` route: FastAPI runs it in a worker thread, so the analysis (seconds for audio) stays
    # off the event loop. The lookup commits first: on SQLite this request's transaction holds the write lock.
    trial = try_pipeline(
        session,
        access=principal.access,
        name=name,
        conversation_id=body.conversation_id,
        version=body.version,
        before_analysis=session.commit,
    )
    return TryResultPublic.model_validate(trial)
