"""Bulk loads fill the PostgreSQL text index set-wise: its row triggers can be deferred per transaction.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from takevault.catalog.search import PG_DEFERRABLE_FUNCTIONS, PG_PLAIN_FUNCTIONS

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite's triggers cannot be told apart per transaction, and its bulk path is fast enough.
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DEFERRABLE_FUNCTIONS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_PLAIN_FUNCTIONS:
            op.execute(statement)
