"""The catalog: SQLAlchemy schema, queries and Alembic migrations (SQLite or PostgreSQL). Never touches bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from takevault.catalog.catalog import Catalog


def __getattr__(name: str) -> Any:
    # `Catalog` pulls in SQLAlchemy; a listing's fast path imports `catalog.records` and
    # `catalog.sqlite_reader` from this package without paying for it.
    if name == "Catalog":
        from takevault.catalog.catalog import Catalog

        return Catalog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Catalog"]
