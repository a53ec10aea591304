"""The listings' fast path on a PostgreSQL catalog, through psycopg without SQLAlchemy (see fast_reader.py).

It connects with the arguments SQLAlchemy's psycopg dialect would give for the catalog's URL and
reads the statements compiled for that dialect, in one REPEATABLE READ, READ ONLY transaction, so
a whole listing is one snapshot, as it is on SQLite.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from takevault.catalog.fast_reader import FastReader, NotCovered

CONNECT_WAIT_S = 5
"""A server that does not answer sooner is left to the normal path and its own wait."""

# The driver names SQLAlchemy accepts in a catalog URL; the rest of the URL is libpq's own syntax.
_DRIVER = re.compile(r"\A(?:postgresql\+psycopg|postgresql|postgres)://")


def connect_args(url: str) -> dict[str, Any]:
    """psycopg's connection arguments for a catalog URL, read by libpq itself (as SQLAlchemy's
    psycopg dialect hands them over: user, password, host, port, database and query options)."""
    driver = _DRIVER.match(url)
    if driver is None:
        raise NotCovered("not a PostgreSQL URL this reader reads")
    try:
        return conninfo_to_dict("postgresql://" + url[driver.end() :])
    except psycopg.Error as exc:
        raise NotCovered(str(exc)) from exc


class PostgresReader(FastReader):
    """The listing reads of one PostgreSQL catalog."""

    dialect = "postgresql"
    errors = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        super().__init__(url)
        args = {"connect_timeout": CONNECT_WAIT_S, **connect_args(url)}
        try:
            self._conn = psycopg.connect(**args)
            self._conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            self._conn.read_only = True
        except psycopg.Error as exc:
            raise NotCovered(str(exc)) from exc
        self._has_jit = self._conn.info.server_version >= 110000

    def _close_connection(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self._conn.close()

    def _execute(self, sql: str, args: dict[str, Any]) -> Any:
        return self._conn.execute(sql, args)

    def _stream(self, sql: str, args: dict[str, Any]) -> Any:
        cursor = self._conn.cursor(name="takevault_listing")
        cursor.execute(sql, args)
        return cursor

    def _begin(self) -> None:
        # psycopg opens the transaction at the first statement: end any earlier one (a take's
        # lookup) so the listing's snapshot is taken now.
        self._end()
        if self._has_jit:
            # As the catalog's listing: JIT compiling a group's read costs more than the read.
            try:
                self._conn.execute("SET LOCAL jit = off")
            except psycopg.Error as exc:
                raise NotCovered(str(exc)) from exc

    def _end(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self._conn.rollback()


__all__ = ["NotCovered", "PostgresReader", "connect_args"]
