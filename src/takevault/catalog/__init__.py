"""The catalog: SQLAlchemy schema, queries and Alembic migrations (SQLite or PostgreSQL). Never touches bytes."""

from __future__ import annotations

from takevault.catalog.catalog import Catalog

__all__ = ["Catalog"]
