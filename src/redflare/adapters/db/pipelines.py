"""Repository of pipelines and their versions; seeds the pipelines the product ships.

Contract:
- A pipeline is a name, a current version number and an archived flag; each version keeps its whole
  definition (with its own `version` number) and when it was made. Versions are never changed or removed.
- `get_pipeline` is what runs and Final checks use: the current version of a pipeline that is not
  archived (an archived one is NotFound there, as if it no longer existed). `find_pipeline` and
  `pipeline_version` answer archived ones too: the pipelines API shows and restores them.
- `save_pipeline` stores a definition as version 1 of a new pipeline, or as version n+1 of an existing
  one (archived or not) when it differs from the current version other than by its number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Pipeline, PipelineVersion, table_of
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.errors import NotFound


@dataclass(frozen=True)
class StoredPipeline:
    """A pipeline row with its current version's definition."""

    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime  # when the current version was made
    definition: PipelineDefinition


@dataclass(frozen=True)
class VersionEntry:
    number: int
    created_at: datetime


def _current() -> ColumnElement[bool]:
    return (PipelineVersion.pipeline_id == Pipeline.id) & (PipelineVersion.number == Pipeline.current_version)


# Every Final check reads it: built once, over the tables (no ORM entities to compile against).
_PIPELINES = table_of(Pipeline)
_VERSIONS = table_of(PipelineVersion)
_LIVE_DEFINITIONS = (
    select(_PIPELINES.c.name, cast(_VERSIONS.c.definition, Text))
    .join_from(
        _PIPELINES,
        _VERSIONS,
        (_VERSIONS.c.pipeline_id == _PIPELINES.c.id) & (_VERSIONS.c.number == _PIPELINES.c.current_version),
    )
    .where(_PIPELINES.c.archived.is_(False))
)


def get_pipeline(session: Session, name: str) -> tuple[int, PipelineDefinition]:
    """The current version of a pipeline with its row id (NotFound when missing or archived)."""
    row = session.execute(
        select(Pipeline.id, PipelineVersion.definition)
        .join(PipelineVersion, _current())
        .where(Pipeline.name == name, Pipeline.archived.is_(False))
    ).first()
    if row is None:
        raise NotFound(f"no pipeline {name!r}")
    return row[0], PipelineDefinition.model_validate(row[1])


def find_pipeline(session: Session, name: str) -> StoredPipeline:
    """A pipeline, archived or not, at its current version."""
    found = _stored(session, name=name, archived=True)
    if not found:
        raise NotFound(f"no pipeline {name!r}")
    return found[0]


def all_pipelines(session: Session, *, archived: bool = False) -> list[StoredPipeline]:
    """Every pipeline at its current version, by name; archived ones only when asked."""
    return _stored(session, name=None, archived=archived)


def _stored(session: Session, *, name: str | None, archived: bool) -> list[StoredPipeline]:
    query = (
        select(
            Pipeline.id, Pipeline.archived, Pipeline.created_at, PipelineVersion.created_at, PipelineVersion.definition
        )
        .join(PipelineVersion, _current())
        .order_by(Pipeline.name)
    )
    if name is not None:
        query = query.where(Pipeline.name == name)
    if not archived:
        query = query.where(Pipeline.archived.is_(False))
    return [
        StoredPipeline(
            id=row[0],
            archived=bool(row[1]),
            created_at=row[2],
            updated_at=row[3],
            definition=PipelineDefinition.model_validate(row[4]),
        )
        for row in session.execute(query)
    ]


def pipeline_versions(session: Session, pipeline_id: int) -> list[VersionEntry]:
    """A pipeline's versions, oldest first."""
    rows = session.execute(
        select(PipelineVersion.number, PipelineVersion.created_at)
        .where(PipelineVersion.pipeline_id == pipeline_id)
        .order_by(PipelineVersion.number)
    )
    return [VersionEntry(number=number, created_at=created_at) for number, created_at in rows]


def pipeline_version(session: Session, name: str, number: int) -> tuple[VersionEntry, PipelineDefinition]:
    """One version of a pipeline, archived or not."""
    row = session.execute(
        select(PipelineVersion.created_at, PipelineVersion.definition)
        .join(Pipeline, Pipeline.id == PipelineVersion.pipeline_id)
        .where(Pipeline.name == name, PipelineVersion.number == number)
    ).first()
    if row is None:
        raise NotFound(f"pipeline {name!r} has no version {number}")
    return VersionEntry(number=number, created_at=row[0]), PipelineDefinition.model_validate(row[1])


def set_archived(session: Session, name: str, archived: bool) -> bool:
    """Archive or restore a pipeline; answers whether that changed anything."""
    pipeline = session.scalar(select(Pipeline).where(Pipeline.name == name))
    if pipeline is None:
        raise NotFound(f"no pipeline {name!r}")
    if pipeline.archived == archived:
        return False
    pipeline.archived = archived
    session.flush()
    return True


def pipeline_criteria(session: Session) -> dict[str, list[str]]:
    """Every live pipeline's name → its current criterion names (what validation needs)."""
    return {name: list(_criterion_names(definition)) for name, definition in session.execute(_LIVE_DEFINITIONS)}


@lru_cache(maxsize=1024)
def _criterion_names(definition: str) -> tuple[str, ...]:
    # Every Final check and every run of a draft asks this of every pipeline: a version's text never changes, so
    # its criteria are read once per process (keyed by the text itself: right for any database).
    return tuple(PipelineDefinition.model_validate_json(definition).criterion_names)


def save_pipeline(session: Session, definition: PipelineDefinition, *, now: datetime) -> PipelineDefinition:
    """Store a pipeline, as a new version when it exists and its definition changed. Returns what is current."""
    pipeline = session.scalar(select(Pipeline).where(Pipeline.name == definition.name))
    if pipeline is None:
        pipeline = Pipeline(name=definition.name, current_version=1, archived=False, created_at=now)
        session.add(pipeline)
        session.flush()
        stored = definition.model_copy(update={"version": 1})
        session.add(
            PipelineVersion(
                pipeline_id=pipeline.id, number=1, definition=stored.model_dump(mode="json"), created_at=now
            )
        )
        session.flush()
        return stored
    current = find_pipeline(session, definition.name).definition
    if same_definition(current, definition):
        return current
    number = pipeline.current_version + 1
    stored = definition.model_copy(update={"version": number})
    session.add(
        PipelineVersion(
            pipeline_id=pipeline.id, number=number, definition=stored.model_dump(mode="json"), created_at=now
        )
    )
    pipeline.current_version = number
    session.flush()
    return stored


def same_definition(a: PipelineDefinition, b: PipelineDefinition) -> bool:
    """Equal but for the version number (prices compare as numbers: 1 and 1.0 are one price)."""
    return a.model_copy(update={"version": 0}) == b.model_copy(update={"version": 0})


def seed_pipelines(session: Session, pipelines: Mapping[str, PipelineDefinition], *, now: datetime) -> None:
    """Make sure the shipped pipelines exist (never overwrites one a user has edited since)."""
    existing = set(session.scalars(select(Pipeline.name)))
    for name, definition in pipelines.items():
        if name not in existing:
            save_pipeline(session, definition, now=now)
