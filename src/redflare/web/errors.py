"""Domain errors become RFC 9457 problem details here, and only here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
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
from redflare.domain.validation_messages import field_errors

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
    issues = request_issues(exc.errors(), body=exc.body, body_schema=_body_schema(request))
    return problem(422, "Invalid request", f"{len(issues)} problem(s) in the request", issues)


def request_issues(
    errors: Sequence[Mapping[str, Any]], *, body: Any = None, body_schema: Mapping[str, Any] | None = None
) -> list[Issue]:
    """A request's validation errors as sentences; paths keep where in the request (`body.name`, `query.limit`)."""
    issues: list[Issue] = []
    by_part: dict[str | int, list[Mapping[str, Any]]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        by_part.setdefault(loc[0] if loc else "", []).append({**error, "loc": loc[1:]})
    for part, found in by_part.items():
        in_body = part == "body"
        for item in field_errors(
            found, schema=body_schema if in_body else None, data=body if in_body else None, owner="the request"
        ):
            issues.append(Issue(format_loc((part, *item.loc)) if part != "" else format_loc(item.loc), item.sentence))
    return issues


def _body_schema(request: Request) -> dict[str, Any] | None:
    """The JSON Schema of the route's body model, for its fields' titles (None: names humanized instead)."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    annotation = getattr(getattr(body_field, "field_info", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_json_schema()
    return None


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
