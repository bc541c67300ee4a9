"""Hot statements run straight on the driver's cursor.

The engine moves runs and steps and appends their history many times a second; on SQLite, SQLAlchemy's machinery
around one execution (about 20 µs: cache key, execution context, result object) costs more than the statement.
A `DriverStatement` is a Core statement compiled once per dialect by SQLAlchemy itself — the same SQL, the same
bind processing (JSON, UTC times, credits) — then executed on the transaction's own DBAPI connection, so it
commits and rolls back with everything else the transaction does. For statements whose results need no result
processing (counts, plain strings); anything else goes through SQLAlchemy as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_NAMED = re.compile(r"%\((\w+)\)s")  # a named parameter (pyformat, as psycopg takes them)
_PLAIN = re.compile(r"[A-Za-z0-9_]*")  # the only literal values spelled into the SQL: status names


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # the parameters' order (qmark, format), or None for named ones (pyformat)
    defaults: dict[str, Any]  # the values a statement carries itself (a SET status = 'completed')
    processors: dict[str, Callable[[Any], Any]]


class DriverStatement:
    """A Core statement, compiled once per dialect, executed on the driver's cursor of a SQLAlchemy connection.

    `keys`: an INSERT's columns (its VALUES clause names exactly these). An `IN` over a fixed list of plain names
    (status names) is spelled into the SQL; no other list is allowed."""

    def __init__(self, statement: ClauseElement, *, keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._keys = list(keys) if keys is not None else None
        self._by_dialect: dict[int, _Compiled] = {}

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run it with these parameters in the connection's transaction; answers the driver's cursor."""
        compiled = self._compiled(connection.dialect)
        bound = _bound(compiled, params)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, bound)
        except connection.dialect.loaded_dbapi.Error as exc:
            raise _translated(compiled.sql, bound, exc, connection.dialect) from exc
        return cursor

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run it once per row of parameters, in one call to the driver."""
        compiled = self._compiled(connection.dialect)
        bound = [_bound(compiled, row) for row in rows]
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(compiled.sql, bound)
        except connection.dialect.loaded_dbapi.Error as exc:
            raise _translated(compiled.sql, bound, exc, connection.dialect) from exc

    def _compiled(self, dialect: Dialect) -> _Compiled:
        known = self._by_dialect.get(id(dialect))
        if known is None:
            known = self._by_dialect[id(dialect)] = self._compile(dialect)
        return known

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self._statement.compile(dialect=dialect, column_keys=self._keys)
        assert isinstance(compiled, SQLCompiler)
        spelled: dict[str, str] = {}
        for name in _POSTCOMPILE.findall(compiled.string):
            values = compiled.binds[name].value
            if not values or not all(isinstance(v, str) and _PLAIN.fullmatch(v) for v in values):
                raise ValueError(f"{name}: only a list of plain names can be spelled into a driver statement")
            spelled[name] = ", ".join(f"'{value}'" for value in values)
        sql = _POSTCOMPILE.sub(lambda found: spelled[found.group(1)], compiled.string)
        if compiled.positiontup is not None:
            positional: tuple[str, ...] | None = tuple(name for name in compiled.positiontup if name not in spelled)
            used = set(positional or ())
        else:
            positional, used = None, set(_NAMED.findall(sql))
        defaults = {name: bind.value for name, bind in compiled.binds.items() if name in used and not bind.required}
        for column in compiled.insert_prefetch:  # an INSERT's Python-side column defaults, as SQLAlchemy applies them
            if column.key in used and column.key not in (self._keys or ()):
                default = column.default
                if default is None or not default.is_scalar:
                    raise ValueError(f"{column.key}: give it (its default is computed per row)")
                defaults[column.key] = default.arg  # type: ignore[attr-defined]
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, process in compiled._bind_processors.items():
            if not callable(process):  # a tuple's processors: no statement here binds a tuple
                raise ValueError(f"{name}: a tuple cannot be bound by a driver statement")
            processors[name] = process
        return _Compiled(sql, positional, defaults, processors)


def _translated(sql: str, params: Any, error: Exception, dialect: Dialect) -> BaseException:
    """The driver's error as SQLAlchemy raises it for any statement (IntegrityError, DataError, …): callers and the
    web layer's handlers see the same exceptions whichever way a statement ran."""
    return DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect)


def _bound(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    values = {**compiled.defaults, **params}
    for name, process in compiled.processors.items():
        if name in values:
            values[name] = process(values[name])
    if compiled.positional is None:
        return values
    return tuple(values[name] for name in compiled.positional)
