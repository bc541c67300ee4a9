"""Routes: workflows — the list, documents in and out, drafts and Final checks, the lifecycle, versions,
settings, the canvas's helpers and the audit log (SPEC Lifecycle, Settings, Workflows list; appendix E).

Each route checks the role (viewers read only: 403 on any change) and leaves visibility to the service
(404 for a workflow the user may not see, exactly as for one that does not exist).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import StringConstraints

from redflare.domain.workflow import Settings as Limits
from redflare.engine.backends import Backend
from redflare.services import canvas, deletion, drafts, guardrails, lifecycle, versions, workflow_files, workflow_list
from redflare.web.deps import ClockDep, CurrentUser, Editor, ServicesDep, SessionDep
from redflare.web.schemas.workflows import (
    AuditEntryPublic,
    AuditPublic,
    DraftPublic,
    DuplicateRequest,
    ImpactPublic,
    IssuesPublic,
    SettingsPublic,
    SettingsUpdate,
    TriggerChange,
    VersionDocument,
    VersionPublic,
    VersionsPublic,
    WorkflowCreate,
    WorkflowCreated,
    WorkflowDocumentBody,
    WorkflowPublic,
    WorkflowsImport,
    WorkflowsPublic,
    WorkflowUpdate,
    draft_public,
    issue_public,
    issues_public,
)

router = APIRouter(tags=["workflows"])

TEXT = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused as a bad request, not a server error
WorkflowId = Annotated[str, Path(max_length=64, pattern=TEXT, description="The workflow's id.")]
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=2**63 - 1)]
WIND_DOWN_SECONDS = 60.0  # how long a delete waits for its cancelled runs to stop before removing their files

Responses = dict[int | str, dict[str, Any]]
READ: Responses = {404: {"description": "No such workflow, or not yours to see"}}
CHANGE: Responses = {**READ, 403: {"description": "Viewers cannot change workflows"}}
INVALID: Responses = {422: {"description": "Problem details; `errors` lists every issue with its path and node"}}
STATE: Responses = {409: {"description": "Not possible in the workflow's present state"}}


@router.get("/workflows")
def list_workflows(
    principal: CurrentUser,
    session: SessionDep,
    search: Annotated[str | None, Query(max_length=200, pattern=TEXT, description="Search workflows by name.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WorkflowsPublic:
    """The workflows you may see, by name: status (Draft, Live, Paused, Unpublished Changes) and last run."""
    page = workflow_list.list_workflows(session, principal=principal, search=search, limit=limit, offset=offset)
    return WorkflowsPublic(data=[WorkflowPublic.model_validate(w) for w in page.data], count=page.count)


@router.post("/workflows", status_code=201, responses={403: CHANGE[403], **INVALID})
def create_workflow(
    document: WorkflowCreate, principal: Editor, session: SessionDep, clock: ClockDep
) -> WorkflowCreated:
    """A new draft from a workflow document; stored even with Final-checks issues (listed in the answer)."""
    created = drafts.create_workflow(session, principal=principal, data=document, now=clock.now())
    public = WorkflowPublic.model_validate(created.workflow)
    return WorkflowCreated(**public.model_dump(), issues=[issue_public(i) for i in created.issues])


@router.get("/workflows/export", responses=READ)
def export_workflows(
    principal: CurrentUser,
    session: SessionDep,
    ids: Annotated[
        list[Annotated[str, StringConstraints(max_length=2000, pattern=TEXT)]],
        Query(min_length=1, max_length=100, description="Ids, repeated or comma-separated."),
    ],
) -> list[dict[str, Any]]:
    """Workflow documents (appendix A) of these workflows' drafts, in the order asked."""
    wanted = [part.strip() for value in ids for part in value.split(",") if part.strip()]
    return workflow_files.export_documents(session, principal=principal, ids=wanted)


@router.post("/workflows/import", status_code=201, responses={403: CHANGE[403], **INVALID})
def import_workflows(
    documents: WorkflowsImport, principal: Editor, session: SessionDep, clock: ClockDep
) -> WorkflowsPublic:
    """Store each document as a new draft; if any has an issue, nothing is stored (paths read `[i].steps[0]…`)."""
    stored = workflow_files.import_documents(session, principal=principal, documents=documents, now=clock.now())
    return WorkflowsPublic(data=[WorkflowPublic.model_validate(w) for w in stored], count=len(stored))


@router.get("/workflows/{workflow_id}", responses=READ)
def get_workflow(workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep) -> WorkflowPublic:
    return WorkflowPublic.model_validate(
        workflow_list.workflow_summary(session, principal=principal, workflow_id=workflow_id)
    )


