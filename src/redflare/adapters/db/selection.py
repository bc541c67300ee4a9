"""Conversations out of the store: Select Conversations' query (conditions pushed down) and stored results. A
stored row as the domain's `Conversation` (`conversation_of`) and whole conversations for analysis are
`loading.py`'s, the module the analysis workers import."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Select,
    String,
    Text,
    and_,
    any_,
    exists,
    false,
    func,
    select,
    type_coerce,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from redflare.adapters.db.conditions import to_sql
from redflare.adapters.db.loading import ID_CHUNK as ID_CHUNK  # defined with loading (the workers' module)
from redflare.adapters.db.loading import conversation_of as conversation_of
from redflare.adapters.db.orm import AnalysisResult, Integration
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.pipelines import get_pipeline
from redflare.analysis.pipeline import PipelineDefinition
from redflare.domain.access import AccessRules
from redflare.domain.columns import BASE_COLUMNS
from redflare.domain.conditions import referenced_fields
from redflare.sets.conditions import to_polars
from redflare.sets.frames import columns_of, empty_set, schema_of
from redflare.sets.results import results_frame
from redflare.steps.context import Selection


def in_ids(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], ids: Sequence[str], dialect: str
) -> ColumnElement[bool]:
    """`column IN ids` with the ids bound as one value: a JSON array SQLite's json_each reads, a PostgreSQL array.

    SQLAlchemy renders an IN list value by value (its "expanding" parameters, in Python): for the 100,000 ids of a
    large run that cost more than the look-ups themselves."""
    if dialect == "postgresql":
        return column == any_(sql_cast(list(ids), ARRAY(String)))
    return column.in_(select(func.json_each(json.dumps(list(ids))).table_valued("value").c.value))


def driver_rows(connection: Connection, statement: Select[Any]) -> list[Any]:
    """The statement's rows as the driver's cursor hands them over: SQLAlchemy writes and binds the statement, but
    makes no `Row` of each (100,000 selected rows: about 0.4 s of CPU). Only for columns whose type processes no
    result value, as `_as_read`'s and plain ones: the values are the driver's own."""
    result = connection.execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def driver_in_ids(ids: Sequence[str], dialect: str) -> tuple[str, Any]:
    """`in_ids` for SQL written by hand and run on the driver's cursor: the condition after a column (positional
    parameter style, as sqlite3 and psycopg take a tuple) and the one value to bind."""
    if dialect == "postgresql":
        return "= ANY(%s)", list(ids)
    return "IN (SELECT value FROM json_each(?))", json.dumps(list(ids))


# A start time as `_as_read` reads it (SQLite's stored text, PostgreSQL's to_char); the fraction may be absent.
UTC_TEXT = "%Y-%m-%d %H:%M:%S%.f"


def _base_columns() -> dict[str, ColumnElement[Any]]:
    attributes: dict[str, Any] = {
        "id": ConversationRow.id,
        "integration": Integration.name,
        "channel": ConversationRow.channel,
        "started_at": ConversationRow.started_at,
        "duration_s": ConversationRow.duration_s,
        "agent": ConversationRow.agent,
        "team": ConversationRow.team,
        "queue": ConversationRow.queue,
        "tags": ConversationRow.tags,
        "outcome": ConversationRow.outcome,
        "language": ConversationRow.language,
    }
    return {name: attribute.expression for name, attribute in attributes.items()}


def _as_read(columns: dict[str, ColumnElement[Any]], dialect: str) -> dict[str, ColumnElement[Any]]:
    """The columns as the select reads them: the start time as UTC text and the tags as JSON text, so no
    per-row decoding happens in Python (SQLAlchemy's types, the driver's); `_frame_of` decodes whole columns."""
    started_at = columns["started_at"]
    return {
        **columns,
        "started_at": (
            func.to_char(func.timezone("UTC", started_at), "YYYY-MM-DD HH24:MI:SS.US")
            if dialect == "postgresql"
            else type_coerce(started_at, String)  # SQLite keeps it as UTC text already (types.UtcDateTime)
        ),
        "tags": sql_cast(columns["tags"], Text),
    }


def _frame_of(rows: Sequence[Sequence[Any]]) -> pl.DataFrame:
    """Selected rows (as `_as_read` reads them) as a set with exactly the base columns' schema.

    Polars takes the rows in one call, the start time and the tags as text, and decodes those two columns
    whole: no Python work per value."""
    if not rows:
        return empty_set()
    schema = schema_of(BASE_COLUMNS)
    as_read = {name: pl.String() if name in ("started_at", "tags") else dtype for name, dtype in schema.items()}
    return pl.DataFrame(rows, schema=as_read, orient="row").with_columns(
        pl.col("started_at").str.to_datetime(UTC_TEXT, time_unit="us", time_zone="UTC"),
        pl.col("tags").str.json_decode(schema["tags"]),
    )


def access_clause(rules: AccessRules) -> ColumnElement[bool] | None:
    """The creator's data-access rules as a WHERE clause (None: sees everything)."""
    clauses: list[ColumnElement[bool]] = []
    for values, column in (
        (rules.integrations, Integration.name),
        (rules.teams, ConversationRow.team),
        (rules.agents, ConversationRow.agent),
    ):
        if values is not None:
            clauses.append(column.in_(sorted(values)) if values else false())
    return and_(*clauses) if clauses else None


