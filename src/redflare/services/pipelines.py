"""Pipelines as data: list, show, create, edit (a new version when changed), archive and restore.

Contract:
- A definition comes in as plain data (a PipelineDefinition; its version, and the other fields only
  the API answers — archived, criteria, created_at … — are ignored: the server numbers versions).
  Every problem is an InvalidInput issue with its path (`scorecard[1].phrases`), and nothing is
  stored then. Beyond the model's own rules: criterion names are unique, the negative threshold is
  not above the positive one, a duration range's minimum is not above its maximum.
- Create makes version 1 (Conflict when the name exists, archived or not). Edit makes version n+1 and
  sets it current only when the definition changed; the body's name must be the pipeline's.
- Archived pipelines are listed only when asked, can be shown, edited and restored, but runs and
  Final checks treat them as pipelines that no longer exist (adapters.db.pipelines.get_pipeline).
- Create, edit (when it made a version) and archive/restore are recorded in the audit log
  (no workflow id; `detail.pipeline` names it); a version's `created_by` is read back from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import AuditEntry
from redflare.adapters.db.pipelines import (
    StoredPipeline,
    all_pipelines,
    find_pipeline,
    pipeline_version,
    pipeline_versions,
    same_definition,
    save_pipeline,
    set_archived,
)
from redflare.analysis.pipeline import DurationRange, PipelineDefinition
from redflare.domain.errors import Conflict, InvalidInput, Issue, NotFound
from redflare.domain.loading import format_loc
from redflare.domain.validation_messages import field_errors
from redflare.services import audit
from redflare.services.pipeline_usage import check_archivable, check_reprice, pause_users
from redflare.services.users import Principal

NAME_MAX = 100  # the pipelines.name column
CREATED = "pipeline_create"
EDITED = "pipeline_edit"
ARCHIVED = "pipeline_archive"
RESTORED = "pipeline_unarchive"
ANSWER_ONLY = frozenset({"version", "archived", "criteria", "created_at", "updated_at", "versions", "changed"})


@dataclass(frozen=True)
class PipelineSummary:
    """A pipeline at one version: its whole definition, flattened for the API."""

    name: str
    version: int
    description: str
    archived: bool
    stages: dict[str, bool]
    sentiment: dict[str, float]
    scorecard: list[dict[str, Any]]
    prices: dict[str, Decimal]
    criteria: list[str]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class VersionInfo:
    number: int
    created_at: datetime
    created_by: str | None  # the editor's email; None for shipped versions and ones made before auditing


@dataclass(frozen=True)
class PipelineDetail(PipelineSummary):
    versions: list[VersionInfo]


def list_pipelines(session: Session, *, archived: bool = False) -> list[PipelineSummary]:
    """Every pipeline at its current version, by name (archived ones too when `archived`)."""
    return [_summary(stored) for stored in all_pipelines(session, archived=archived)]


def pipeline_detail(session: Session, name: str) -> PipelineDetail:
    """A pipeline's current version and the list of all its versions."""
    stored = find_pipeline(session, name)
    authors = _authors(session, name)
    versions = [
        VersionInfo(number=v.number, created_at=v.created_at, created_by=authors.get(v.number))
        for v in pipeline_versions(session, stored.id)
    ]
    return PipelineDetail(**vars(_summary(stored)), versions=versions)


def version_detail(session: Session, name: str, number: int) -> PipelineSummary:
    """One version of a pipeline as it was made (`archived` is the pipeline's flag today)."""
    stored = find_pipeline(session, name)
    entry, definition = pipeline_version(session, name, number)
    return _summary(stored, definition=definition, updated_at=entry.created_at)


def create_pipeline(session: Session, *, principal: Principal, data: Any, now: datetime) -> PipelineDetail:
    definition = parse_definition(data)
    try:
        find_pipeline(session, definition.name)
    except NotFound:
        pass
    else:
        raise Conflict(f"a pipeline {definition.name!r} already exists")
    save_pipeline(session, definition, now=now)
    _record(session, principal, CREATED, definition.name, 1, now)
    return pipeline_detail(session, definition.name)


def update_pipeline(
    session: Session, *, principal: Principal, name: str, data: Any, now: datetime, confirm: bool = False
) -> tuple[PipelineDetail, bool]:
    """Store an edited definition; answers the pipeline and whether a new version was made.

    New prices for a pipeline live workflows use are refused (PipelineInUse, naming them) unless `confirm`."""
    current = find_pipeline(session, name).definition
    if isinstance(data, Mapping) and "name" not in data:
        data = {**data, "name": name}
    definition = parse_definition(data)
    if definition.name != name:
        raise InvalidInput(
            "the name cannot change", [Issue("name", f"this is pipeline {name!r}; create a new pipeline to rename")]
        )
    changed = not same_definition(current, definition)
    if changed and definition.prices != current.prices:
        check_reprice(session, principal, name, confirm=confirm)
    if changed:
        stored = save_pipeline(session, definition, now=now)
        _record(session, principal, EDITED, name, stored.version, now)
    return pipeline_detail(session, name), changed


