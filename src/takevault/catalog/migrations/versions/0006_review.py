"""People and review: users, a role per project, personal API tokens, web sessions, notes, approvals, guest links.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_memberships_user_id_users"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], ondelete="CASCADE", name="fk_memberships_project_id_projects"
        ),
        sa.UniqueConstraint("user_id", "project_id", name="uq_memberships_user_project"),
        sa.CheckConstraint("role IN ('viewer', 'reviewer', 'editor', 'admin')", name="ck_memberships_role_known"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_api_tokens_user_id_users"),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("session_sha256", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_web_sessions_user_id_users"),
        sa.UniqueConstraint("session_sha256", name="uq_web_sessions_session_sha256"),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.String(36)),
        sa.Column("take_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.String(36)),
        sa.Column("frame_in", sa.Integer),
        sa.Column("frame_out", sa.Integer),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("drawing", sa.JSON),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("guest", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", When, nullable=False),
        sa.Column("resolved_at", When),
        sa.Column("resolved_by", sa.String(200)),
        sa.Column("carried_from", sa.String(36)),
        sa.Column("follow", sa.String(20)),
        sa.PrimaryKeyConstraint("id", name="pk_notes"),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"], ondelete="CASCADE", name="fk_notes_take_id_takes"),
        sa.ForeignKeyConstraint(["parent_id"], ["notes.id"], ondelete="CASCADE", name="fk_notes_parent_id_notes"),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="ck_notes_status_known"),
        sa.CheckConstraint(
            "frame_in IS NULL OR (frame_in >= 0 AND frame_out >= frame_in)", name="ck_notes_frames_ordered"
        ),
    )
    op.create_index("ix_notes_take_id", "notes", ["take_id"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer),
        sa.Column("take_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"], ondelete="CASCADE", name="fk_approvals_take_id_takes"),
        sa.CheckConstraint("state IN ('pending', 'changes_requested', 'approved')", name="ck_approvals_state_known"),
    )
    op.create_index("ix_approvals_take_id", "approvals", ["take_id"])
    op.create_table(
        "review_links",
        sa.Column("id", sa.String(36)),
        sa.Column("take_id", sa.String(36), nullable=False),
        sa.Column("versions", sa.JSON, nullable=False),
        sa.Column("view", sa.String(20), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("revoked_at", When),
        sa.PrimaryKeyConstraint("id", name="pk_review_links"),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"], ondelete="CASCADE", name="fk_review_links_take_id_takes"),
        sa.UniqueConstraint("token_sha256", name="uq_review_links_token_sha256"),
    )
    op.create_index("ix_review_links_take_id", "review_links", ["take_id"])
    op.create_table(
        "guest_sessions",
        sa.Column("id", sa.Integer),
        sa.Column("link_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("session_sha256", sa.String(64), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guest_sessions"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["review_links.id"], ondelete="CASCADE", name="fk_guest_sessions_link_id_review_links"
        ),
        sa.UniqueConstraint("session_sha256", name="uq_guest_sessions_session_sha256"),
    )


def downgrade() -> None:
    for table in (
        "guest_sessions",
        "review_links",
        "approvals",
        "notes",
        "web_sessions",
        "api_tokens",
        "memberships",
        "users",
    ):
        op.drop_table(table)
