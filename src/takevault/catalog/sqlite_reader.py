"""Read-only listing queries on a local SQLite catalog through the standard `sqlite3` module.

A listing (`takes`, `show`, `history`, `log`) run from a script pays for its start-up, and
importing SQLAlchemy alone costs more than the whole start-up budget (docs/startup.md). This
reader runs the catalog's own statements, compiled into `listing_sql.py`, and turns rows into
records with the same functions as the catalog (`records`). It answers only the plain case: any
doubt (an older schema, a missing project or take, a busy or damaged file, more rows than it
holds in memory) raises `NotCovered`, and the caller asks the normal path, which gives the
answer or the error it always gave.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from takevault.catalog import records
from takevault.catalog.listed_rows import listed_take
from takevault.catalog.listing_sql import STATEMENTS
from takevault.catalog.revision import head_from_files
from takevault.models import Event, ListedTake, Project, Shot, Take, TakeVersion

FAST_ROWS = 1000
"""Takes or log lines a fast listing reads at most; a longer listing streams on the normal path."""
BUSY_WAIT_S = 1.0
"""A catalog busy for longer is left to the normal path and its own wait."""
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

    def __init__(self, name: str) -> None:
        self.sql, columns, self.own = STATEMENTS[name]
        self.keys = tuple(key for key, _kind in columns)
        self.typed = tuple((i, _READ[kind]) for i, (_key, kind) in enumerate(columns) if kind)

    def bind(self, params: dict[str, Any], lists: dict[str, Sequence[Any]]) -> tuple[str, dict[str, Any]]:
        sql, args = self.sql, {**self.own, **params}
        for name, values in lists.items():
            if not values:
                raise NotCovered("an empty list parameter")
            names = [f"{name}__{i}" for i in range(len(values))]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(f":{n}" for n in names))
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


_STATEMENTS: dict[str, _Statement] = {}


def _statement(name: str) -> _Statement:
    found = _STATEMENTS.get(name)
    if found is None:
        found = _STATEMENTS[name] = _Statement(name)
    return found


class SqliteReader:
    """The listing reads of one SQLite catalog file, opened read-only."""

    def __init__(self, path: str) -> None:
        try:
            self._conn = sqlite3.connect(
                f"file:{quote(path)}?mode=ro", uri=True, timeout=BUSY_WAIT_S, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise NotCovered(str(exc)) from exc
        self._take_readers: dict[tuple[str, ...], records.TakeRowReader] = {}

    def close(self) -> None:
        self._conn.close()

    def _rows(
        self, name: str, params: dict[str, Any] | None = None, lists: dict[str, Sequence[Any]] | None = None
    ) -> Iterator[tuple[Any, ...]]:
        statement = _statement(name)
        sql, args = statement.bind(params or {}, lists or {})
        try:
            cursor = self._conn.execute(sql, args)
            while batch := cursor.fetchmany(200):
                for row in batch:
                    yield statement.read(row)
        except sqlite3.Error as exc:
            raise NotCovered(str(exc)) from exc

    def _mappings(self, name: str, params: dict[str, Any], limit: int | None = None) -> list[dict[str, Any]]:
        keys = _statement(name).keys
        out = []
        for row in self._rows(name, params):
            out.append(dict(zip(keys, row, strict=True)))
            if limit is not None and len(out) > limit:
                raise NotCovered(f"more than {limit} rows")
        return out

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

    def listed_takes(self, project: Project, shot_id: int | None = None) -> list[ListedTake]:
        """Every live take of the project (or of one shot) in edit order, as `Catalog.iter_listed_takes`
        lists them with no filter (or with that shot's id as `shot_ids`)."""
        name, params = "listed_takes", {"project_id": project.id}
        if shot_id is not None:
            name, params = "listed_takes_of_shot", {**params, "shot_id": shot_id}
        self._begin()
        try:
            ((count,),) = list(self._rows(f"{name}_count", params))
            if count > FAST_ROWS:
                raise NotCovered(f"{count} takes")
            rows = list(self._rows(name, params))
            links = self._links([row[0] for row in rows]) if rows and list(self._rows("any_link")) else {}
            return [listed_take(row, project.name, links.get(row[0], ())) for row in rows]
        finally:
            self._end()

    def _takes(
        self, name: str, params: dict[str, Any], lists: dict[str, Sequence[Any]], project: Project
    ) -> list[Take]:
        keys = _statement(name).keys
        reader = self._take_readers.get(keys)
        if reader is None:
            reader = self._take_readers[keys] = records.TakeRowReader(keys)
        found = list(self._rows(name, params, lists))
        links: dict[str, tuple] = {}
        if found and list(self._rows("any_link")):
            links = self._links([row[0] for row in found])
        return [reader.take(row, project.name, links.get(row[0], ())) for row in found]

    def _links(self, take_ids: list[str]) -> dict[str, tuple]:
        """As `Catalog._links`: the links made from each take and those made to it."""
        found = []
        for incoming, name in ((False, "links_from_take"), (True, "links_to_take")):
            keys = _statement(name).keys
            for start in range(0, len(take_ids), _LINK_CHUNK):
                chunk = take_ids[start : start + _LINK_CHUNK]
                found += [(incoming, dict(zip(keys, row, strict=True))) for row in self._rows(name, {}, {"ids": chunk})]
        return records.links_by_take(found)

    def versions(self, take_id: str) -> list[TakeVersion]:
        """As `Catalog.versions`: newest first."""
        rows = self._mappings("versions_of_take", {"take_id": take_id})
        return [records.version(r, is_current=i == 0) for i, r in enumerate(rows)]

    # -- the log ------------------------------------------------------------------------
    def events(self, project: Project, take_id: str | None = None) -> list[Event]:
        """As `Catalog.iter_events` with no time filter, up to `FAST_ROWS` lines."""
        if take_id is None:
            rows = self._mappings("events", {"project_id": project.id}, limit=FAST_ROWS)
        else:
            rows = self._mappings("events_of_take", {"project_id": project.id, "take_id": take_id}, limit=FAST_ROWS)
        return [records.event(r) for r in rows]

    # -- one snapshot for a listing of several reads ---------------------------------------
    def _begin(self) -> None:
        try:
            self._conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise NotCovered(str(exc)) from exc

    def _end(self) -> None:
        # Nothing was written: a failed end of a read changes nothing.
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")
