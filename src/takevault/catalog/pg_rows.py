"""One PostgreSQL statement's rows read straight through psycopg, for the lookups that run most.

Resolving a take runs one indexed statement the server answers in about a tenth of a millisecond;
SQLAlchemy's execution around it (the compiled-cache lookup, an execution context, a description of
each of the row's 50-odd columns, a `Row` per row) cost several times that. The statements are
still SQLAlchemy selects, compiled once for the engine's dialect; psycopg prepares them on the
server after a few runs. Only statements whose columns need no result processing on PostgreSQL
may come here (`catalog._fast` keeps the columns' own types there): psycopg's values are then
exactly what SQLAlchemy would have handed back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa


class DriverStatement:
    """A select compiled once for one engine's dialect, run on the engine's pooled connections."""

    def __init__(self, statement: sa.Select, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.positiontup is not None or any(b.expanding for b in compiled.binds.values()):
            raise TypeError("a driver statement takes named, non-expanding parameters only")
        self.sql: str = str(compiled)
        self.defaults: dict[str, Any] = {k: v for k, v in compiled.params.items() if v is not None}

    def rows(self, conn: sa.Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """All rows, as psycopg's tuples. A driver error comes back as the SQLAlchemy error it would
        have been (a dropped connection invalidated first), so callers report it as they always did."""
        dbapi_conn: Any = conn.connection.dbapi_connection  # a psycopg connection
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(self.sql, {**self.defaults, **params}, prepare=True)
            return list(cursor.fetchall())
        except conn.dialect.loaded_dbapi.Error as exc:
            dropped = conn.dialect.is_disconnect(exc, dbapi_conn, cursor)
            if dropped:
                conn.invalidate(exc)
            raise sa.exc.DBAPIError.instance(
                self.sql, params, exc, conn.dialect.loaded_dbapi.Error, connection_invalidated=dropped
            ) from exc
        finally:
            cursor.close()
