"""The listings' fast path on a local SQLite catalog, through the standard `sqlite3` module (see fast_reader.py)."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any
from urllib.parse import quote

from takevault.catalog.fast_reader import FastReader, NotCovered

BUSY_WAIT_S = 1.0
"""A catalog busy for longer is left to the normal path and its own wait."""


class SqliteReader(FastReader):
    """The listing reads of one SQLite catalog file, opened read-only."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, path: str) -> None:
        super().__init__(f"sqlite:///{path}")
        try:
            # The read-ahead thread reads while the caller writes rows out: one thread at a time.
            self._conn = sqlite3.connect(
                f"file:{quote(path)}?mode=ro",
                uri=True,
                timeout=BUSY_WAIT_S,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise NotCovered(str(exc)) from exc

    def _close_connection(self) -> None:
        self._conn.close()

    def _execute(self, sql: str, args: dict[str, Any]) -> Any:
        return self._conn.execute(sql, args)

    def _begin(self) -> None:
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise NotCovered(str(exc)) from exc

    def _end(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")


__all__ = ["NotCovered", "SqliteReader"]
