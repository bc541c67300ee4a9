"""Repository of exports: the files Schedule Export steps stored, by run and step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Export, Run
from redflare.domain.delivery import ExportRecord
from redflare.domain.errors import NotFound


def replace_step_exports(
    session: Session, *, run_id: str, workflow_id: str, step_id: str, records: Sequence[ExportRecord], now: datetime
) -> list[str]:
    """Record a step's exports, dropping those an earlier attempt of it (a re-run) recorded.

    Answers the storage keys of the dropped ones, for the caller to delete once this transaction commits.
    """
    old = list(session.scalars(select(Export).where(Export.run_id == run_id, Export.step_id == step_id)))
    gone = [row.key for row in old]
    if old:
        session.execute(
            delete(Export).where(Export.id.in_([row.id for row in old])),
            execution_options={"synchronize_session": False},
        )
    session.add_all(
        Export(
            id=record.id,
            run_id=run_id,
            workflow_id=workflow_id,
            step_id=step_id,
            name=record.name,
            file_type=record.file_type,
            key=record.key,
            columns=list(record.columns),
            rows=record.rows,
            bytes=record.size,
            created_at=now,
        )
        for record in records
    )
    session.flush()
    return gone


def exports_of_run(session: Session, run_id: str) -> list[Export]:
    return list(session.scalars(select(Export).where(Export.run_id == run_id).order_by(Export.created_at, Export.id)))


def get_export(session: Session, export_id: str) -> tuple[Export, Run]:
    row = session.execute(select(Export, Run).join(Run, Run.id == Export.run_id).where(Export.id == export_id)).first()
    if row is None:
        raise NotFound(f"no export {export_id!r}")
    return row[0], row[1]


def export_keys_of_workflow(session: Session, workflow_id: str) -> list[str]:
    return list(session.scalars(select(Export.key).where(Export.workflow_id == workflow_id)))
