"""Engines for the two databases we support, set up for concurrent writers.

SQLite: WAL (readers never block the writer), foreign keys on, a 30 s busy
timeout, and write transactions opened with BEGIN IMMEDIATE so two processes
never both read a counter and then both try to bump it. PostgreSQL: psycopg 3,
row locks from `UPDATE … RETURNING`, a pooled connection pinged before use only when it sat idle
(see `_ping_when_idle`), JSON columns read by catalog/pg_json.py.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from takevault.errors import ConfigError

BUSY_TIMEOUT_S = 30
WRITE_OPTION = "takevault_write"
PING_AFTER_IDLE_S = 1.0
"""A pooled PostgreSQL connection idle longer than this is pinged before it is handed out."""


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
            engine = sa.create_engine(parsed, pool_size=5, max_overflow=5)
        except ModuleNotFoundError:
            raise ConfigError(
                "PostgreSQL needs the psycopg driver; install it with \"pip install 'takevault[postgres]'\"."
            ) from None
        _ping_when_idle(engine)
        _read_json_faster(engine)
        return engine
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


def _read_json_faster(engine: sa.Engine) -> None:
    from takevault.catalog import pg_json

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        pg_json.register(dbapi_conn)


def _ping_when_idle(engine: sa.Engine) -> None:
    """Ping a pooled connection before use only when it sat idle past `PING_AFTER_IDLE_S`.

    A ping on every checkout (SQLAlchemy's `pool_pre_ping`) is a round trip more on every lookup,
    and lookups are a few round trips in all. A connection the server dropped (a restart, an idle
    timeout) is found the same way after a pause; one dropped during a burst of use fails its
    statement once, and SQLAlchemy then replaces every pooled connection made before."""

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned <= PING_AFTER_IDLE_S:
            return  # new, or just used
        record.info.pop("returned_at", None)
        autocommit = dbapi_conn.autocommit
        try:
            dbapi_conn.autocommit = True  # the ping opens no transaction
            dbapi_conn.execute("SELECT 1")
            dbapi_conn.autocommit = autocommit
        except Exception as exc:
            # The pool discards this connection and hands out another (or a fresh one).
            raise sa.exc.DisconnectionError(f"pooled connection dropped: {exc}") from exc
