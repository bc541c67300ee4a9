"""Domain errors become RFC 9457 problem details here, and only here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException

from redflare.domain.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    InvalidWorkflow,
    Issue,
    NotFound,
    RedflareError,
)
from redflare.domain.loading import format_loc

PROBLEM = "application/problem+json"
STATUS: list[tuple[type[RedflareError], int, str]] = [
    (NotFound, 404, "Not found"),
    (Forbidden, 403, "Forbidden"),
    (InvalidWorkflow, 422, "The workflow has issues"),
    (InvalidInput, 422, "Invalid input"),
    (Conflict, 409, "Conflict"),
    (IllegalTransition, 409, "Not possible in this state"),
]


def problem(status: int, title: str, detail: str, issues: list[Issue] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    if issues:
        body["errors"] = [{"path": i.path, "message": i.message, "node": i.node} for i in issues]
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RedflareError)
    for kind, status, title in STATUS:
        if isinstance(exc, kind):
            issues = getattr(exc, "issues", None)
            return problem(status, title, str(exc).splitlines()[0] if issues else str(exc), issues)
    return problem(500, "Internal error", "the server could not complete the request")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = []
    for error in exc.errors():
        loc = [p for p in error["loc"] if not (isinstance(p, str) and p[:1].isupper())]
        issues.append(Issue(format_loc(loc), str(error["msg"]).removeprefix("Value error, ")))
    return problem(422, "Invalid request", f"{len(issues)} problem(s) in the request", issues)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = problem(exc.status_code, str(exc.detail), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _database_refused(request: Request, exc: Exception) -> JSONResponse:
    """Values the database cannot store (e.g. NUL in text on PostgreSQL) or that collide: the client's problem."""
    if isinstance(exc, IntegrityError):
        return problem(409, "Conflict", "this would duplicate or orphan stored data")
    return problem(422, "Invalid input", "a value in the request cannot be stored (e.g. a NUL character in text)")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RedflareError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DataError, _database_refused)
    app.add_exception_handler(IntegrityError, _database_refused)
