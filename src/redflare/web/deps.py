"""Request dependencies as `Annotated` aliases: the store session, the clock, the signed-in principal.

Browser requests carry an HTTP-only session cookie; a request that changes something must also send
the session's CSRF token in `X-CSRF-Token`. Scripts send `Authorization: Bearer <token>` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from redflare.domain.errors import NotFound
from redflare.domain.ports import Clock
from redflare.services.users import Principal, authenticate, needs_touch, touch
from redflare.web.state import AppServices

SESSION_COOKIE = "redflare_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def services(request: Request) -> AppServices:
    app_services: AppServices = request.app.state.services
    return app_services


ServicesDep = Annotated[AppServices, Depends(services)]


def db_session(request: Request, app: ServicesDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises.

    Reading requests (GET, HEAD) get a read-only transaction: on SQLite it takes no write lock, so
    concurrent readers never queue behind each other or behind a writer.
    """
    if request.method in ("GET", "HEAD"):
        with app.store.read() as session:
            yield session
    else:
        with app.store.transaction() as session:
            yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]  # commit before the response goes out


def clock(app: ServicesDep) -> Clock:
    return app.clock


ClockDep = Annotated[Clock, Depends(clock)]


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def current_principal(request: Request, session: SessionDep, now: ClockDep) -> Principal:
    # A GET's own transaction is read-only: a last-use stamp is a short write of its own. A change is already
    # writing: the stamp goes in the same transaction (a second writer would wait for this one).
    return _principal(request, session, now, stamp_apart=request.method in ("GET", "HEAD"))


def _principal(request: Request, session: Session, now: Clock, *, stamp_apart: bool) -> Principal:
    header = request.headers.get("Authorization", "")
    try:
        if header.lower().startswith("bearer "):
            return authenticate(session, secret=header[7:].strip(), kind="token", now=now.now())
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise _unauthorised("sign in, or send an API token")
        principal = authenticate(session, secret=cookie, kind="session", now=now.now())
    except NotFound as exc:
        raise _unauthorised(str(exc)) from None
    if principal.credential_id is not None and needs_touch(
        session, credential_id=principal.credential_id, now=now.now()
    ):
        if stamp_apart:
            with request.app.state.services.store.transaction() as write:
                touch(write, credential_id=principal.credential_id, now=now.now())
        else:
            touch(session, credential_id=principal.credential_id, now=now.now())
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != principal.csrf_token:
        raise HTTPException(403, "missing or wrong CSRF token")
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def editor(principal: CurrentUser) -> Principal:
    if not principal.role.can_edit:
        raise HTTPException(403, "viewers cannot change workflows")
    return principal


def admin(principal: CurrentUser) -> Principal:
    if not principal.role.can_administer:
        raise HTTPException(403, "only admins can do this")
    return principal


Editor = Annotated[Principal, Depends(editor)]
Admin = Annotated[Principal, Depends(admin)]


# For routes that do their own transactions (a run started in a thread, a message queued then the deliverer woken
# after the commit): the caller is authenticated in a short transaction that has ended before the route runs.


def signed_in_briefly(request: Request, app: ServicesDep) -> Principal:
    """The caller, from a reading transaction of its own (the last-use stamp, once a minute, a short write apart):
    on SQLite a writing one would queue every request behind the runs' writes."""
    with app.store.read() as session:
        return _principal(request, session, app.clock, stamp_apart=True)


def editing_briefly(principal: Annotated[Principal, Depends(signed_in_briefly)]) -> Principal:
    return editor(principal)


SignedIn = Annotated[Principal, Depends(signed_in_briefly)]
Editing = Annotated[Principal, Depends(editing_briefly)]
