"""Read-only listing queries straight through the database driver, for the listings' fast path.

A listing (`takes`, `show`, `history`, `log`) run from a script pays for its start-up, and
importing SQLAlchemy alone costs more than the whole start-up budget (docs/startup.md). This
reader runs the catalog's own statements, compiled into `listing_sql.py` for each database, and
turns rows into records with the same functions as the catalog (`records`, `listed_rows`), walking
a whole listing in the same groups of shots (`listing_groups`). The drivers' parts live in
`sqlite_reader.py` and `pg_reader.py`.

Every doubt before the first row (an older schema, a missing project or take, a busy, damaged or
unreachable catalog) raises `NotCovered`, and the caller asks the normal path, which gives the
answer or the error it always gave. The whole listings then stream inside one read snapshot; a
database error after that point is the catalog's own `CatalogError`, in the catalog's words.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from takevault.catalog import records
from takevault.catalog.listed_rows import listed_take
from takevault.catalog.listing_groups import ReadAhead, groups, in_shot_order
from takevault.catalog.listing_sql import STATEMENTS
from takevault.catalog.read_failure import failure
from takevault.catalog.revision import head_from_files
from takevault.models import Event, ListedTake, Project, Shot, Take, TakeVersion

EVENT_BATCH = 1000
"""Log lines fetched at a time, as the catalog streams them."""
_LINK_CHUNK = 500


class NotCovered(Exception):
    """The fast path does not answer this; ask the normal path."""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


_READ: dict[str, Callable[[Any], Any]] = {"datetime": _datetime, "json": _json, "bool": bool}


class _Statement:
    """One compiled statement of `listing_sql.py`, with the readers of its typed columns."""

    def __init__(self, dialect: str, name: str) -> None:
        self.sql, columns, self.own, self.expanding = STATEMENTS[dialect][name]
        self.keys = tuple(key for key, _kind in columns)
        self.typed = tuple((i, _READ[kind]) for i, (_key, kind) in enumerate(columns) if kind)

    def bind(self, params: dict[str, Any], lists: dict[str, Sequence[Any]]) -> tuple[str, dict[str, Any]]:
        sql, args = self.sql, {**self.own, **params}
        for name, values in lists.items():
            if not values:
                raise NotCovered("an empty list parameter")
            names = [f"{name}__{i}" for i in range(len(values))]
            one = self.expanding[name]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(one.format(n) for n in names))
            args.update(zip(names, values, strict=True))
        return sql, args

    def read(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if not self.typed:
            return tuple(row)
        out = list(row)
        for i, read in self.typed:
            if out[i] is not None:
                out[i] = read(out[i])
        return tuple(out)


class FastReader:
    """The listing reads of one catalog; the driver's subclass connects, runs SQL and knows its errors."""

    dialect = ""
    errors: tuple[type[Exception], ...] = ()
    """The driver's exceptions: NotCovered before a listing's first row, `CatalogError` after."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._statements: dict[str, _Statement] = {}
        self._take_readers: dict[tuple[str, ...], records.TakeRowReader] = {}
        self._ahead: ReadAhead[Any] | None = None

    # -- the driver's part ------------------------------------------------------------
    def _execute(self, sql: str, args: dict[str, Any]) -> Any:
        """A cursor over the statement's rows (`fetchmany`)."""
        raise NotImplementedError

    def _stream(self, sql: str, args: dict[str, Any]) -> Any:
        """A cursor that fetches a long result in batches as it is read (on PostgreSQL, on the server)."""
        return self._execute(sql, args)

    def _begin(self) -> None:
        """Start the read snapshot a whole listing is read in."""
        raise NotImplementedError

    def _end(self) -> None:
        """End the snapshot; nothing was written, so a failed end changes nothing."""
        raise NotImplementedError

    def _close_connection(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None
        self._close_connection()

    # -- statements ---------------------------------------------------------------
    def _statement(self, name: str) -> _Statement:
        found = self._statements.get(name)
        if found is None:
            found = self._statements[name] = _Statement(self.dialect, name)
        return found

    def _rows(
        self, name: str, params: dict[str, Any] | None = None, lists: dict[str, Sequence[Any]] | None = None
    ) -> list[tuple[Any, ...]]:
        statement = self._statement(name)
        sql, args = statement.bind(params or {}, lists or {})
        try:
            cursor = self._execute(sql, args)
            return [statement.read(row) for row in cursor.fetchall()]
        except self.errors as exc:
            raise NotCovered(str(exc)) from exc

    def _mappings(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        keys = self._statement(name).keys
        return [dict(zip(keys, row, strict=True)) for row in self._rows(name, params)]

    # -- what every command checks ------------------------------------------------
    def check_schema(self) -> None:
        """The catalog's schema is this takevault's; else the normal path says what to do."""
        found = [row[0] for row in self._rows("schema_revision")]
        if len(found) != 1 or found[0] != head_from_files():
            raise NotCovered("the schema is not at this takevault's head")

    def project(self, name: str) -> Project:
        found = self._mappings("project_by_name", {"name": name})
        if not found:
            raise NotCovered(f"no project {name!r}")
        return Project(id=found[0]["id"], name=found[0]["name"])

    # -- shots and takes --------------------------------------------------------------
    def find_shots(self, project: Project, code: str, section: str | None) -> list[Shot]:
        """As `Catalog.find_shots`."""
        if section is None:
            rows = self._mappings("shots_by_code", {"project_id": project.id, "code": code})
        else:
            rows = self._mappings("shots_by_section_code", {"project_id": project.id, "code": code, "section": section})
        return [records.shot(r, project.name) for r in rows]

    def take_by_id(self, project: Project, take_id: str) -> list[Take]:
        return self._takes("takes_by_id", {"project_id": project.id}, {"ids": [take_id]}, project)

    def take_by_shot_number(self, project: Project, shot_id: int, number: int) -> list[Take]:
        params = {"project_id": project.id, "number": number}
        return self._takes("takes_by_shot_number", params, {"shot_ids": [shot_id]}, project)

    def _takes(
        self, name: str, params: dict[str, Any], lists: dict[str, Sequence[Any]], project: Project
    ) -> list[Take]:
        keys = self._statement(name).keys
        reader = self._take_readers.get(keys)
        if reader is None:
            reader = self._take_readers[keys] = records.TakeRowReader(keys)
        found = self._rows(name, params, lists)
        links: dict[str, tuple] = {}
        if found and self._rows("any_link"):
            links = self._links([row[0] for row in found])
        return [reader.take(row, project.name, links.get(row[0], ())) for row in found]

    def _links(self, take_ids: list[str]) -> dict[str, tuple]:
        """As `Catalog._links`: the links made from each take and those made to it."""
        found = []
        for incoming, name in ((False, "links_from_take"), (True, "links_to_take")):
            keys = self._statement(name).keys
            for start in range(0, len(take_ids), _LINK_CHUNK):
                chunk = take_ids[start : start + _LINK_CHUNK]
                found += [(incoming, dict(zip(keys, row, strict=True))) for row in self._rows(name, {}, {"ids": chunk})]
        return records.links_by_take(found)

    def versions(self, take_id: str) -> list[TakeVersion]:
        """As `Catalog.versions`: newest first."""
        rows = self._mappings("versions_of_take", {"take_id": take_id})
        return [records.version(r, is_current=i == 0) for i, r in enumerate(rows)]

    # -- whole listings: checked up to the first rows, then streamed ---------------------------
    def listed_takes(self, project: Project, shot_id: int | None = None) -> Iterator[ListedTake]:
        """Every live take of the project (or of one shot) in edit order, as `Catalog.iter_listed_takes`
        lists them with no filter (or with that shot's id as `shot_ids`), read group by group as
        catalog/listing.py reads them. The first group is read before this returns."""
        params: dict[str, Any] = {"project_id": project.id}
        shots = "listing_shots"
        if shot_id is not None:
            shots, params = "listing_shots_of_shot", {**params, "shot_id": shot_id}
        self._begin()
        try:
            has_links = bool(self._rows("any_link"))
            shot_groups = groups(self._rows(shots, params))
            first_group = next(shot_groups, None)

            def read(group: list[int]) -> tuple[list[Any], dict[str, tuple]]:
                rows = in_shot_order(
                    group, self._rows("listing_group", {"project_id": project.id}, {"listing_shot_ids": group})
                )
                return rows, (self._links([r[0] for r in rows]) if has_links and rows else {})

            first = read(first_group) if first_group is not None else ([], {})
        except BaseException:
            self._end()
            raise
        self._ahead = ReadAhead(read, shot_groups)
        return self._listed(first, self._ahead, project.name)

    def _listed(
        self, first: tuple[list[Any], dict[str, tuple]], ahead: ReadAhead[Any], project: str
    ) -> Iterator[ListedTake]:
        try:
            rows, links = first
            for row in rows:
                yield listed_take(row, project, links.get(row[0], ()))
            try:
                for rows, links in ahead:
                    for row in rows:
                        yield listed_take(row, project, links.get(row[0], ()))
            except NotCovered as exc:
                raise self._failure(exc) from None
        finally:
            ahead.close()
            self._end()

    def events(self, project: Project, take_id: str | None = None) -> Iterator[Event]:
        """As `Catalog.iter_events` with no time filter; the first lines are read before this returns."""
        params: dict[str, Any]
        name, params = "events", {"project_id": project.id}
        if take_id is not None:
            name, params = "events_of_take", {**params, "take_id": take_id}
        statement = self._statement(name)
        sql, args = statement.bind(params, {})
        self._begin()
        cursor = None
        try:
            cursor = self._stream(sql, args)
            # SQLAlchemy's `yield_per` fetches one row, then batches, all before its first row is
            # handed over: fetching alike, a failure leaves the same lines printed on both paths.
            first = cursor.fetchmany(1)
            first += cursor.fetchmany(EVENT_BATCH) if first else []
        except BaseException as exc:
            if cursor is not None:
                with contextlib.suppress(*self.errors):
                    cursor.close()
            self._end()
            if isinstance(exc, self.errors):
                raise NotCovered(str(exc)) from exc
            raise
        return self._events(statement, cursor, first)

    def _events(self, statement: _Statement, cursor: Any, batch: list[Any]) -> Iterator[Event]:
        keys = statement.keys
        try:
            while batch:
                for row in batch:
                    yield records.event(dict(zip(keys, statement.read(row), strict=True)))
                try:
                    batch = cursor.fetchmany(EVENT_BATCH)
                except self.errors as exc:
                    raise self._failure(exc) from None
        finally:
            with contextlib.suppress(*self.errors):
                cursor.close()
            self._end()

    def _failure(self, exc: Exception) -> Exception:
        """The catalog's sentence for a driver error met after the first row (see `read_failure`), given
        the error or the `NotCovered` a read turned it into."""
        cause = exc.__cause__ if isinstance(exc, NotCovered) else exc
        return failure(cause, self.url) if isinstance(cause, self.errors) else exc
