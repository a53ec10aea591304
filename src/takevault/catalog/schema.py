"""The catalog's tables (SQLAlchemy Core). Migrations under `migrations/` create exactly these.

The star is a column of the shot (`starred_take_id`), so two stars in one shot
cannot exist; `next_take_number` is the per-shot counter that makes take numbers
unique and never reused, even after a take is purged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)
When = sa.DateTime(timezone=True)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", When, nullable=False),
)

sections = sa.Table(
    "sections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("code", sa.String(200), nullable=False),
    sa.Column("name", sa.String(500)),
    sa.Column("sort_order", sa.Integer, nullable=False),
    sa.UniqueConstraint("project_id", "code", name="uq_sections_project_code"),
)

shots = sa.Table(
    "shots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="RESTRICT")),
    sa.Column("code", sa.String(200), nullable=False),
    sa.Column("name", sa.String(500)),
    sa.Column("description", sa.Text),
    sa.Column("sort_order", sa.Integer, nullable=False),
    sa.Column("next_take_number", sa.Integer, nullable=False, server_default="1"),
    sa.Column(
        "starred_take_id",
        sa.String(36),
        sa.ForeignKey("takes.id", ondelete="SET NULL", use_alter=True, name="fk_shots_starred_take_id_takes"),
    ),
    sa.Column("created_at", When, nullable=False),
    # Shot codes may repeat across sections (SEQ01/SH010, SEQ02/SH010) but not within one: the
    # migration adds the unique index uq_shots_section_code on (project_id, coalesce(section_id, 0), code).
)

takes = sa.Table(
    "takes",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("shot_id", sa.Integer, sa.ForeignKey("shots.id", ondelete="CASCADE"), nullable=False),
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
    sa.UniqueConstraint("shot_id", "number", name="uq_takes_shot_number"),
    sa.CheckConstraint("rating IS NULL OR (rating >= 0 AND rating <= 5)", name="rating_range"),
    sa.CheckConstraint("number >= 1", name="number_positive"),
)

take_versions = sa.Table(
    "take_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("take_id", sa.String(36), sa.ForeignKey("takes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("key", sa.String(1024), nullable=False),
    sa.Column("version_id", sa.String(1024), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
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
    sa.UniqueConstraint("take_id", "number", name="uq_take_versions_take_number"),
)

take_links = sa.Table(
    "take_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("take_id", sa.String(36), sa.ForeignKey("takes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("other_id", sa.String(36), sa.ForeignKey("takes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("created_at", When, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("take_id", "other_id", "kind", name="uq_take_links_pair_kind"),
)

# The log outlives purged takes, so take_id is a plain column, not a foreign key.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", When, nullable=False, index=True),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("take_id", sa.String(36), index=True),
    sa.Column("shot", sa.String(500)),
    sa.Column("details", sa.JSON, nullable=False),
)

# One row per committed write transaction: the row images it left (see catalog/journal.py). The
# same payload is written to the store under `.takevault/journal/`, so the catalog can be rebuilt
# from the store alone; the row here lets fsck rewrite an entry a crash kept out of the store.
journal = sa.Table(
    "journal",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("at", When, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
)

# Store versions no catalog row names that `fsck --repair` has looked at and kept (it never deletes
# bytes): what an interrupted add/replace/attach uploaded before it failed, or an interrupted purge
# left. fsck lists them as kept, not as problems.
store_leftovers = sa.Table(
    "store_leftovers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(1024), nullable=False),
    sa.Column("version_id", sa.String(1024), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("take_id", sa.String(36)),
    sa.Column("noted_at", When, nullable=False),
    sa.Column("noted_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("key", "version_id", name="uq_store_leftovers_key"),
)

# Indexes for the lookups the CLI and the web make (migration 0004 creates them). Each names the query it serves.
LOOKUP_INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # a shot by code (take references SH010/video_03, --shot SH010)
    ("ix_shots_project_code", "shots", ("project_id", "code")),
    # the starred list, and clearing a star when its take is deleted or purged
    ("ix_shots_starred_take_id", "shots", ("starred_take_id",)),
    # a shot's live-take count (shot list) without reading the take rows
    ("ix_takes_shot_deleted", "takes", ("shot_id", "deleted")),
    ("ix_takes_kind", "takes", ("kind",)),
    ("ix_takes_status", "takes", ("status",)),
    ("ix_takes_rating", "takes", ("rating",)),
    # links pointing at a take (purge removes both directions)
    ("ix_take_links_other_id", "take_links", ("other_id",)),
    # the project log in order
    ("ix_events_project_at", "events", ("project_id", "at", "id")),
)

# The take text index (see catalog/search.py). On SQLite `take_search_fts` (FTS5) indexes `document`;
# on PostgreSQL `document` is a tsvector with a GIN index. Triggers fill it; nothing writes it directly.
take_search = sa.Table(
    "take_search",
    sa.MetaData(),
    sa.Column("take_id", sa.String(36), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

for _name, _table, _columns in LOOKUP_INDEXES:
    sa.Index(_name, *(metadata.tables[_table].c[c] for c in _columns))

# Deleted takes are few: a partial index finds them (`takes --deleted`) without making the
# planner prefer a two-valued index for every listing of live takes.
DELETED_TAKES_INDEX = "ix_takes_deleted"
DELETED_WHERE: dict[str, Any] = {"sqlite_where": sa.text("deleted = 1"), "postgresql_where": sa.text("deleted = true")}
# Migration 0004 makes this index on both databases from DELETED_WHERE; this object makes no DDL.
# It names only the SQLite predicate: a `postgresql_*` argument makes SQLAlchemy import its whole
# PostgreSQL dialect (about a tenth of a second) in every SQLite process, listings included.
sa.Index(DELETED_TAKES_INDEX, takes.c.shot_id, sqlite_where=DELETED_WHERE["sqlite_where"])

# Long work (compare, proxies, stills, import, export, validation, fsck, rebuild) as one row each.
# `attempt` grows each time a job is taken again after its worker died; a worker may only finish
# the attempt it claimed, so a job never completes twice. `dedupe` lets identical requests (the same
# comparison asked for by two people) share one job while it is queued, running or done.
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("args", sa.JSON, nullable=False),
    sa.Column("dedupe", sa.String(400), index=True),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("done", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("total", sa.BigInteger),
    sa.Column("result", sa.JSON),
    sa.Column("error", sa.Text),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="3"),
    sa.Column("worker", sa.String(200)),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", When, nullable=False),
    sa.Column("started_at", When),
    sa.Column("heartbeat_at", When),
    sa.Column("finished_at", When),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="state_known"),
)

# -- people (vault-wide users, a role per project) ---------------------------------------------
# Secrets are never stored: passwords as argon2 hashes, API tokens and session ids as sha256 digests.
ROLES = ("viewer", "reviewer", "editor", "admin")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text),
    sa.Column("created_at", When, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
)

memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.UniqueConstraint("user_id", "project_id", name="uq_memberships_user_project"),
    sa.CheckConstraint("role IN ('viewer', 'reviewer', 'editor', 'admin')", name="role_known"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", When, nullable=False),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("session_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", When, nullable=False),
    sa.Column("expires_at", When, nullable=False),
)

# -- review notes on frames and ranges of one take version ------------------------------------
# A reply is a note with a parent and no frames. A note carried to the next version keeps the
# id it came from (`carried_from`) and how the noted picture fared there (`follow`).
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("take_id", sa.String(36), sa.ForeignKey("takes.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("parent_id", sa.String(36), sa.ForeignKey("notes.id", ondelete="CASCADE")),
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
    sa.CheckConstraint("status IN ('open', 'resolved')", name="status_known"),
    sa.CheckConstraint("frame_in IS NULL OR (frame_in >= 0 AND frame_out >= frame_in)", name="frames_ordered"),
)

# -- approvals: the review decision on one take version (the star stays the editorial pick) -----
# Every decision is a row; a version's state is its latest row, "pending" while it has none.
APPROVAL_STATES = ("pending", "changes_requested", "approved")

approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("take_id", sa.String(36), sa.ForeignKey("takes.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(30), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("decided_by", sa.String(200), nullable=False),
    sa.Column("decided_at", When, nullable=False),
    sa.CheckConstraint("state IN ('pending', 'changes_requested', 'approved')", name="state_known"),
)

# -- guest review links: one take, a set of its versions or a compare view, for people without an account --
review_links = sa.Table(
    "review_links",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("take_id", sa.String(36), sa.ForeignKey("takes.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("versions", sa.JSON, nullable=False),
    sa.Column("view", sa.String(20), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text),
    sa.Column("created_at", When, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("expires_at", When, nullable=False),
    sa.Column("revoked_at", When),
)

guest_sessions = sa.Table(
    "guest_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("link_id", sa.String(36), sa.ForeignKey("review_links.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("session_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("expires_at", When, nullable=False),
)


def shots_in_scope(query: sa.Select, project_id: int, shot_ids: Sequence[int] | None, section: str | None) -> sa.Select:
    """`query` (a select of shots outer-joined to their sections) narrowed to one project's shots,
    to `shot_ids` when given, and to the section coded `section` when given."""
    query = query.where(shots.c.project_id == project_id)
    if shot_ids is not None:
        query = query.where(shots.c.id.in_(list(shot_ids)))
    if section is not None:
        query = query.where(sections.c.code == section)
    return query