def set_pipeline_archived(
    session: Session, *, principal: Principal, name: str, archived: bool, now: datetime, confirm: bool = False
) -> PipelineDetail:
    """Archive (runs and Final checks then see no such pipeline) or restore; doing it twice changes nothing.

    Archiving a pipeline that live workflows use is refused (PipelineInUse, naming them) unless `confirm`; then
    each of them is paused with the reason, in the same transaction."""
    users = check_archivable(session, principal, name, confirm=confirm) if archived else []
    if set_archived(session, name, archived):
        _record(session, principal, ARCHIVED if archived else RESTORED, name, None, now)
        pause_users(session, principal=principal, pipeline=name, uses=users, now=now)
    return pipeline_detail(session, name)


def parse_definition(data: Any) -> PipelineDefinition:
    """Plain data → a definition, or InvalidInput listing every problem with its path."""
    if not isinstance(data, Mapping):
        raise InvalidInput("a pipeline definition is an object", [Issue("", "send a JSON object")])
    # What the API answers beside the definition is ignored, so a client may send back what it read
    # (the server numbers versions).
    fields = {key: value for key, value in data.items() if key not in ANSWER_ONLY}
    try:
        definition = PipelineDefinition.model_validate(fields)
    except ValidationError as exc:
        issues = _issues_of(exc, fields)
        raise InvalidInput(f"the pipeline has {len(issues)} issue(s)", issues) from None
    issues = _semantic_issues(definition)
    if issues:
        raise InvalidInput(f"the pipeline has {len(issues)} issue(s)", issues)
    return definition


def _issues_of(error: ValidationError, data: Mapping[str, Any]) -> list[Issue]:
    """Pydantic's errors as sentences with document paths (a criterion named by its title, the kind it is tagged
    with dropped from the path: `scorecard[0].phrases`)."""
    found = field_errors(error.errors(), schema=_definition_schema(), data=data, owner="the pipeline")
    return [Issue(format_loc(item.loc), item.sentence) for item in found]


@cache
def _definition_schema() -> dict[str, Any]:
    return PipelineDefinition.model_json_schema()


def _criterion(title: str | None, name: str) -> str:
    """A criterion as sentences name it: by its title, as the scorecard editor shows it."""
    return f"Criterion '{title or name}'"


def _semantic_issues(definition: PipelineDefinition) -> list[Issue]:
    issues: list[Issue] = []
    if len(definition.name) > NAME_MAX:
        issues.append(Issue("name", f"Name takes at most {NAME_MAX} characters."))
    seen: set[str] = set()
    for index, criterion in enumerate(definition.scorecard):
        if criterion.name in seen:
            issues.append(
                Issue(
                    f"scorecard[{index}].name",
                    f"{_criterion(criterion.title, criterion.name)}: another criterion is already named "
                    f"{criterion.name!r}.",
                )
            )
        seen.add(criterion.name)
        if (
            isinstance(criterion, DurationRange)
            and criterion.min_s is not None
            and criterion.max_s is not None
            and criterion.min_s > criterion.max_s
        ):
            issues.append(
                Issue(
                    f"scorecard[{index}].max_s",
                    f"{_criterion(criterion.title, criterion.name)}: the maximum is below the minimum.",
                )
            )
    if definition.sentiment.negative_below > definition.sentiment.positive_above:
        issues.append(Issue("sentiment.positive_above", "Positive above must not be below Negative below."))
    return issues


def _summary(
    stored: StoredPipeline, *, definition: PipelineDefinition | None = None, updated_at: datetime | None = None
) -> PipelineSummary:
    shown = definition or stored.definition
    return PipelineSummary(
        name=shown.name,
        version=shown.version,
        description=shown.description,
        archived=stored.archived,
        stages=shown.stages.model_dump(),
        sentiment=shown.sentiment.model_dump(),
        scorecard=[criterion.model_dump(mode="json") for criterion in shown.scorecard],
        prices=shown.prices.model_dump(),
        criteria=shown.criterion_names,
        created_at=stored.created_at,
        updated_at=updated_at or stored.updated_at,
    )


def _record(session: Session, principal: Principal, action: str, name: str, version: int | None, now: datetime) -> None:
    detail: dict[str, Any] = {"pipeline": name}
    if version is not None:
        detail["version"] = version
    audit.record(session, principal=principal, action=action, workflow_id=None, detail=detail, now=now)


def _authors(session: Session, name: str) -> dict[int, str]:
    """Version number → who made it, from the audit log (few entries: pipelines change rarely)."""
    rows = session.execute(
        select(AuditEntry.detail, AuditEntry.user_email).where(
            AuditEntry.action.in_((CREATED, EDITED)), AuditEntry.workflow_id.is_(None)
        )
    )
    authors: dict[int, str] = {}
    for detail, email in rows:
        version = (detail or {}).get("version")
        if (detail or {}).get("pipeline") == name and isinstance(version, int) and email:
            authors[version] = email
    return authors
