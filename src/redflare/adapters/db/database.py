"""Engines, sessions and migrations for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs (SQLite: WAL, foreign keys, a busy timeout)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so writers lock at BEGIN
        # (no lock upgrade deadlocks), while read-only work (`READ_ONLY`) takes no lock at all under WAL.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


READ_ONLY = {"redflare_read_only": True}


def _sqlite_begin(conn: Connection) -> None:
    # Straight on the driver's connection: every transaction passes here, and SQLAlchemy's statement machinery
    # (`exec_driver_sql`) cost more than the BEGIN itself.
    begin = "BEGIN" if conn.get_execution_options().get("redflare_read_only") else "BEGIN IMMEDIATE"
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection being begun is checked out: it has its driver's connection
    driver.execute(begin)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # see the "begin" listener above
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("redflare.adapters.db") / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database)."""
    command.upgrade(alembic_config(engine), "head")
