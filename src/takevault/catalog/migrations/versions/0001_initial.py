"""The first catalog: projects, sections, shots, takes, versions, links, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("name", name="uq_projects_name"),
    )
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("name", sa.String(500)),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sections"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], ondelete="CASCADE", name="fk_sections_project_id_projects"
        ),
        sa.UniqueConstraint("project_id", "code", name="uq_sections_project_code"),
    )
    shot_constraints: list[sa.schema.SchemaItem] = [
        sa.PrimaryKeyConstraint("id", name="pk_shots"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], ondelete="CASCADE", name="fk_shots_project_id_projects"
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], ondelete="RESTRICT", name="fk_shots_section_id_sections"
        ),
    ]
    if sqlite:
        # SQLite cannot add a constraint later; it accepts a reference to a table that comes next.
        shot_constraints.append(
            sa.ForeignKeyConstraint(
                ["starred_take_id"], ["takes.id"], ondelete="SET NULL", name="fk_shots_starred_take_id_takes"
            )
        )
    op.create_table(
        "shots",
        sa.Column("id", sa.Integer),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("section_id", sa.Integer),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("name", sa.String(500)),
        sa.Column("description", sa.Text),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.Column("next_take_number", sa.Integer, nullable=False, server_default="1"),
        sa.Column("starred_take_id", sa.String(36)),
        sa.Column("created_at", When, nullable=False),
        *shot_constraints,
    )
    op.create_index(
        "uq_shots_section_code",
        "shots",
        ["project_id", sa.text("coalesce(section_id, 0)"), "code"],
        unique=True,
    )
    op.create_table(
        "takes",
        sa.Column("id", sa.String(36)),
        sa.Column("shot_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False, server_default="raw"),
        sa.Column("note", sa.Text),
        sa.Column("rating", sa.Integer),
        sa.Column("status", sa.String(100)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("deleted_at", When),
        sa.PrimaryKeyConstraint("id", name="pk_takes"),
        sa.ForeignKeyConstraint(["shot_id"], ["shots.id"], ondelete="CASCADE", name="fk_takes_shot_id_shots"),
        sa.UniqueConstraint("shot_id", "number", name="uq_takes_shot_number"),
        sa.CheckConstraint("rating IS NULL OR (rating >= 0 AND rating <= 5)", name="ck_takes_rating_range"),
        sa.CheckConstraint("number >= 1", name="ck_takes_number_positive"),
    )
    if not sqlite:
        op.create_foreign_key(
            "fk_shots_starred_take_id_takes", "shots", "takes", ["starred_take_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "take_versions",
        sa.Column("id", sa.Integer),
        sa.Column("take_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("version_id", sa.String(1024), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("original_name", sa.String(1024)),
        sa.Column("source", sa.String(20), nullable=False, server_default="upload"),
        sa.Column("source_version", sa.Integer),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("container", sa.String(50)),
        sa.Column("codec", sa.String(50)),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("fps_num", sa.Integer),
        sa.Column("fps_den", sa.Integer),
        sa.Column("frames", sa.Integer),
        sa.Column("duration", sa.Float),
        sa.Column("bit_rate", sa.BigInteger),
        sa.Column("pix_fmt", sa.String(50)),
        sa.Column("audio", sa.JSON),
        sa.Column("media", sa.JSON),
        sa.Column("png_key", sa.String(1024)),
        sa.Column("png_version_id", sa.String(1024)),
        sa.Column("png_sha256", sa.String(64)),
        sa.Column("png_size", sa.BigInteger),
        sa.Column("png_status", sa.String(30)),
        sa.Column("png_reason", sa.Text),
        sa.Column("params", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_take_versions"),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"], ondelete="CASCADE", name="fk_take_versions_take_id_takes"),
        sa.UniqueConstraint("take_id", "number", name="uq_take_versions_take_number"),
    )
    op.create_index("ix_take_versions_sha256", "take_versions", ["sha256"])
    op.create_table(
        "take_links",
        sa.Column("id", sa.Integer),
        sa.Column("take_id", sa.String(36), nullable=False),
        sa.Column("other_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_take_links"),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"], ondelete="CASCADE", name="fk_take_links_take_id_takes"),
        sa.ForeignKeyConstraint(["other_id"], ["takes.id"], ondelete="CASCADE", name="fk_take_links_other_id_takes"),
        sa.UniqueConstraint("take_id", "other_id", "kind", name="uq_take_links_pair_kind"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("at", When, nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("take_id", sa.String(36)),
        sa.Column("shot", sa.String(500)),
        sa.Column("details", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], ondelete="CASCADE", name="fk_events_project_id_projects"
        ),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_take_id", "events", ["take_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("take_links")
    op.drop_table("take_versions")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_shots_starred_take_id_takes", "shots", type_="foreignkey")
    op.drop_table("takes")
    op.drop_table("shots")
    op.drop_table("sections")
    op.drop_table("projects")
