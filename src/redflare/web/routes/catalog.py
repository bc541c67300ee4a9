"""Integrations and conversations: what a user may browse, within their data-access rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from redflare.services.catalog import (
    create_integration,
    get_conversation,
    list_conversations,
    list_integrations,
)
from redflare.web.deps import ClockDep, CurrentUser, Editor, SessionDep
from redflare.web.schemas.catalog import (
    ConversationDetailPublic,
    ConversationPublic,
    ConversationsPublic,
    IntegrationCreate,
    IntegrationCreated,
    IntegrationPublic,
    IntegrationsPublic,
)

router = APIRouter(tags=["catalog"])

MAX_OFFSET = 2**63 - 1  # SQLite's integers are 64-bit
TEXT = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refuse it as a bad request, not a server error
Filter = Annotated[str | None, Query(min_length=1, max_length=200, pattern=TEXT)]


@router.get("/conversations")
def conversations(
    principal: CurrentUser,
    session: SessionDep,
    integration: Filter = None,
    team: Filter = None,
    agent: Filter = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=TEXT,
            description="Text to find, in any case, in the id, agent, customer, team or queue.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ConversationsPublic:
    """Conversations your data-access rules allow, newest first."""
    total, page = list_conversations(
        session,
        access=principal.access,
        integration=integration,
        team=team,
        agent=agent,
        search=q,
        limit=limit,
        offset=offset,
    )
    return ConversationsPublic(data=[ConversationPublic.model_validate(c) for c in page], count=total)


@router.get("/conversations/{conversation_id}", responses={404: {"description": "No such conversation you may see"}})
def conversation(
    conversation_id: Annotated[str, Path(min_length=1, max_length=200, pattern=TEXT)],
    principal: CurrentUser,
    session: SessionDep,
) -> ConversationDetailPublic:
    """One conversation with its turns and its analysis results per pipeline version: each with its score,
    criteria and the evidence that decided them, its measures, and for audio the transcript it analysed."""
    found = get_conversation(session, access=principal.access, conversation_id=conversation_id)
    return ConversationDetailPublic.model_validate(found)


@router.get("/integrations")
def integrations(principal: CurrentUser, session: SessionDep) -> IntegrationsPublic:
    """The integrations your rules allow, with how many of their conversations you may see."""
    found = list_integrations(session, access=principal.access)
    return IntegrationsPublic(data=[IntegrationPublic.model_validate(i) for i in found], count=len(found))


@router.post(
    "/integrations",
    status_code=201,
    responses={
        403: {"description": "Viewers cannot add integrations"},
        409: {"description": "An integration with this name exists"},
        422: {"description": "A bad name, kind or config"},
    },
)
def add_integration(
    body: IntegrationCreate, principal: Editor, session: SessionDep, clock: ClockDep
) -> IntegrationCreated:
    """A push or folder integration (admins and editors). A push integration's `token` is shown once."""
    created, token = create_integration(session, name=body.name, kind=body.kind, config=body.config, now=clock.now())
    return IntegrationCreated(**IntegrationPublic.model_validate(created).model_dump(), token=token)
