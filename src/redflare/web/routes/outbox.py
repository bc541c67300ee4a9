"""The outbox: every email steps produced — sent, waiting, failed or held, and why — for the workflows the
user may see. Viewers may read it (SPEC: exports, outbox messages and previews follow workflow visibility)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from redflare.services import deliveries
from redflare.web.deps import CurrentUser, SessionDep
from redflare.web.schemas.runs import OutboxPublic

router = APIRouter(tags=["outbox"])

Status = Literal["pending", "sending", "sent", "failed", "held"]


@router.get("/outbox", responses={404: {"description": "No such workflow, or not one you may see"}})
def list_outbox(
    principal: CurrentUser,
    session: SessionDep,
    workflow_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    run_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> OutboxPublic:
    """Outbox messages, newest first, each with its delivery attempts; filter by workflow, run or status."""
    page = deliveries.list_outbox(
        session,
        principal=principal,
        workflow_id=workflow_id,
        run_id=run_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    return OutboxPublic.model_validate({"data": page.data, "count": page.count})
