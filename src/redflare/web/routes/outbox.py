"""The outbox: every email steps produced — sent, waiting, failed or held, and why — for the workflows the
user may see. Viewers may read it (SPEC: exports, outbox messages and previews follow workflow visibility);
editors may send a held or failed message again."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from redflare.services import deliveries
from redflare.services.users import Principal
from redflare.web.deps import CurrentUser, Editing, ServicesDep, SessionDep
from redflare.web.schemas.runs import MessagePublic, OutboxPublic, SentHeldPublic
from redflare.web.state import AppServices

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


@router.post(
    "/outbox/send-held",
    responses={
        403: {"description": "Viewers may read the outbox, not send from it"},
        409: {"description": "No SMTP server is configured"},
    },
)
async def send_held(principal: Editing, app: ServicesDep) -> SentHeldPublic:
    """Send every email held because no SMTP server was configured when its run made it (in the workflows you may
    see; a cancelled run's stay held, a test run's are sent one by one). Answers how many were queued."""
    queued = await run_in_threadpool(partial(_queue_held, app, principal))
    app.delivery.wake_deliverer()  # after the commit, so the deliverer finds them
    return SentHeldPublic(queued=queued)


def _queue_held(app: AppServices, principal: Principal) -> int:
    with app.store.transaction() as session:
        return deliveries.send_held_without_smtp(
            session, principal=principal, now=app.clock.now(), smtp_configured=app.settings.smtp_configured
        )


@router.post(
    "/outbox/{message_id}/send",
    responses={
        403: {"description": "Viewers may read the outbox, not send from it"},
        404: {"description": "No such message, or not one of a workflow you may see"},
        409: {
            "description": "No SMTP server is configured, the run was cancelled, or the message is not held or failed"
        },
    },
)
async def send_again(
    message_id: Annotated[str, Path(min_length=1, max_length=64)], principal: Editing, app: ServicesDep
) -> MessagePublic:
    """Send a held or failed message now, with a fresh round of attempts: e.g. one held because no SMTP server was
    configured when its run made it. Answers the message, `pending` until the deliverer has tried it."""
    queued = await run_in_threadpool(partial(_queue_again, app, principal, message_id))
    app.delivery.wake_deliverer()  # after the commit, so the deliverer finds it
    return MessagePublic.model_validate(queued)


def _queue_again(app: AppServices, principal: Principal, message_id: str) -> dict[str, Any]:
    with app.store.transaction() as session:
        return deliveries.send_again(
            session,
            principal=principal,
            message_id=message_id,
            now=app.clock.now(),
            smtp_configured=app.settings.smtp_configured,
        )
