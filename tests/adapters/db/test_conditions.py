"""The SQL compiler of conditions answers as the polars one does, row for row, on SQLite and PostgreSQL.

PostgreSQL runs when REDFLARE_TEST_POSTGRES_URL is set; each test owns a uniquely named temporary
table on one connection, and each example works inside a savepoint that is rolled back after it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from redflare.adapters.db.conditions import to_sql
from redflare.adapters.db.types import JsonType, UtcDateTime
from redflare.domain.conditions import ColumnKind, Group
from redflare.domain.errors import InvalidInput
from redflare.sets.conditions import to_polars
from redflare.sets.frames import schema_of
from tests.strategies import CONDITION_COLUMNS, WHOLE_NUMBER_COLUMNS, ConditionCase, Row, condition_cases

POSTGRES_URL = os.environ.get("REDFLARE_TEST_POSTGRES_URL")
BACKENDS = [
    pytest.param("sqlite://", id="sqlite"),
    pytest.param(
        POSTGRES_URL,
        id="postgresql",
        marks=pytest.mark.skipif(POSTGRES_URL is None, reason="REDFLARE_TEST_POSTGRES_URL is not set"),
    ),
]
TEXT_COLUMNS = {name: kind for name, kind in CONDITION_COLUMNS.items() if kind is ColumnKind.TEXT}
FRAME_SCHEMA = schema_of({"id": ColumnKind.NUMBER, **CONDITION_COLUMNS})


def _table(name: str) -> sa.Table:
    """The storage conventions of the store: UTC date-times, tags as a JSON(B) array."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("agent", sa.String),
        sa.Column("team", sa.String),
        sa.Column("score", sa.Float),
        sa.Column("turns", sa.Integer),
        sa.Column("greeting", sa.Boolean),
        sa.Column("started_at", UtcDateTime),
        sa.Column("tags", JsonType),
        prefixes=["TEMPORARY"],
    )


def _columns(table: sa.Table) -> dict[str, sa.ColumnElement[Any]]:
    return {column.name: column for column in table.columns}


@dataclass
class Database:
    connection: sa.Connection
    table: sa.Table

    @property
    def dialect(self) -> str:
        return self.connection.dialect.name

    def matching(self, rows: Sequence[Row], condition: Group) -> list[int]:
        """The ids of the rows the compiled condition selects."""
        clause = to_sql(condition, _columns(self.table), CONDITION_COLUMNS, self.dialect)
        return self.ids(rows, clause)

    def ids(self, rows: Sequence[Row], where: sa.ColumnElement[bool]) -> list[int]:
        """Load the rows, select the ids where `where` holds, and leave the table empty again."""
        savepoint = self.connection.begin_nested()
        try:
            if rows:
                self.connection.execute(self.table.insert(), list(rows))
            # A missing list is stored both ways the store can hold it: JSON null (what None
            # becomes in a JSON column) for odd ids, SQL NULL for even ones.
            sql_null = [row["id"] for row in rows if row["tags"] is None and row["id"] % 2 == 0]
            if sql_null:
                self.connection.execute(self.table.update().where(self.table.c.id.in_(sql_null)).values(tags=sa.null()))
            query = sa.select(self.table.c.id).where(where).order_by(self.table.c.id)
            return list(self.connection.execute(query).scalars())
        finally:
            savepoint.rollback()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """One connection and one uniquely named table for the whole test, dropped after."""
    engine = sa.create_engine(request.param)
    table = _table(f"conditions_{uuid.uuid4().hex[:12]}")
    try:
        with engine.connect() as connection:
            table.create(connection)
            try:
                yield Database(connection, table)
            finally:
                table.drop(connection)
                connection.commit()
    finally:
        engine.dispose()


def _polars_matching(rows: Sequence[Row], condition: Group) -> list[int]:
    frame = pl.DataFrame(list(rows), schema=FRAME_SCHEMA)
    return [int(i) for i in frame.filter(to_polars(condition, CONDITION_COLUMNS))["id"]]


def _row(id_: int, **values: Any) -> Row:
    return {"id": id_, **dict.fromkeys(CONDITION_COLUMNS), **values}


