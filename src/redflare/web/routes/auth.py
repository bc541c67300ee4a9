"""Signing in and out (browser sessions) and personal API tokens (scripts)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.exceptions import HTTPException

from redflare.adapters.db.orm import Credential, User
from redflare.domain.errors import NotFound
from redflare.services.users import SESSION_TTL, TOKEN_TTL, check_password, issue_credential, revoke_credential
from redflare.web.deps import SESSION_COOKIE, ClockDep, CurrentUser, SessionDep

router = APIRouter(tags=["auth"])


class LoginRequest(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class UserPublic(BaseModel):
    id: str
    email: str
    role: str
    integrations: list[str] | None
    teams: list[str] | None
    agents: list[str] | None
    csrf_token: str | None = None


class TokenCreate(BaseModel):
    name: str = Field(default="API token", min_length=1, max_length=200)
    expires_in_days: int = Field(default=TOKEN_TTL.days, ge=1, le=3650)


class TokenPublic(BaseModel):
    id: str
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="The secret: shown once, never again.")


def user_public(user: User, csrf_token: str | None = None) -> UserPublic:
    return UserPublic(
        id=user.id,
        email=user.email,
        role=user.role,
        integrations=user.integrations,
        teams=user.teams,
        agents=user.agents,
        csrf_token=csrf_token,
    )


@router.post("/auth/login", responses={401: {"description": "Wrong email or password"}})
def login(body: LoginRequest, response: Response, session: SessionDep, clock: ClockDep) -> UserPublic:
    """Sign in: sets an HTTP-only session cookie; send the answer's `csrf_token` as X-CSRF-Token on changes."""
    try:
        user = check_password(session, email=body.email, password=body.password)
    except NotFound as exc:
        raise HTTPException(401, str(exc)) from None
    credential, secret = issue_credential(session, user=user, kind="session", now=clock.now(), ttl=SESSION_TTL)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/",
    )
    return user_public(user, credential.csrf_token)


@router.post("/auth/logout", status_code=204)
def logout(principal: CurrentUser, response: Response, session: SessionDep, clock: ClockDep) -> None:
    """Sign out: the session is revoked, not just forgotten by the browser."""
    if principal.credential_id is not None:
        revoke_credential(session, credential_id=principal.credential_id, user_id=principal.user_id, now=clock.now())
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me")
def me(principal: CurrentUser, session: SessionDep) -> UserPublic:
    user = session.get(User, principal.user_id)
    assert user is not None
    return user_public(user, principal.csrf_token)


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, principal: CurrentUser, session: SessionDep, clock: ClockDep) -> TokenCreated:
    """A personal API token for scripts (`Authorization: Bearer …`), acting as you with your rules."""
    user = session.get(User, principal.user_id)
    assert user is not None
    credential, secret = issue_credential(
        session, user=user, kind="token", now=clock.now(), ttl=timedelta(days=body.expires_in_days), name=body.name
    )
    return TokenCreated(**_token(credential).model_dump(), token=secret)


@router.get("/tokens")
def list_tokens(principal: CurrentUser, session: SessionDep) -> list[TokenPublic]:
    rows = session.scalars(
        select(Credential)
        .where(Credential.user_id == principal.user_id, Credential.kind == "token")
        .order_by(Credential.created_at.desc())
    )
    return [_token(c) for c in rows]


@router.delete("/tokens/{token_id}", status_code=204, responses={404: {"description": "No such token of yours"}})
def revoke_token(token_id: str, principal: CurrentUser, session: SessionDep, clock: ClockDep) -> None:
    revoke_credential(session, credential_id=token_id, user_id=principal.user_id, now=clock.now())


def _token(credential: Credential) -> TokenPublic:
    return TokenPublic(
        id=credential.id,
        name=credential.name,
        created_at=credential.created_at,
        expires_at=credential.expires_at,
        revoked_at=credential.revoked_at,
        last_used_at=credential.last_used_at,
    )