@router.patch("/workflows/{workflow_id}", responses=CHANGE)
def rename_workflow(
    workflow_id: WorkflowId, body: WorkflowUpdate, principal: Editor, session: SessionDep, clock: ClockDep
) -> WorkflowPublic:
    """Rename: the workflow and its draft take the new name; published versions keep theirs."""
    return WorkflowPublic.model_validate(
        drafts.rename_workflow(session, principal=principal, workflow_id=workflow_id, name=body.name, now=clock.now())
    )


@router.delete("/workflows/{workflow_id}", status_code=204, responses=CHANGE)
async def delete_workflow(
    workflow_id: WorkflowId, principal: Editor, session: SessionDep, app: ServicesDep
) -> Response:
    """Deleting this workflow will delete all of its versions and runs, and any ongoing runs will be cancelled."""
    # The request's transaction ends here (it only authenticated): the delete commits in steps of its
    # own, and on SQLite an open write transaction would keep the engine from winding its runs down.
    session.commit()
    await deletion.delete_workflow(
        app.store,
        principal=principal,
        workflow_id=workflow_id,
        clock=app.clock,
        wind_down=lambda run_ids: _until_ended(app.backend, run_ids),
        storage=app.delivery.storage,
    )
    return Response(status_code=204)


async def _until_ended(backend: Backend, run_ids: frozenset[str]) -> None:
    """Wait until the local engine has stopped these runs (or give up after WIND_DOWN_SECONDS)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WIND_DOWN_SECONDS
    while run_ids & backend.in_flight and loop.time() < deadline:
        await asyncio.sleep(0.02)


# --- The draft, its Final checks, and the canvas's helpers ---------------------------------------------------------


@router.get("/workflows/{workflow_id}/draft", responses=READ)
def get_draft(workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The draft as a workflow document (appendix A)."""
    return drafts.draft_of(session, principal=principal, workflow_id=workflow_id)


@router.put("/workflows/{workflow_id}/draft", responses={**CHANGE, **INVALID})
def replace_draft(
    workflow_id: WorkflowId, document: WorkflowDocumentBody, principal: Editor, session: SessionDep, clock: ClockDep
) -> DraftPublic:
    """Replace the draft (what is live keeps running); answers it with its Final-checks issues."""
    return draft_public(
        drafts.replace_draft(session, principal=principal, workflow_id=workflow_id, data=document, now=clock.now())
    )


@router.get("/workflows/{workflow_id}/issues", responses=READ)
def final_checks(workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep) -> IssuesPublic:
    """Final checks: make sure all issues are fixed before publishing this workflow."""
    return issues_public(drafts.checked_draft(session, principal=principal, workflow_id=workflow_id).issues)


@router.get("/workflows/{workflow_id}/draft/impact", responses={**READ, **INVALID})
def deletion_impact(
    workflow_id: WorkflowId,
    principal: CurrentUser,
    session: SessionDep,
    step: Annotated[str | None, Query(max_length=64, pattern=TEXT, description="A step id.")] = None,
    connection: Annotated[
        str | None, Query(max_length=200, pattern=TEXT, description="FROM->TO, e.g. split.A->report")
    ] = None,
) -> ImpactPublic:
    """How many downstream steps deleting this step (or connection) affects, and which, before you confirm."""
    impact = canvas.deletion_impact(
        session, principal=principal, workflow_id=workflow_id, step=step, connection=connection
    )
    return ImpactPublic(affected=len(impact.steps), steps=impact.steps)


@router.post("/workflows/{workflow_id}/draft/trigger", responses={**CHANGE, **STATE, **INVALID})
def change_trigger(
    workflow_id: WorkflowId, body: TriggerChange, principal: Editor, session: SessionDep, clock: ClockDep
) -> DraftPublic:
    """Change trigger: clears the current steps, so with steps present it needs `"confirm": true` (else 409)."""
    return draft_public(
        canvas.change_trigger(
            session,
            principal=principal,
            workflow_id=workflow_id,
            trigger=body.trigger,
            confirm=body.confirm,
            now=clock.now(),
        )
    )


@router.delete("/workflows/{workflow_id}/draft/trigger", responses=CHANGE)
def clear_trigger(workflow_id: WorkflowId, principal: Editor, session: SessionDep, clock: ClockDep) -> DraftPublic:
    """Clear trigger: start over with no trigger and no steps (name and settings stay)."""
    return draft_public(canvas.clear_trigger(session, principal=principal, workflow_id=workflow_id, now=clock.now()))


# --- Lifecycle -------------------------------------------------------------------------------------------------------


@router.post("/workflows/{workflow_id}/publish", responses={**CHANGE, **INVALID})
def publish(workflow_id: WorkflowId, principal: Editor, session: SessionDep, clock: ClockDep) -> WorkflowPublic:
    """Publish: the draft becomes a new immutable version, set active, and the workflow goes live.

    Refused (422, with every issue) while Final checks find any: "Please resolve the issues in the
    workflow before publishing the workflow."
    """
    return WorkflowPublic.model_validate(
        lifecycle.publish(session, principal=principal, workflow_id=workflow_id, now=clock.now())
    )