class TestToSqlAgreesWithPolars:
    # The database is reused across examples on purpose: each example loads its rows inside a
    # savepoint and rolls it back, so no example sees another's rows.
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(case=condition_cases(CONDITION_COLUMNS, whole=WHOLE_NUMBER_COLUMNS))
    def test_same_rows(self, database: Database, case: ConditionCase) -> None:
        """Select Conversations in the database and Filter in memory keep the same conversations."""
        assert _polars_matching(case.rows, case.condition) == database.matching(case.rows, case.condition)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(case=condition_cases(TEXT_COLUMNS))
    def test_same_rows_on_text(self, database: Database, case: ConditionCase) -> None:
        """Text rules alone, where collation, case folding and LIKE escaping could drift apart."""
        rows = [{**dict.fromkeys(CONDITION_COLUMNS), **row} for row in case.rows]
        assert _polars_matching(rows, case.condition) == database.matching(rows, case.condition)


class TestToSql:
    def test_text_order_is_by_code_point(self, database: Database) -> None:
        """ "B" sorts before "a" and "É" after "z", as in polars, whatever the database's locale."""
        rows = [_row(0, agent="a"), _row(1, agent="B"), _row(2, agent="z"), _row(3, agent="É")]
        condition = Group.model_validate({"rules": [{"field": "agent", "operator": "<", "value": "a"}]})
        assert database.matching(rows, condition) == [1]
        between = Group.model_validate({"rules": [{"field": "agent", "operator": "between", "value": ["a", "{"]}]})
        assert database.matching(rows, between) == [0, 2]

    def test_case_folding_is_ascii_only(self, database: Database) -> None:
        """ "dana" finds "DANA" but "é" does not find "É"."""
        rows = [_row(0, agent="DANA"), _row(1, agent="ÉMILE")]
        for value, expected in (("dana", [0]), ("émile", []), ("Émile", [1])):
            condition = Group.model_validate({"rules": [{"field": "agent", "operator": "contains", "value": value}]})
            assert expected == database.matching(rows, condition)

    def test_like_wildcards_in_values_are_literal(self, database: Database) -> None:
        """% and _ and the escape character in a value match only themselves."""
        rows = [_row(0, agent="50%_off"), _row(1, agent="5000 off"), _row(2, agent="a/b"), _row(3, agent="ab")]
        for operator, value, expected in (
            ("contains", "%_", [0]),
            ("beginsWith", "5_", []),
            ("endsWith", "_off", [0]),
            ("contains", "/", [2]),
            ("contains", "//", []),
        ):
            rule = {"field": "agent", "operator": operator, "value": value}
            assert expected == database.matching(rows, Group.model_validate({"rules": [rule]}))

    def test_integer_column_against_a_fraction(self, database: Database) -> None:
        """turns = 2.5 matches nothing and turns in [3.0] matches 3 (no rounding of the value)."""
        rows = [_row(0, turns=2), _row(1, turns=3)]
        for operator, value, expected in (("=", 2.5, []), ("in", [2.5], []), ("in", [3.0], [1]), (">", 2.5, [1])):
            rule = {"field": "turns", "operator": operator, "value": value}
            assert expected == database.matching(rows, Group.model_validate({"rules": [rule]}))

    def test_every_missing_list_is_missing(self, database: Database) -> None:
        """SQL NULL, JSON null and [] are all "empty" tags; none of them fails `doesNotContain`."""
        rows = [_row(0), _row(1), _row(2, tags=[]), _row(3, tags=["vip"]), _row(4, tags=["other"])]
        # Row 0 holds SQL NULL and row 1 JSON null, so both forms are really tried.
        assert database.ids(rows, database.table.c.tags.is_(None)) == [0]
        for operator, value, expected in (
            ("null", None, [0, 1, 2]),
            ("notNull", None, [3, 4]),
            ("contains", "vip", [3]),
            ("doesNotContain", "vip", [4]),
        ):
            rule = {"field": "tags", "operator": operator, "value": value}
            assert expected == database.matching(rows, Group.model_validate({"rules": [rule]}))

    def test_refuses_a_condition_that_does_not_fit(self) -> None:
        """A rule on a column the set lacks is refused before any SQL is built."""
        condition = Group.model_validate({"rules": [{"field": "csat", "operator": ">", "value": 3}]})
        with pytest.raises(InvalidInput):
            to_sql(condition, _columns(_table("unused")), CONDITION_COLUMNS, "sqlite")

    def test_refuses_an_unsupported_dialect(self) -> None:
        """Only SQLite and PostgreSQL are compiled for."""
        with pytest.raises(ValueError, match="mysql"):
            to_sql(Group(), _columns(_table("unused")), CONDITION_COLUMNS, "mysql")
