"""Impact preview: `GET /workflows/{id}/estimate` — a dry run of the draft beside the active version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from redflare.services.estimate import estimate_workflow
from redflare.web.deps import ClockDep, CurrentUser, SessionDep
from redflare.web.schemas.estimate import EstimatePublic

router = APIRouter(tags=["estimate"])

# PostgreSQL text cannot hold NUL: refused as a bad request, not a server error.
WorkflowId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[^\x00]*$")]


@router.get("/workflows/{workflow_id}/estimate", responses={404: {"description": "No such workflow you may see"}})
def estimate(workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep, clock: ClockDep) -> EstimatePublic:
    """Expected conversations and credits per run, where the limits cut in and how Distribute splits.

    Runs the selection and shaping steps against the store without processing or sending anything;
    nothing is written. Viewers may read it.
    """
    found = estimate_workflow(session, principal=principal, workflow_id=workflow_id, now=clock.now())
    return EstimatePublic.model_validate(found)