class SqlConversationSource:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def select(self, selection: Selection) -> pl.DataFrame:
        with self._sessions() as session:
            return self._select(session, selection)

    def _select(self, session: Session, selection: Selection) -> pl.DataFrame:
        columns = _base_columns()
        dialect = session.get_bind().dialect.name
        query = select(*(c.label(name) for name, c in _as_read(columns, dialect).items())).join(
            Integration, Integration.id == ConversationRow.integration_id
        )
        where: list[ColumnElement[bool]] = []
        if selection.integration is not None:
            where.append(Integration.name == selection.integration)
        access = access_clause(selection.access)
        if access is not None:
            where.append(access)
        pipeline: tuple[int, PipelineDefinition] | None = None
        if selection.pipeline is not None:
            pipeline = get_pipeline(session, selection.pipeline)
        if selection.state != "all" and pipeline is not None:
            done = exists().where(
                AnalysisResult.conversation_id == ConversationRow.id,
                AnalysisResult.pipeline_id == pipeline[0],
                *_of_version(selection, pipeline[1]),
            )
            where.append(done if selection.state == "processed" else ~done)
        # Conditions on base columns run in the database; ones on analysis columns run after the join.
        in_sql = selection.condition is not None and referenced_fields(selection.condition) <= set(BASE_COLUMNS)
        if in_sql and selection.condition is not None:
            where.append(to_sql(selection.condition, columns, BASE_COLUMNS, dialect))
        if where:
            query = query.where(and_(*where))
        late_filter = selection.condition is not None and not in_sql
        limited = selection.limit is not None and selection.order != "random" and not late_filter
        # With no LIMIT to serve, SQLite reads rows in table order and the frame is sorted instead: walking
        # the started_at index fetches each row out of order (100k rows: ~0.45 s against ~0.27 s in table
        # order, and the frame's sort takes well under 0.1 s). The order is the same: SQLite compares text by
        # code point, as polars does. PostgreSQL keeps ordering in SQL (its collation decides ties by id).
        order_in_frame = dialect == "sqlite" and not limited and selection.conversation_ids is None
        if not order_in_frame:
            query = query.order_by(*_sql_order(selection.order))
        if limited:
            query = query.limit(selection.limit)

        connection = session.connection()
        if selection.conversation_ids is not None:
            rows: list[Any] = []
            wanted = list(dict.fromkeys(selection.conversation_ids))
            for start in range(0, len(wanted), ID_CHUNK):
                chunk = wanted[start : start + ID_CHUNK]
                rows.extend(driver_rows(connection, query.where(ConversationRow.id.in_(chunk))))
        else:
            rows = driver_rows(connection, query)
        frame = _frame_of(rows)
        if order_in_frame or (selection.conversation_ids is not None and selection.order != "random"):
            frame = _frame_order(frame, selection.order)
        if selection.with_analysis and pipeline is not None:
            results = load_results(session, frame["id"].to_list(), *pipeline, any_version=selection.any_version)
            frame = frame.join(results, on="id", how="left")
        if late_filter and selection.condition is not None:
            frame = frame.filter(to_polars(selection.condition, columns_of(frame)))
        if selection.order == "random":
            order = list(range(frame.height))
            random.Random(selection.seed).shuffle(order)
            frame = frame[order]
        if selection.limit is not None:
            frame = frame.head(selection.limit)
        return frame


def _sql_order(order: str) -> list[ColumnElement[Any] | InstrumentedAttribute[Any]]:
    if order == "newest":
        return [ConversationRow.started_at.desc().nulls_last(), ConversationRow.id]
    if order == "oldest":
        return [ConversationRow.started_at.asc().nulls_last(), ConversationRow.id]
    return [ConversationRow.id]  # random: a fixed order for the seeded shuffle to start from


def _frame_order(frame: pl.DataFrame, order: str) -> pl.DataFrame:
    """The frame in `_sql_order`'s order."""
    if order == "random":
        return frame.sort("id")
    return frame.sort(["started_at", "id"], descending=[order == "newest", False], nulls_last=True)


def _of_version(selection: Selection, current: PipelineDefinition) -> list[ColumnElement[bool]]:
    """Which stored results count as "processed": the asked version's (default: the current one's), or any."""
    if selection.any_version:
        return []
    wanted = selection.pipeline_version
    return [AnalysisResult.pipeline_version == (current.version if wanted is None else wanted)]


def load_results(
    session: Session,
    ids: Sequence[str],
    pipeline_id: int,
    definition: PipelineDefinition,
    *,
    any_version: bool = False,
) -> pl.DataFrame:
    """Stored results of one pipeline version for these conversations, as set columns.

    `any_version`: each conversation's result from the newest version that has one (columns by `definition`).
    """
    records: list[Any] = []
    for start in range(0, len(ids), ID_CHUNK):
        chunk = list(ids[start : start + ID_CHUNK])
        records.extend(
            session.execute(
                select(
                    AnalysisResult.conversation_id,
                    AnalysisResult.score,
                    AnalysisResult.sentiment,
                    AnalysisResult.sentiment_label,
                    AnalysisResult.credits,
                    AnalysisResult.talk_ratio,
                    AnalysisResult.turns,
                    AnalysisResult.silence_s,
                    AnalysisResult.criteria,
                    AnalysisResult.longest_silence_s,
                    AnalysisResult.interruptions,
                    AnalysisResult.agent_response_s,
                )
                .where(
                    AnalysisResult.pipeline_id == pipeline_id,
                    *([] if any_version else [AnalysisResult.pipeline_version == definition.version]),
                    in_ids(AnalysisResult.conversation_id, chunk, session.get_bind().dialect.name),
                )
                .order_by(AnalysisResult.conversation_id, AnalysisResult.pipeline_version.desc())
            ).all()
        )
    if any_version:  # newest version first per conversation: keep that one
        records = list({record[0]: record for record in reversed(records)}.values())
    return results_frame(records, definition.name, definition.criterion_names)
