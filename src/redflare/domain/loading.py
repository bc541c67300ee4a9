"""Reading workflow documents from JSON or YAML text, with every error named by its path."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from redflare.domain.errors import InvalidWorkflow, Issue
from redflare.domain.validation_messages import field_errors
from redflare.domain.workflow import WorkflowDocument


def format_loc(loc: Sequence[str | int]) -> str:
    """Pydantic's location tuple as a path: ("steps", 2, "config") → "steps[2].config"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def issues_from_validation_error(
    error: ValidationError,
    *,
    prefix: str = "",
    node: str | None = None,
    schema: Mapping[str, Any] | None = None,
    data: Any = None,
    owner: str | None = None,
) -> list[Issue]:
    """One issue per field, paths prefixed (e.g. with `steps[2].config`), each a sentence in the form's words.

    `schema` (the model's JSON Schema) gives the fields' titles, `data` the input that failed (to see which
    branch of a union was meant, and list items' names), `owner` names the top level ("step 'pick'")."""
    issues = []
    for found in field_errors(error.errors(), schema=schema, data=data, owner=owner):
        local = format_loc(found.loc)
        path = f"{prefix}.{local}" if prefix and local else (prefix or local)
        issues.append(Issue(path=path, message=found.sentence, node=node))
    return issues


@cache
def document_schema() -> dict[str, Any]:
    """The workflow document's JSON Schema: the titles its errors name fields by."""
    return WorkflowDocument.model_json_schema()


def parse_text(text: str, *, source: str = "<text>") -> Any:
    """JSON or YAML text to plain data (YAML is a superset of JSON, but JSON errors read better)."""
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InvalidWorkflow([Issue(path=f"{source}:{exc.lineno}", message=f"not valid JSON: {exc.msg}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InvalidWorkflow([Issue(path=where, message=f"not valid YAML: {exc}")]) from exc


def document_from_data(data: Any) -> WorkflowDocument:
    """Validate plain data as a workflow document; raises InvalidWorkflow listing every error."""
    if not isinstance(data, Mapping):
        raise InvalidWorkflow([Issue(path="", message="a workflow document must be a mapping")])
    try:
        return WorkflowDocument.model_validate(data)
    except ValidationError as exc:
        issues = issues_from_validation_error(exc, schema=document_schema(), data=data, owner="the workflow")
        steps = data.get("steps")
        named = []
        for issue in issues:
            named.append(Issue(issue.path, issue.message, _node_of(issue.path, steps)))
        raise InvalidWorkflow(named) from exc


def load_data(path: Path) -> Any:
    """Read a workflow file (.json, .yaml or .yml) as plain data, not yet checked as a document: a caller that
    checks it whole (services.workflows.checked_document) lists every issue at once, not only the parse's."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidWorkflow([Issue(path=str(path), message=f"cannot read: {exc.strerror}")]) from exc
    return parse_text(text, source=str(path))


def load_document(path: Path) -> WorkflowDocument:
    """Read a workflow file (.json, .yaml or .yml)."""
    return document_from_data(load_data(path))


def dump_document(document: WorkflowDocument) -> dict[str, Any]:
    """The document as plain JSON-able data, leaving out empty optional parts."""
    return document.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def _node_of(path: str, steps: Any) -> str | None:
    if path.startswith("trigger"):
        return "trigger"
    if path.startswith("steps[") and isinstance(steps, list):
        index = int(path[len("steps[") : path.index("]")])
        if index < len(steps) and isinstance(steps[index], Mapping) and isinstance(steps[index].get("id"), str):
            return str(steps[index]["id"])
    return None
