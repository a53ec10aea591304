"""Engines for the two databases we support, set up for concurrent writers.

SQLite: WAL (readers never block the writer), foreign keys on, a 30 s busy
timeout, and write transactions opened with BEGIN IMMEDIATE so two processes
never both read a counter and then both try to bump it. PostgreSQL: psycopg 3,
row locks from `UPDATE … RETURNING`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from takevault.errors import ConfigError

BUSY_TIMEOUT_S = 30
WRITE_OPTION = "takevault_write"


def create_catalog_engine(url: str) -> sa.Engine:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(
            f"The catalog URL {url!r} is not an SQLAlchemy URL; use 'sqlite:///FILE' or 'postgresql+psycopg://…'."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)
        except ModuleNotFoundError:
            raise ConfigError(
                "PostgreSQL needs the psycopg driver; install it with \"pip install 'takevault[postgres]'\"."
            ) from None
    raise ConfigError(
        f"The catalog database {backend!r} is not supported; use 'sqlite:///FILE' or 'postgresql+psycopg://…'."
    )


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            if url.database and url.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
