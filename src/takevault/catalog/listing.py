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

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from math import gcd
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from takevault.catalog.schema import sections, shots, take_versions, takes
from takevault.models import ListedTake, Project, TakeFilter

if TYPE_CHECKING:
    from takevault.catalog.catalog import Catalog

FIRST_GROUP_TAKES = 100
"""About this many takes in the first read, so the first row comes at once."""
MAX_GROUP_TAKES = 5000
"""Later reads grow up to about this many takes: few round trips, bounded memory."""


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
        shots_query = _SHOTS_WITH_COUNTER.where(shots.c.project_id == project.id)
        if shot_ids is not None:
            shots_query = shots_query.where(shots.c.id.in_(list(shot_ids)))
        if where.section is not None:
            shots_query = shots_query.where(sections.c.code == where.section)
        statement = _statement(catalog, project, where, None, grouped=True)

        def read(group: list[int]) -> tuple[list[Any], dict[str, tuple]]:
            of_shot: dict[int, list[Any]] = {shot_id: [] for shot_id in group}
            for row in conn.execute(statement, {"listing_shot_ids": group}).all():
                of_shot[row[1]].append(row)
            rows = [row for shot_id in group for row in of_shot[shot_id]]
            return rows, (catalog._links(conn, [r[0] for r in rows]) if has_links and rows else {})

        # The next group is read in a thread while this one is written out: the database (SQLite's
        # steps, PostgreSQL's server) works while Python formats rows. From here on only that thread
        # uses `conn`, one read at a time, and it is done before the transaction ends.
        groups = _groups(conn.execute(shots_query).all())
        first = next(groups, None)
        ahead = _Ahead(read, first) if first is not None else None
        try:
            while ahead is not None:
                rows, links = ahead.result()
                following = next(groups, None)
                ahead = _Ahead(read, following) if following is not None else None
                for row in rows:
                    yield listed_take(row, project.name, links.get(row[0], ()))
        finally:
            if ahead is not None:
                ahead.wait()


class _Ahead:
    """One call run in its own thread; `result()` waits for it and gives its value or raises its error."""

    def __init__(self, call: Callable[[Any], Any], arg: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call, arg), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[Any], Any], arg: Any) -> None:
        try:
            self._value = call(arg)
        except BaseException as exc:  # noqa: BLE001 - raised again by result(), in the caller's thread
            self._error = exc

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _groups(shot_rows: Sequence[Any]) -> Iterator[list[int]]:
    """Shot ids in edit order, in groups of about FIRST_GROUP_TAKES takes, then growing fourfold.

    A shot's take counter bounds its number of takes, so a group never holds far more than asked."""
    limit, group, takes_in_group = FIRST_GROUP_TAKES, [], 0
    for shot_id, next_number in shot_rows:
        group.append(shot_id)
        takes_in_group += max(1, next_number - 1)
        if takes_in_group >= limit:
            yield group
            limit, group, takes_in_group = min(limit * 4, MAX_GROUP_TAKES), [], 0
    if group:
        yield group


def _listed(
    catalog: Catalog, conn: sa.Connection, rows: Sequence[Any], project: str, has_links: bool
) -> Iterator[ListedTake]:
    links = catalog._links(conn, [r[0] for r in rows]) if has_links and rows else {}
    for row in rows:
        yield listed_take(row, project, links.get(row[0], ()))


_FPS: dict[tuple[int, int], tuple[str, str]] = {}


def _fps(num: int | None, den: int | None) -> tuple[str | None, str | None]:
    """(`24000/1001`, `23.976 (24000/1001)`) as `MediaInfo.fps_text` and the table show it: reduced."""
    if not (num and den):
        return None, None
    known = _FPS.get((num, den))
    if known is None:
        divisor = gcd(num, den) * (-1 if den < 0 else 1)
        n, d = num // divisor, den // divisor
        text = f"{n}/{d}"
        known = _FPS[(num, den)] = (text, str(n) if d == 1 else f"{n / d:.3f} ({text})")
    return known


def _iso(value: Any) -> str:
    """What `_iso(utc(…))` of the records gives, from the driver's value."""
    if type(value) is str and len(value) == 26 and value[10] == " " and value[19] == "." and value[20:] != "000000":
        # SQLite's text as SQLAlchemy writes it (UTC, microseconds always there): already ISO but for
        # two characters, and parsing 100,000 of them is a share of a listing's time.
        return f"{value[:10]}T{value[11:]}+00:00"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def _tags(value: Any) -> tuple[str, ...]:
    if not value or value == "[]":
        return ()
    return tuple(json.loads(value) if isinstance(value, str) else value)


def listed_take(row: Sequence[Any], project: str, links: Sequence[Any] = ()) -> ListedTake:
    """One row of the listing's select as a `ListedTake` (the same values `Take` and its JSON hold)."""
    (
        take_id, _shot_id, number, name, key, kind, note, rating, status, tags, created_at, created_by, deleted,
        shot_code, starred_take_id, section_code, versions, v_number, sha256, size, width, height, fps_num,
        fps_den, duration, frames, codec, container, png_status,
    ) = row  # fmt: skip
    fps_text, fps_shown = _fps(fps_num, fps_den)
    return _new_listed(
        ListedTake,
        (
            take_id,
            f"{section_code}/{shot_code}/{name}" if section_code else f"{shot_code}/{name}",
            project,
            section_code,
            shot_code,
            number,
            name,
            kind,
            starred_take_id == take_id,
            bool(deleted),
            v_number,
            int(versions),
            sha256,
            int(size),
            key,
            int(width or 0),
            int(height or 0),
            fps_text,
            fps_shown,
            float(duration or 0.0),
            int(frames or 0),
            codec or "",
            container or "",
            # As `records.png`: a version with no PNG row is "missing", a row without a status too.
            (png_status or "missing"),
            note,
            rating,
            status,
            _tags(tags),
            _iso(created_at),
            created_by,
            tuple(links),
        ),
    )


# The tuple made directly: the generated __new__ of a 31-field NamedTuple costs as much again.
_new_listed: Any = tuple.__new__