@router.post("/workflows/{workflow_id}/pause", responses={**CHANGE, **STATE})
def pause(workflow_id: WorkflowId, principal: Editor, session: SessionDep, clock: ClockDep) -> WorkflowPublic:
    """Pause workflow: no new runs; this will not affect any ongoing workflow runs."""
    return WorkflowPublic.model_validate(
        lifecycle.pause(session, principal=principal, workflow_id=workflow_id, now=clock.now())
    )


@router.post("/workflows/{workflow_id}/resume", responses={**CHANGE, **STATE})
def resume(workflow_id: WorkflowId, principal: Editor, session: SessionDep, clock: ClockDep) -> WorkflowPublic:
    """Resume workflow: this will resume any upcoming workflow runs (and clears the paused reason)."""
    return WorkflowPublic.model_validate(
        lifecycle.resume(session, principal=principal, workflow_id=workflow_id, now=clock.now())
    )


@router.post("/workflows/{workflow_id}/edit", responses={**CHANGE, **STATE})
def edit(workflow_id: WorkflowId, principal: Editor, session: SessionDep, clock: ClockDep) -> WorkflowPublic:
    """Edit workflow: a fresh draft from the active version, without affecting what is currently running."""
    return WorkflowPublic.model_validate(
        lifecycle.edit(session, principal=principal, workflow_id=workflow_id, now=clock.now())
    )


@router.post("/workflows/{workflow_id}/duplicate", status_code=201, responses={**CHANGE, **STATE})
def duplicate(
    workflow_id: WorkflowId,
    principal: Editor,
    session: SessionDep,
    clock: ClockDep,
    body: DuplicateRequest | None = None,
) -> WorkflowPublic:
    """Duplicate workflow: a new draft "… (copy)" of the draft (or the active version), with its settings."""
    source = body.source if body is not None else "draft"
    return WorkflowPublic.model_validate(
        lifecycle.duplicate(session, principal=principal, workflow_id=workflow_id, source=source, now=clock.now())
    )


# --- Versions --------------------------------------------------------------------------------------------------------


@router.get("/workflows/{workflow_id}/versions", responses=READ)
def list_versions(workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep) -> VersionsPublic:
    """Workflow versions, newest first: select a version to view, or make one active."""
    found = versions.versions(session, principal=principal, workflow_id=workflow_id)
    return VersionsPublic(data=[VersionPublic.model_validate(v) for v in found], count=len(found))


@router.get("/workflows/{workflow_id}/versions/{number}", responses=READ)
def get_version(
    workflow_id: WorkflowId, number: VersionNumber, principal: CurrentUser, session: SessionDep
) -> VersionDocument:
    view = versions.version_view(session, principal=principal, workflow_id=workflow_id, number=number)
    return VersionDocument.model_validate(view)


@router.post("/workflows/{workflow_id}/versions/{number}/activate", responses=CHANGE)
def activate_version(
    workflow_id: WorkflowId, number: VersionNumber, principal: Editor, session: SessionDep, clock: ClockDep
) -> WorkflowPublic:
    """Set as active: new runs run this version; runs already in flight keep theirs."""
    return WorkflowPublic.model_validate(
        versions.activate(session, principal=principal, workflow_id=workflow_id, number=number, now=clock.now())
    )


# --- Settings and audit --------------------------------------------------------------------------------------------


@router.get("/workflows/{workflow_id}/settings", responses=READ)
def get_settings(
    workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep, clock: ClockDep
) -> SettingsPublic:
    """The call and credits limits, with the calls made in the last 24 hours and credits spent since the limit."""
    return SettingsPublic.model_validate(
        guardrails.guardrails(session, principal=principal, workflow_id=workflow_id, now=clock.now())
    )


@router.put("/workflows/{workflow_id}/settings", responses={**CHANGE, **INVALID})
def put_settings(
    workflow_id: WorkflowId, body: SettingsUpdate, principal: Editor, session: SessionDep, clock: ClockDep
) -> SettingsPublic:
    """Set both limits (left out: none); they apply at once. A credits limit set or changed counts from now."""
    limits = Limits(call_limit=body.call_limit, credits_limit=body.credits_limit, overlap=body.overlap)
    return SettingsPublic.model_validate(
        guardrails.set_guardrails(session, principal=principal, workflow_id=workflow_id, limits=limits, now=clock.now())
    )


@router.get("/workflows/{workflow_id}/audit", responses=READ)
def audit_log(
    workflow_id: WorkflowId, principal: CurrentUser, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> AuditPublic:
    """Who published, paused, resumed, set a version active, changed settings, duplicated or imported it, and when."""
    entries, count = lifecycle.audit_log(
        session, principal=principal, workflow_id=workflow_id, limit=limit, offset=offset
    )
    return AuditPublic(data=[AuditEntryPublic.model_validate(e) for e in entries], count=count)
