"""Syncs of integrations: a source pushes batches with the integration's own token; users list syncs and
ask a folder integration to scan now.

The push routes take no user sign-in: `Authorization: Bearer <push token>`. They open their own
transaction, so a refused token is recorded (a failed sync, Sync Failed) and committed before the 401
goes out. Every route that writes sync events wakes the scheduler once they are committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Path, Query
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from redflare.adapters.db.orm import Integration
from redflare.domain.errors import Conflict, NotFound
from redflare.integrations import push
from redflare.integrations.folder import scan_folder
from redflare.services.syncs import SyncInfo, list_syncs, reject_push
from redflare.web.deps import ClockDep, CurrentUser, Editor, ServicesDep, SessionDep
from redflare.web.schemas.integrations import FolderScanPublic, SyncBatch, SyncFailure, SyncPublic, SyncsPublic
from redflare.web.state import AppServices

router = APIRouter(tags=["integrations"])

IntegrationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SyncId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]
Authorization = Annotated[str | None, Header(description="Bearer <the integration's push token>")]
PUSH_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not the integration's push token (recorded as a failed sync)"},
    404: {"description": "No such integration (or sync)"},
    409: {"description": "Not a push integration, or the sync has ended"},
    422: {"description": "Bad conversations, each listed by index and field; nothing stored"},
}


@router.post("/integrations/{integration_id}/sync", responses=PUSH_ERRORS)
def push_sync(
    integration_id: IntegrationId, body: SyncBatch, app: ServicesDep, authorization: Authorization = None
) -> SyncPublic:
    """Push one batch of conversations as one sync (Sync Started, then Completed)."""
    return _pushed(
        app,
        integration_id,
        authorization,
        lambda s: push.push_batch(s, integration_id=integration_id, items=body.conversations, now=app.clock.now()),
    )


@router.post("/integrations/{integration_id}/syncs", status_code=201, responses=PUSH_ERRORS)
def start_push(integration_id: IntegrationId, app: ServicesDep, authorization: Authorization = None) -> SyncPublic:
    """Start a sync that batches are then added to (Sync Started); end it with complete or fail."""
    return _pushed(
        app,
        integration_id,
        authorization,
        lambda s: push.open_sync(s, integration_id=integration_id, now=app.clock.now()),
    )


@router.post("/integrations/{integration_id}/syncs/{sync_id}/batches", responses=PUSH_ERRORS)
def add_batch(
    integration_id: IntegrationId,
    sync_id: SyncId,
    body: SyncBatch,
    app: ServicesDep,
    authorization: Authorization = None,
) -> SyncPublic:
    """Add a batch of conversations to a running sync."""
    return _pushed(
        app,
        integration_id,
        authorization,
        lambda s: push.add_batch(
            s, integration_id=integration_id, sync_id=sync_id, items=body.conversations, now=app.clock.now()
        ),
    )


@router.post("/integrations/{integration_id}/syncs/{sync_id}/complete", responses=PUSH_ERRORS)
def complete_push(
    integration_id: IntegrationId, sync_id: SyncId, app: ServicesDep, authorization: Authorization = None
) -> SyncPublic:
    """End a running sync as completed (Sync Completed, with every conversation its batches brought)."""
    return _pushed(
        app,
        integration_id,
        authorization,
        lambda s: push.complete(s, integration_id=integration_id, sync_id=sync_id, now=app.clock.now()),
    )


@router.post("/integrations/{integration_id}/syncs/{sync_id}/fail", responses=PUSH_ERRORS)
def fail_push(
    integration_id: IntegrationId,
    sync_id: SyncId,
    body: SyncFailure,
    app: ServicesDep,
    authorization: Authorization = None,
) -> SyncPublic:
    """End a running sync as failed with the source's reason (Sync Failed)."""
    return _pushed(
        app,
        integration_id,
        authorization,
        lambda s: push.fail(s, integration_id=integration_id, sync_id=sync_id, error=body.error, now=app.clock.now()),
    )


@router.post(
    "/integrations/{integration_id}/sync-now",
    responses={
        403: {"description": "Viewers cannot start syncs"},
        404: {"description": "No such integration you may see"},
        409: {"description": "A push integration syncs when its source pushes"},
    },
)
def sync_now(
    integration_id: IntegrationId,
    principal: Editor,
    session: SessionDep,
    clock: ClockDep,
    app: ServicesDep,
    background: BackgroundTasks,
) -> FolderScanPublic:
    """A folder integration scans its folder now: the new files make one sync (none when nothing is new)."""
    integration = _visible_integration(session, principal.access.integrations, integration_id)
    if integration.kind == "push":
        raise Conflict("push integrations sync when their source pushes")
    sync = scan_folder(session, integration_id, clock.now())
    if sync is not None:
        # After the response, so after the request's transaction has committed the events.
        background.add_task(app.wake_scheduler)
    return FolderScanPublic(sync=None if sync is None else SyncPublic.model_validate(sync))


@router.get("/integrations/{integration_id}/syncs", responses={404: {"description": "No such integration you may see"}})
def syncs(
    integration_id: IntegrationId,
    principal: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> SyncsPublic:
    """The integration's syncs, newest first (ids limited to the conversations your rules allow)."""
    found = list_syncs(session, integration_id=integration_id, access=principal.access, limit=limit, offset=offset)
    return SyncsPublic(data=[SyncPublic.model_validate(s) for s in found], count=len(found))


def _pushed(
    app: AppServices, integration_id: int, authorization: str | None, work: Callable[[Session], SyncInfo]
) -> SyncPublic:
    """Check the push token, then do `work` in one transaction; a bad token is recorded, then refused."""
    with app.store.transaction() as session:
        integration = push.push_integration(session, integration_id)
        accepted = push.token_accepted(integration, authorization)
        if not accepted:
            recorded = reject_push(session, integration_id=integration_id, now=app.clock.now())
        else:
            sync = work(session)
    if not accepted:
        if recorded is not None:
            app.wake_scheduler()
        raise HTTPException(401, "not this integration's push token", headers={"WWW-Authenticate": "Bearer"})
    app.wake_scheduler()
    return SyncPublic.model_validate(sync)


def _visible_integration(session: Session, allowed: frozenset[str] | None, integration_id: int) -> Integration:
    found = session.get(Integration, integration_id)
    if found is None or (allowed is not None and found.name not in allowed):
        raise NotFound(f"no integration {integration_id}")
    return found
