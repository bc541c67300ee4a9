"""Repository of pipelines and their versions; seeds the pipelines the product ships."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Pipeline, PipelineVersion
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.errors import NotFound


def get_pipeline(session: Session, name: str) -> tuple[int, PipelineDefinition]:
    """The current version of a pipeline with its row id."""
    row = session.execute(
        select(Pipeline.id, PipelineVersion.definition)
        .join(
            PipelineVersion,
            (PipelineVersion.pipeline_id == Pipeline.id) & (PipelineVersion.number == Pipeline.current_version),
        )
        .where(Pipeline.name == name, Pipeline.archived.is_(False))
    ).first()
    if row is None:
        raise NotFound(f"no pipeline {name!r}")
    return row[0], PipelineDefinition.model_validate(row[1])


def pipeline_criteria(session: Session) -> dict[str, list[str]]:
    """Every live pipeline's name → its current criterion names (what validation needs)."""
    rows = session.execute(
        select(Pipeline.name, PipelineVersion.definition)
        .join(
            PipelineVersion,
            (PipelineVersion.pipeline_id == Pipeline.id) & (PipelineVersion.number == Pipeline.current_version),
        )
        .where(Pipeline.archived.is_(False))
    )
    return {name: PipelineDefinition.model_validate(definition).criterion_names for name, definition in rows}


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
    _, current = get_pipeline(session, definition.name)
    if current.model_copy(update={"version": 0}) == definition.model_copy(update={"version": 0}):
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


def seed_pipelines(session: Session, pipelines: Mapping[str, PipelineDefinition], *, now: datetime) -> None:
    """Make sure the shipped pipelines exist (never overwrites one a user has edited since)."""
    existing = set(session.scalars(select(Pipeline.name)))
    for name, definition in pipelines.items():
        if name not in existing:
            save_pipeline(session, definition, now=now)
