"""Lookups in milliseconds: indexes for every lookup the CLI and web make, and the take text index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from takevault.catalog.schema import DELETED_TAKES_INDEX, DELETED_WHERE, LOOKUP_INDEXES
from takevault.catalog.search import PG_DDL, PG_DROP, SQLITE_DDL, SQLITE_DROP

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, table, columns in LOOKUP_INDEXES:
        op.create_index(name, table, list(columns))
    op.create_index(
        DELETED_TAKES_INDEX,
        "takes",
        ["shot_id"],
        sqlite_where=DELETED_WHERE["sqlite_where"],
        postgresql_where=DELETED_WHERE["postgresql_where"],
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DDL if sqlite else PG_DDL:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else PG_DROP:
        op.execute(statement)
    op.drop_index(DELETED_TAKES_INDEX, table_name="takes")
    for name, table, _columns in reversed(LOOKUP_INDEXES):
        op.drop_index(name, table_name=table)
