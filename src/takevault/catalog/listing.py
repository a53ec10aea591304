"""Whole listings of takes (`takes`, the exports) as `ListedTake` rows, read set-wise and lean.

A listing shows a take's current version and its number of versions, never the version's
media JSON or workflow parameters, so it reads only the columns it shows, as the driver hands
them over (no SQLAlchemy result processors), and builds one flat tuple per take instead of a
`Take` with its version, media and PNG records. Shots are walked in edit order in groups that
grow (the first rows come at once, later reads are few and large); each group is one query.
The newest version and the number of versions are index lookups per take (a LATERAL read on
PostgreSQL), so a read costs what its takes cost, whatever the size of the versions table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from takevault.catalog.listed_rows import listed_take
from takevault.catalog.listing_groups import ReadAhead, groups, in_shot_order
from takevault.catalog.schema import sections, shots, shots_in_scope, take_versions, takes
from takevault.models import ListedTake, Project, TakeFilter

if TYPE_CHECKING:
    from takevault.catalog.catalog import Catalog


def _raw(column: sa.ColumnElement, name: str | None = None) -> sa.ColumnElement:
    # The driver's own value: SQLAlchemy's readers (a regex per timestamp on SQLite, JSON decoding)
    # are most of a listing's time, and the conversion below needs only the plain value.
    return sa.type_coerce(column, sa.String).label(name or column.name)


def _take_columns(count: sa.ColumnElement, current: sa.FromClause) -> list[sa.ColumnElement]:
    cur = current.c
    return [
        takes.c.id,
        takes.c.shot_id,
        takes.c.number,
        takes.c.name,
        takes.c.key,
        takes.c.kind,
        takes.c.note,
        takes.c.rating,
        takes.c.status,
        _raw(takes.c.tags),
        _raw(takes.c.created_at),
        takes.c.created_by,
        sa.type_coerce(takes.c.deleted, sa.Integer).label("deleted"),
        shots.c.code.label("shot_code"),
        shots.c.starred_take_id,
        sections.c.code.label("section_code"),
        count.label("versions_count"),
        cur.number.label("v_number"),
        cur.sha256.label("v_sha256"),
        cur.size.label("v_size"),
        cur.width.label("v_width"),
        cur.height.label("v_height"),
        cur.fps_num.label("v_fps_num"),
        cur.fps_den.label("v_fps_den"),
        cur.duration.label("v_duration"),
        cur.frames.label("v_frames"),
        cur.codec.label("v_codec"),
        cur.container.label("v_container"),
        cur.png_status.label("v_png_status"),
    ]


_TAKE_SHOT_SECTION = takes.join(shots, takes.c.shot_id == shots.c.id).outerjoin(
    sections, shots.c.section_id == sections.c.id
)


def _count() -> sa.ColumnElement:
    return sa.select(sa.func.count()).where(take_versions.c.take_id == takes.c.id).correlate(takes).scalar_subquery()


def _sqlite_select() -> sa.Select:
    """SQLite: the count and the newest version per take, each one lookup in the (take_id, number)
    index, which also gives the newest version's row id (no second search by take and number)."""
    current = take_versions.alias("current")
    newest = (
        sa.select(take_versions.c.id)
        .where(take_versions.c.take_id == takes.c.id)
        .order_by(take_versions.c.number.desc())
        .limit(1)
        .correlate(takes)
        .scalar_subquery()
    )
    return sa.select(*_take_columns(_count(), current)).select_from(
        _TAKE_SHOT_SECTION.join(current, current.c.id == newest)
    )


def _postgresql_select() -> sa.Select:
    """PostgreSQL: the newest version as a LATERAL read backwards through the (take_id, number) index.

    A correlated lookup in a join condition (as on SQLite) makes PostgreSQL hash the whole
    versions table for every read, and a grouped read of a group's versions gets planned as a
    scan of the whole table once a group is a few per cent of it."""
    shown = ("number", "sha256", "size", "width", "height", "fps_num", "fps_den", "duration", "frames", "codec")
    current = (
        sa.select(*(take_versions.c[name] for name in (*shown, "container", "png_status")))
        .where(take_versions.c.take_id == takes.c.id)
        .order_by(take_versions.c.number.desc())
        .limit(1)
        .lateral("current")
    )
    return sa.select(*_take_columns(_count(), current)).select_from(_TAKE_SHOT_SECTION.join(current, sa.true()))


_SELECTS = {"sqlite": _sqlite_select(), "postgresql": _postgresql_select()}
_EDIT_ORDER = (
    sa.func.coalesce(sections.c.sort_order, -1),
    sections.c.code,
    shots.c.sort_order,
    shots.c.code,
    takes.c.number,
)
_SHOTS_WITH_COUNTER = (
    sa.select(shots.c.id, shots.c.next_take_number)
    .select_from(shots.outerjoin(sections, shots.c.section_id == sections.c.id))
    .order_by(*_EDIT_ORDER[:4])
)
GROUP: sa.BindParameter[Any] = sa.bindparam("listing_shot_ids", expanding=True)


def _statement(
    catalog: Catalog, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None, *, grouped: bool
) -> sa.Select:
    """The listing's select with `where`'s conditions; `grouped`: of the shots given as GROUP, each
    shot's takes in number order (the caller puts the shots in order), else all in edit order."""

    query = catalog._matching_ids(project, where, shot_ids, None, None, None, base=_SELECTS[catalog.dialect])
    if grouped:
        query = query.where(takes.c.shot_id.in_(GROUP))
    return query.order_by(takes.c.number) if grouped else query.order_by(*_EDIT_ORDER)


def iter_listed(
    catalog: Catalog, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None = None
) -> Iterator[ListedTake]:
    """The takes matching `where` (its `shot` given as `shot_ids`) in edit order, as `ListedTake`s."""
    from takevault.catalog.catalog import _few_matches

    with catalog.read() as conn:
        if catalog.dialect == "postgresql" and (conn.dialect.server_version_info or (0,)) >= (11,):
            # Each read is estimated costly enough for JIT compilation, which then takes longer than
            # the read itself (reads of 50 shots over 100,000 takes: 8.95 s with it, 3.58 s without).
            conn.exec_driver_sql("SET LOCAL jit = off")
        has_links = catalog._has_links(conn)
        if _few_matches(where):
            rows = conn.execute(_statement(catalog, project, where, shot_ids, grouped=False)).all()
            yield from _listed(catalog, conn, rows, project.name, has_links)
            return
        shots_query = shots_in_scope(_SHOTS_WITH_COUNTER, project.id, shot_ids, where.section)
        statement = _statement(catalog, project, where, None, grouped=True)

        def read(group: list[int]) -> tuple[list[Any], dict[str, tuple]]:
            rows = in_shot_order(group, conn.execute(statement, {"listing_shot_ids": group}).all())
            return rows, (catalog._links(conn, [r[0] for r in rows]) if has_links and rows else {})

        # From here on only the read-ahead thread uses `conn`, one read at a time, and it is done
        # before the transaction ends.
        ahead = ReadAhead(read, groups(conn.execute(shots_query).all()))
        try:
            for rows, links in ahead:
                for row in rows:
                    yield listed_take(row, project.name, links.get(row[0], ()))
        finally:
            ahead.close()


def _listed(
    catalog: Catalog, conn: sa.Connection, rows: Sequence[Any], project: str, has_links: bool
) -> Iterator[ListedTake]:
    links = catalog._links(conn, [r[0] for r in rows]) if has_links and rows else {}
    for row in rows:
        yield listed_take(row, project, links.get(row[0], ()))
