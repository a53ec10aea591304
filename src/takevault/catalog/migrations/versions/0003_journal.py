"""The journal (one row per committed catalog change, mirrored as an object in the store) and the
store leftovers fsck --repair has set aside.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("seq", sa.Integer),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_journal"),
    )
    op.create_table(
        "store_leftovers",
        sa.Column("id", sa.Integer),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("version_id", sa.String(1024), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("take_id", sa.String(36)),
        sa.Column("noted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("noted_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_store_leftovers"),
        sa.UniqueConstraint("key", "version_id", name="uq_store_leftovers_key"),
    )


def downgrade() -> None:
    op.drop_table("store_leftovers")
    op.drop_table("journal")
