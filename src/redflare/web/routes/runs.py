"""Runs over the API: Run now (and test runs), the runs list, one run with step previews, cancel, re-run
from the failed step, the Runs tab's metrics, and a live feed of a run's changes (server-sent events).

Editors and admins start, cancel and re-run; viewers read. A run of a workflow the user may not see is
404, like a run that does not exist. Runs act with the workflow creator's data-access rules.

Run now, re-run and the feed authenticate in a short read of their own instead of the request's
transaction: the first two commit the run before the engine (in other threads) looks for it, and the
feed must not hold a transaction open for as long as it streams.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from redflare.domain.errors import NotFound
from redflare.services import metrics as metrics_service
from redflare.services import run_feed
from redflare.services import runs as run_service
from redflare.web.deps import (
    ClockDep,
    CurrentUser,
    Editing,
    Editor,
    ServicesDep,
    SessionDep,
    SignedIn,
)
from redflare.web.schemas.runs import RunCreate, RunMetricsPublic, RunPublic, RunsPublic

router = APIRouter(tags=["runs"])

MAX_INT = 2**63 - 1  # SQLite's integers: larger ones overflow
POLL_SECONDS = 0.2  # how often the feed looks for new events
STREAM_SECONDS = 600.0  # then the feed closes without `end`: the browser reconnects with Last-Event-ID
WorkflowId = Annotated[str, Path(min_length=1, max_length=64)]
RunId = Annotated[str, Path(min_length=1, max_length=64)]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such run or workflow, or not one you may see"}}
_FORBIDDEN: dict[int | str, dict[str, Any]] = {403: {"description": "Viewers may read runs, not start or change them"}}
_CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "Not possible in the run's current status"}}


@router.post(
    "/workflows/{workflow_id}/runs",
    status_code=202,
    responses={
        **_NOT_FOUND,
        **_FORBIDDEN,
        **_CONFLICT,
        422: {"description": "The draft has issues (Final checks), each in `errors`"},
    },
)
async def run_now(
    workflow_id: WorkflowId, principal: Editing, app: ServicesDep, body: RunCreate | None = None
) -> RunPublic:
    """Run now: the active version when published (live or paused), else the draft; `{"test": true}` for a test run.

    Answers the queued run at once; follow it with GET /runs/{id} or its live feed.
    """
    started = await run_in_threadpool(
        partial(
            run_service.run_now,
            app.store,
            principal=principal,
            workflow_id=workflow_id,
            test=body.test if body is not None else False,
            sample=body.sample if body is not None else None,
            now=app.clock.now(),
        )
    )
    app.backend.submit(started.run_id)  # committed above: the engine will find it
    return RunPublic.model_validate(started.resource)


@router.get("/workflows/{workflow_id}/runs", responses=_NOT_FOUND)
def list_runs(
    workflow_id: WorkflowId,
    principal: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> RunsPublic:
    """The workflow's runs, newest first: number, status, start, finish, runtime, credits, conversations processed."""
    page = run_service.list_runs(session, principal=principal, workflow_id=workflow_id, limit=limit, offset=offset)
    return RunsPublic.model_validate({"data": page.data, "count": page.count})


@router.get("/workflows/{workflow_id}/metrics", responses=_NOT_FOUND)
def workflow_metrics(
    workflow_id: WorkflowId,
    principal: CurrentUser,
    session: SessionDep,
    tests: Annotated[bool, Query(description="Count test runs in the figures too (they are left out).")] = False,
) -> RunMetricsPublic:
    """The Runs tab's header: Credits used, Average runtime, runs in progress, completed, failed, cancelled — of the
    real runs (test runs are previews: `test_runs` says how many, `?tests=true` counts them in)."""
    figures = metrics_service.workflow_metrics(
        session, principal=principal, workflow_id=workflow_id, include_tests=tests
    )
    return RunMetricsPublic.model_validate(figures, from_attributes=True)


@router.get("/runs/{run_id}", responses=_NOT_FOUND)
def get_run(run_id: RunId, principal: CurrentUser, session: SessionDep, app: ServicesDep) -> RunPublic:
    """One run with every step's status, timing, counts, credits, error, a preview of its output (50 rows),
    its exports (with signed download links) and its outbox messages."""
    detail = run_service.run_detail(session, principal=principal, run_id=run_id, links=app.delivery.links)
    return RunPublic.model_validate(detail)


@router.post("/runs/{run_id}/cancel", responses={**_NOT_FOUND, **_FORBIDDEN, **_CONFLICT})
def cancel_run(run_id: RunId, principal: Editor, session: SessionDep, clock: ClockDep) -> RunPublic:
    """Cancel a queued or running run: once this answers, it starts no new batch and spends nothing more."""
    return RunPublic.model_validate(run_service.cancel(session, principal=principal, run_id=run_id, now=clock.now()))


@router.post("/runs/{run_id}/rerun", status_code=202, responses={**_NOT_FOUND, **_FORBIDDEN, **_CONFLICT})
async def rerun(run_id: RunId, principal: Editing, app: ServicesDep) -> RunPublic:
    """Re-run a failed run from the failed step: completed steps keep their outputs, nothing is charged twice."""
    started = await run_in_threadpool(
        partial(run_service.rerun, app.store, principal=principal, run_id=run_id, now=app.clock.now())
    )
    app.backend.submit(started.run_id)
    return RunPublic.model_validate(started.resource)


@dataclass(frozen=True)
class _Watch:
    """Where a feed starts: the run as it is, and the events that state already reflects."""

    resource: dict[str, Any]
    seen: set[int]


def _watch(
    run_id: RunId,
    principal: SignedIn,
    app: ServicesDep,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_INT)] = None,
) -> _Watch:
    # A dependency, not the stream's body: a run the user may not see must be 404 before the stream opens.
    with app.store.read() as session:
        resource, seen = run_feed.feed_start(session, principal=principal, run_id=run_id, after=last_event_id)
    return _Watch(resource, seen)


def _poll(app: ServicesDep, run_id: str, seen: frozenset[int]) -> run_feed.FeedPage | None:
    try:
        with app.store.read() as session:  # one short read per poll: no transaction spans the stream
            return run_feed.feed_since(session, run_id=run_id, seen=seen)
    except NotFound:
        return None  # deleted with its workflow meanwhile


@router.get("/runs/{run_id}/events", response_class=EventSourceResponse, responses=_NOT_FOUND)
async def run_events(watch: Annotated[_Watch, Depends(_watch)], app: ServicesDep) -> AsyncIterator[ServerSentEvent]:
    """A live feed of the run (text/event-stream), for the canvas.

    First `snapshot` (the run now), then a `change` for each status change of the run or a step (with its
    counts; the SSE id is the event's id, so a reconnect with Last-Event-ID resumes), and finally `end`
    with the run as it ended (null if it was deleted). The stream closes when the run has ended, or after
    ten minutes without an `end` (an EventSource then reconnects and resumes from the last id).
    """
    run_id = watch.resource["id"]
    seen = set(watch.seen)
    closing = time.monotonic() + STREAM_SECONDS
    yield ServerSentEvent(event="snapshot", data=watch.resource)
    while time.monotonic() < closing:
        page = await anyio.to_thread.run_sync(_poll, app, run_id, frozenset(seen))
        if page is None:
            yield ServerSentEvent(event="end", raw_data="null")
            return
        for event in page.events:
            seen.add(event["id"])
            yield ServerSentEvent(event="change", id=str(event["id"]), data=event)
        if page.ended:
            yield ServerSentEvent(event="end", data=page.run)
            return
        await anyio.sleep(POLL_SECONDS)
