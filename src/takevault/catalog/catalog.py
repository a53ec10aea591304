"""`Catalog`: shots, takes, versions, stars, links and events in SQLite or PostgreSQL.

It never touches bytes. Every method is one transaction; methods that change
rows take the write lock first (BEGIN IMMEDIATE on SQLite, row locks on
PostgreSQL) so concurrent processes see consistent counters and stars.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import json
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from takevault.catalog import journal, records, search
from takevault.catalog.engine import WRITE_OPTION, create_catalog_engine
from takevault.catalog.pg_rows import DriverStatement
from takevault.catalog.revision import head_from_files as _head_from_files
from takevault.catalog.rows import NewEvent, NewTake, NewVersion, TakeChanges
from takevault.catalog.schema import (
    events,
    projects,
    sections,
    shots,
    shots_in_scope,
    take_links,
    take_versions,
    takes,
)
from takevault.catalog.search import matching_take_ids, search_words
from takevault.errors import CatalogError, ConfigError, ConflictError, NotFoundError, TakevaultError
from takevault.models import (
    ANY_TAKE,
    Event,
    ListedTake,
    PngRecord,
    Project,
    Section,
    Shot,
    Take,
    TakeFilter,
    TakeVersion,
)

MIGRATIONS = Path(__file__).parent / "migrations"


def now() -> datetime:
    return datetime.now(UTC)


class TakeIdPage(NamedTuple):
    """One page of a take list as ids: `ids` start at position `start` of the `total` that match."""

    ids: list[str]
    start: int
    total: int


class Catalog:
    """The catalog of one vault, addressed by an SQLAlchemy URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_catalog_engine(url)
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})
        journal.install(self.engine)
        self.journal_sink: Callable[[int, str], None] | None = None
        """Called with (seq, payload) after each committed change; the vault writes it to the store."""
        self._shared = threading.local()
        self._statements: dict[tuple[Any, ...], sa.Select] = {}
        self._driver: dict[int, DriverStatement] = {}
        if self.dialect == "postgresql":
            # The lookups that run most, through psycopg alone (see catalog/pg_rows.py).
            for statement in (_TAKES_BY_CODE_NUMBER, _TAKES_BY_SECTION_CODE_NUMBER, _TAKE_BY_ID_PG):
                self._driver[id(statement)] = DriverStatement(statement, self.engine.dialect)
        # PostgreSQL reads of statements that each stand alone run outside a transaction: under its
        # READ COMMITTED every statement takes a snapshot of its own anyway, so BEGIN and COMMIT
        # would only add two round trips to a lookup (see `_lookup`).
        self._autocommit = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT") if self.dialect == "postgresql" else None
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _where(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- transactions -------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        shared = getattr(self._shared, "conn", None)
        if shared is not None:
            with self._translate():
                yield shared
            return
        with self._translate(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction for every `read()` this thread makes inside: a lookup made of several
        queries (a shot by code, then its take) pays for one connection checkout and transaction,
        which on PostgreSQL are several round trips each. Only for reads that finish inside."""
        if getattr(self._shared, "conn", None) is not None:
            yield
            return
        with self._translate(), self.engine.connect() as conn, conn.begin():
            self._shared.conn = conn
            try:
                yield
            finally:
                self._shared.conn = None

    @contextlib.contextmanager
    def _lookup(self) -> Iterator[sa.Connection]:
        """A connection for a read whose statements each stand alone (no cursor kept open across them):
        on PostgreSQL outside a transaction, otherwise `read()`."""
        if self._autocommit is None or getattr(self._shared, "conn", None) is not None:
            with self.read() as conn:
                yield conn
            return
        with self._translate(), self._autocommit.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction; what it changed becomes one journal entry (see catalog/journal.py)."""
        entry = None
        with self._translate(), self._writer.connect() as conn:
            try:
                with conn.begin():
                    changes = journal.begin(conn)
                    yield conn
                    entry = journal.finish(conn, changes)
            finally:
                journal.end(conn)
        if entry is not None and self.journal_sink is not None:
            self.journal_sink(*entry)

    @contextlib.contextmanager
    def _write_unjournaled(self) -> Iterator[sa.Connection]:
        """A write transaction the journal does not record: only for take-number reservations (see there)."""
        with self._translate(), self._writer.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except TakevaultError:
            raise
        except sa.exc.IntegrityError as exc:
            raise ConflictError(
                f"The catalog refused the change because it conflicts with existing rows ({_first_line(exc)}); "
                "check the names you gave and try again."
            ) from exc
        except sa.exc.OperationalError as exc:
            raise CatalogError(
                f"The catalog {self._where()} cannot be used ({_first_line(exc)}); "
                "check that the database is reachable and writable, then try again."
            ) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise CatalogError(
                f"The catalog {self._where()} failed ({_first_line(exc)}); "
                "run 'takevault fsck' and try again, or report it if it repeats."
            ) from exc

    # -- schema -------------------------------------------------------------
    @staticmethod
    def _alembic_config() -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    @classmethod
    def head_revision(cls) -> str | None:
        """The newest schema revision this version of takevault knows."""
        quick = _head_from_files(MIGRATIONS / "versions")
        if quick is not None:
            return quick
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(cls._alembic_config()).get_current_head()

    def require_current_schema(self) -> None:
        """Refuse to work on a catalog whose schema is older or newer than this takevault's.

        Every command runs this, so the usual case (schema at head) reads the revision table and
        the migration files' revision lines directly: Alembic loads only to explain a mismatch."""
        current, head = self.schema_revision(), self.head_revision()
        if current == head:
            return
        if current is None:
            raise ConfigError(
                f"The catalog {self._where()} has no takevault tables; "
                "make a vault with 'takevault init', or check the catalog URL."
            )
        from alembic.script import ScriptDirectory

        known = {rev.revision for rev in ScriptDirectory.from_config(self._alembic_config()).walk_revisions()}
        if current in known:
            raise ConfigError(
                f"The catalog {self._where()} uses an older schema ({current}, this takevault needs {head}); "
                "run 'takevault catalog upgrade' once."
            )
        raise ConfigError(
            f"The catalog {self._where()} was written by a newer takevault (schema {current}); "
            "upgrade takevault with 'pip install -U takevault'."
        )

    def migrate(self) -> None:
        """Bring the schema to the newest revision (creates every table on a fresh database)."""
        from alembic import command

        config = self._alembic_config()
        with self._translate(), self._writer.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()

    def schema_revision(self) -> str | None:
        """The revision in Alembic's `alembic_version` table; None before the first migration."""
        with self._translate(), self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            found = conn.execute(_SCHEMA_REVISION).scalars().all()
        if len(found) > 1:
            raise CatalogError(
                f"The catalog {self._where()} records several schema revisions ({', '.join(found)}); "
                "run 'takevault catalog upgrade' to bring it to one."
            )
        return found[0] if found else None

    def close(self) -> None:
        self.engine.dispose()

    # -- projects -------------------------------------------------------------
    def find_project(self, name: str) -> Project | None:
        with self.read() as conn:
            row = conn.execute(_PROJECT_BY_NAME, {"name": name}).mappings().first()
        return Project(id=row["id"], name=row["name"]) if row is not None else None

    def ensure_project(self, name: str) -> Project:
        with self.read() as conn:
            row = conn.execute(sa.select(projects).where(projects.c.name == name)).mappings().first()
        if row is None:
            with self.write() as conn:
                row = conn.execute(sa.select(projects).where(projects.c.name == name)).mappings().first()
                if row is None:
                    conn.execute(sa.insert(projects).values(name=name, created_at=now()))
                    row = conn.execute(sa.select(projects).where(projects.c.name == name)).mappings().one()
        return Project(id=row["id"], name=row["name"])

    def list_projects(self) -> list[Project]:
        with self.read() as conn:
            rows = conn.execute(sa.select(projects).order_by(projects.c.name)).mappings().all()
        return [Project(id=r["id"], name=r["name"]) for r in rows]

    # -- sections -------------------------------------------------------------
    def add_section(self, project: Project, code: str, name: str | None, order: int | None) -> Section:
        with self.write() as conn:
            if conn.execute(
                sa.select(sections.c.id).where(sections.c.project_id == project.id, sections.c.code == code)
            ).first():
                raise ConflictError(f"Section {code} already exists; pick another code or use it as it is.")
            if order is None:
                order = _next_order(conn, sections, sections.c.project_id == project.id)
            conn.execute(sa.insert(sections).values(project_id=project.id, code=code, name=name, sort_order=order))
        return self.section(project, code)

    def section(self, project: Project, code: str) -> Section:
        with self.read() as conn:
            row = (
                conn.execute(sa.select(sections).where(sections.c.project_id == project.id, sections.c.code == code))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFoundError(f"Section {code} does not exist; add it with 'takevault section add {code}'.")
        return records.section(row, project.name)

    def list_sections(self, project: Project) -> list[Section]:
        with self.read() as conn:
            rows = (
                conn.execute(
                    sa.select(sections)
                    .where(sections.c.project_id == project.id)
                    .order_by(sections.c.sort_order, sections.c.code)
                )
                .mappings()
                .all()
            )
        return [records.section(r, project.name) for r in rows]

    # -- shots ----------------------------------------------------------------
    def _shot_select(self, project: Project) -> sa.Select:
        return _SHOT_SELECT.where(shots.c.project_id == project.id)

    def add_shot(
        self,
        project: Project,
        code: str,
        *,
        section: str | None,
        name: str | None,
        order: int | None,
        description: str | None,
    ) -> Shot:
        with self.write() as conn:
            section_id = None
            if section is not None:
                section_id = conn.execute(
                    sa.select(sections.c.id).where(sections.c.project_id == project.id, sections.c.code == section)
                ).scalar()
                if section_id is None:
                    raise NotFoundError(
                        f"Section {section} does not exist; add it with 'takevault section add {section}' first."
                    )
            same = conn.execute(
                sa.select(shots.c.id).where(
                    shots.c.project_id == project.id,
                    shots.c.code == code,
                    shots.c.section_id.is_(None) if section_id is None else shots.c.section_id == section_id,
                )
            ).first()
            if same:
                where = f" in section {section}" if section else ""
                raise ConflictError(f"Shot {code} already exists{where}; pick another code or use it as it is.")
            _refuse_ambiguous_code(conn, project, code, section)
            if order is None:
                order = _next_order(
                    conn,
                    shots,
                    sa.and_(
                        shots.c.project_id == project.id,
                        shots.c.section_id.is_(None) if section_id is None else shots.c.section_id == section_id,
                    ),
                )
            inserted = conn.execute(
                sa.insert(shots).values(
                    project_id=project.id,
                    section_id=section_id,
                    code=code,
                    name=name,
                    description=description,
                    sort_order=order,
                    next_take_number=1,
                    created_at=now(),
                )
            ).inserted_primary_key
            assert inserted is not None  # an INSERT always reports the key it made
            shot_id = inserted[0]
            row = conn.execute(self._shot_select(project).where(shots.c.id == shot_id)).mappings().one()
        return records.shot(row, project.name)

    def list_shots(self, project: Project, section: str | None = None) -> list[Shot]:
        query = self._shot_select(project)
        if section is not None:
            self.section(project, section)
            query = query.where(sections.c.code == section)
        with self.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [records.shot(r, project.name) for r in rows]

    def find_shots(self, project: Project, code: str, section: str | None = None) -> list[Shot]:
        query, params = _SHOTS_BY_CODE, {"project_id": project.id, "code": code}
        if section is not None:
            query, params = _SHOTS_BY_SECTION_CODE, {**params, "section": section}
        with self.read() as conn:
            rows = conn.execute(query, params).mappings().all()
        return [records.shot(r, project.name) for r in rows]

    def shot_by_id(self, project: Project, shot_id: int) -> Shot:
        with self.read() as conn:
            row = conn.execute(self._shot_select(project).where(shots.c.id == shot_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"Shot #{shot_id} no longer exists; list shots with 'takevault shot list'.")
        return records.shot(row, project.name)

    # -- take numbers ---------------------------------------------------------
    def reserve_take_number(self, shot_id: int) -> int:
        """Bump the shot's counter atomically and return the number it held; never handed out twice.

        Reserving and giving back are not journaled: an add that fails must leave the vault as it
        was, journal included. The counter reaches the journal with the take (`insert_take`)."""
        with self._write_unjournaled() as conn:
            bumped = conn.execute(
                sa.update(shots)
                .where(shots.c.id == shot_id)
                .values(next_take_number=shots.c.next_take_number + 1)
                .returning(shots.c.next_take_number)
            ).scalar()
        if bumped is None:
            raise NotFoundError("The shot was removed while adding the take; list shots with 'takevault shot list'.")
        return int(bumped) - 1

    def release_take_number(self, shot_id: int, number: int) -> None:
        """Give back a number reserved by an add that failed, unless a later add already took the next one."""
        with self._write_unjournaled() as conn:
            conn.execute(
                sa.update(shots)
                .where(shots.c.id == shot_id, shots.c.next_take_number == number + 1)
                .values(next_take_number=number)
            )

    # -- takes ----------------------------------------------------------------
    def insert_take(self, take: NewTake, first: NewVersion, event: NewEvent) -> None:
        """The take, its first version (number 1) and the log line, in one transaction."""
        with self.write() as conn:
            # The shot's counter, bumped by the unjournaled reservation, goes into this entry. The
            # no-op update locks the row first, so the image journaled is the latest counter and a
            # later change to the shot gets a later entry.
            conn.execute(
                sa.update(shots).where(shots.c.id == take.shot_id).values(next_take_number=shots.c.next_take_number)
            )
            conn.execute(sa.insert(takes).values(**take.columns()))
            conn.execute(sa.insert(take_versions).values(**first.columns(take.id, 1)))
            _log(conn, event)

    def add_version(
        self,
        take_id: str,
        version: NewVersion,
        event: NewEvent,
        *,
        changes: TakeChanges | None = None,
    ) -> int:
        """Append a version (numbered max + 1) and its log line; returns the new number."""
        with self.write() as conn:
            number = (
                conn.execute(
                    sa.select(sa.func.coalesce(sa.func.max(take_versions.c.number), 0)).where(
                        take_versions.c.take_id == take_id
                    )
                ).scalar_one()
                + 1
            )
            conn.execute(sa.insert(take_versions).values(**version.columns(take_id, number)))
            if changes:
                conn.execute(sa.update(takes).where(takes.c.id == take_id).values(**changes.columns()))
            _log(conn, event.with_details(version=number))
        return number

    @contextlib.contextmanager
    def lock_take(self, take_id: str) -> Iterator[TakeWriter]:
        """Hold the take's lock for a whole use case: the version number it reserves, the bytes the
        caller stores under that number and the rows it writes are one step, so two writers of one
        take never share a number and the store's latest object stays the catalog's current version.

        PostgreSQL: one transaction holding the take's row FOR UPDATE (other takes are not held up).
        SQLite: an advisory lock per take on a file beside the database, with each catalog step its
        own short transaction, so a long upload does not hold the whole database's write lock (other
        writers would time out). Store I/O inside is the caller's; on PostgreSQL no other catalog
        write on this take may run inside (it would wait for this very lock)."""
        lock_file = self._take_lock_file()
        if lock_file is not None:
            with _take_file_lock(lock_file, take_id):
                with self.read() as conn:
                    row = conn.execute(sa.select(takes).where(takes.c.id == take_id)).mappings().first()
                if row is None:
                    raise NotFoundError("The take was purged meanwhile; find takes with 'takevault takes'.")
                yield TakeWriter(row, self.read, self.write)
            return
        with self.write() as conn:
            row = conn.execute(sa.select(takes).where(takes.c.id == take_id).with_for_update()).mappings().first()
            if row is None:
                raise NotFoundError("The take was purged meanwhile; find takes with 'takevault takes'.")
            held = functools.partial(contextlib.nullcontext, conn)
            yield TakeWriter(row, held, held)

    def _take_lock_file(self) -> Path | None:
        """The per-take lock file of an SQLite catalog file (None: lock rows in the database instead)."""
        if self.dialect != "sqlite" or _fcntl() is None:
            return None
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).with_name(Path(database).name + ".takelocks")

    def update_take(self, take_id: str, changes: TakeChanges, event: NewEvent) -> None:
        with self.write() as conn:
            if changes:
                conn.execute(sa.update(takes).where(takes.c.id == take_id).values(**changes.columns()))
            _log(conn, event)

    def mark_deleted(self, take_id: str, shot_id: int, event: NewEvent) -> bool:
        """Flag the take deleted and clear the shot's star if it pointed here; True if it was starred."""
        with self.write() as conn:
            return _mark_deleted(conn, take_id, shot_id, event)

    def set_star(self, shot_id: int, take_id: str | None, event: NewEvent) -> str | None:
        """Point the shot's star at `take_id` (None clears it); returns the take that held it before.

        Starring the take that already holds the star changes nothing and logs nothing. The
        event's `version` is the take's current version as this transaction sees it, so a replace
        racing the star cannot make the log name a version that was not current."""
        with self.write() as conn:
            return _set_star(conn, shot_id, take_id, event)

    def star_take(self, take_id: str, event: NewEvent) -> str | None:
        """`set_star` on the take's own shot, found in the same transaction (a take never changes shot)."""
        with self.write() as conn:
            shot_id = conn.execute(sa.select(takes.c.shot_id).where(takes.c.id == take_id)).scalar()
            if shot_id is None:
                raise NotFoundError("The take was purged meanwhile; find takes with 'takevault takes'.")
            return _set_star(conn, shot_id, take_id, event)

    def add_link(self, take_id: str, other_id: str, kind: str, user: str, event: NewEvent) -> None:
        with self.write() as conn:
            exists = conn.execute(
                sa.select(take_links.c.id).where(
                    take_links.c.take_id == take_id, take_links.c.other_id == other_id, take_links.c.kind == kind
                )
            ).first()
            if exists:
                raise ConflictError(f"These takes are already linked as {kind!r}; nothing to do.")
            conn.execute(
                sa.insert(take_links).values(
                    take_id=take_id, other_id=other_id, kind=kind, created_at=now(), created_by=user
                )
            )
            _log(conn, event)

    def purge_take(self, take_id: str, event: NewEvent) -> None:
        """Remove the take's rows (versions, links, star) for good; the shot keeps its counter."""
        with self.write() as conn:
            was_starred = conn.execute(
                sa.update(shots).where(shots.c.starred_take_id == take_id).values(starred_take_id=None)
            ).rowcount
            if was_starred:
                _log(conn, _implied_unstar(event, take_id, "purged"))
            conn.execute(
                sa.delete(take_links).where(sa.or_(take_links.c.take_id == take_id, take_links.c.other_id == take_id))
            )
            conn.execute(sa.delete(take_versions).where(take_versions.c.take_id == take_id))
            conn.execute(sa.delete(takes).where(takes.c.id == take_id))
            _log(conn, event)

    # -- reading takes ----------------------------------------------------------
    def _matching_ids(
        self,
        project: Project,
        where: TakeFilter,
        shot_ids: Sequence[int] | None,
        take_ids: Sequence[str] | None,
        number: int | None,
        name: str | None,
        *,
        base: sa.Select | None = None,
    ) -> sa.Select:
        """The ids of the matching takes in edit order: a narrow query, so sorting a whole
        project's takes sorts short keys, not the rows with their versions and JSON.
        (`base` swaps in another select over the same tables, e.g. the full rows.)"""
        base = _TAKE_ORDER if base is None else base
        selective = take_ids is not None or where.starred is True or where.search is not None
        if base is _TAKE_COUNT_ALONE:
            project_shots = sa.select(sa.func.array_agg(shots.c.id)).where(shots.c.project_id == project.id)
            in_project = sa.any_(sa.cast(project_shots.scalar_subquery(), sa.ARRAY(sa.Integer)))
            query = base.where(takes.c.shot_id == in_project)
        elif selective and self.dialect == "sqlite":
            # `+ 0` keeps SQLite's planner (which has no statistics) off the shots' project index, so a
            # selective lookup starts from its few candidate takes by primary key instead of walking
            # every take of every shot of the project and testing each against the candidates.
            # Not on PostgreSQL: there it makes the planner guess one shot, so it walks every take.
            query = base.where(shots.c.project_id + 0 == project.id)
        else:
            query = base.where(shots.c.project_id == project.id)
        if shot_ids is not None:
            query = query.where(takes.c.shot_id.in_(list(shot_ids)))
        if take_ids is not None:
            query = query.where(takes.c.id.in_(list(take_ids)))
        if where.section is not None:
            query = query.where(sections.c.code == where.section)
        if where.starred is True:
            # Driven from the shots' star column: one primary-key lookup per starred shot.
            starred = sa.and_(shots.c.project_id == project.id, shots.c.starred_take_id.is_not(None))
            if self.dialect == "postgresql":
                # As one array (an InitPlan): PostgreSQL then reads the takes by primary key, where an
                # IN (subquery) made it guess one row and hash-join every take of the vault.
                # (The cast makes `= ANY` take the subquery's value as the array, not as a row set.)
                as_array = sa.select(sa.func.array_agg(shots.c.starred_take_id)).where(starred).scalar_subquery()
                stars_array = sa.cast(as_array, sa.ARRAY(sa.String))
                query = query.where(takes.c.id == sa.any_(stars_array), shots.c.starred_take_id == takes.c.id)
            else:
                stars = sa.select(shots.c.starred_take_id).where(starred)
                query = query.where(takes.c.id.in_(stars), shots.c.starred_take_id == takes.c.id)
        elif where.starred is False:
            query = query.where(sa.or_(shots.c.starred_take_id.is_(None), shots.c.starred_take_id != takes.c.id))
        if where.kind is not None:
            query = query.where(takes.c.kind == where.kind)
        if where.status is not None:
            query = query.where(takes.c.status == where.status)
        if where.min_rating is not None:
            query = query.where(takes.c.rating >= where.min_rating)
        if where.deleted is True:
            # Matches the partial index of deleted takes (they are few).
            query = query.where(takes.c.deleted == sa.true())
        elif where.deleted is False:
            query = query.where(takes.c.deleted == sa.false())
        if number is not None:
            query = query.where(takes.c.number == number)
        if name is not None:
            query = query.where(takes.c.name == name)
        if where.search is not None:
            query = query.where(takes.c.id.in_(matching_take_ids(self.dialect, search_words(where.search))))
        return query

    def iter_takes(
        self,
        project: Project,
        where: TakeFilter | None = None,
        *,
        shot_ids: Sequence[int] | None = None,
        take_ids: Sequence[str] | None = None,
        number: int | None = None,
        name: str | None = None,
        batch: int = 500,
    ) -> Iterator[Take]:
        """Takes matching `where` (its `shot` is given as `shot_ids`), in edit order, read `batch` at a time.

        First the matching ids in order (short keys, even for a whole project), then the full
        rows batch by batch by primary key; the read transaction stays open while the caller
        iterates (on SQLite one snapshot; on PostgreSQL a take purged meanwhile is skipped).
        Closing the iterator ends it."""
        where = where or TakeFilter()
        if take_ids is not None or number is not None:
            # A lookup (by id, or shot and number): a few rows, read whole in one query. The plain
            # lookups of reference resolution use prepared statements (building and keying a select
            # of this size costs SQLAlchemy more than SQLite needs to answer it).
            lookup: sa.Executable
            params: dict[str, Any] = {"project_id": project.id}
            if where == ANY_TAKE and name is None and shot_ids is None and number is None and take_ids is not None:
                by_id = _TAKES_BY_ID if self.dialect == "sqlite" else _TAKES_BY_ID_PG
                lookup, params = by_id, {**params, "ids": list(take_ids)}
            elif where == ANY_TAKE and name is None and take_ids is None and shot_ids is not None:
                lookup, params = _TAKES_BY_SHOT_NUMBER, {**params, "shot_ids": list(shot_ids), "number": number}
            else:
                lookup = self._matching_ids(project, where, shot_ids, take_ids, number, name, base=_LINKED_ROWS_ORDERED)
            yield from self._whole(project, lookup, params)
            return
        if where.starred is True and where.search is None:
            # At most one take per shot: the full rows in one ordered query, driven from the shots'
            # star column, instead of the ids first and then the same takes again by id.
            yield from self._whole(project, self._starred_rows(project, where, shot_ids, name), {})
            return
        with self.read() as conn:
            has_links = self._has_links(conn)
            for ids in self._ordered_id_batches(conn, project, where, shot_ids, take_ids, name, batch):
                rows = {r[0]: r for r in conn.execute(_TAKES_ROWS_BY_ID, {"ids": ids}).all()}
                links = self._links(conn, ids) if has_links else {}
                for take_id in ids:
                    hit = rows.get(take_id)
                    if hit is not None:
                        yield _take_record(hit, project.name, links.get(take_id, ()))

    def _starred_rows(
        self, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None, name: str | None
    ) -> sa.Select:
        """The starred list's statement, built once per filter: building and keying a select of this
        size costs SQLAlchemy about as much as a database needs to read a few hundred starred rows."""
        key = (project.id, where, None if shot_ids is None else tuple(shot_ids), name)
        found = self._statements.get(key)
        if found is None:
            if len(self._statements) >= _STATEMENTS_KEPT:
                self._statements.clear()
            found = self._matching_ids(project, where, shot_ids, None, None, name, base=_LINKED_ROWS_ORDERED)
            self._statements[key] = found
        return found

    def iter_listed_takes(
        self, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None = None
    ) -> Iterator[ListedTake]:
        """What `iter_takes` lists, as flat `ListedTake` rows read set-wise: whole listings (see catalog/listing.py)."""
        from takevault.catalog.listing import iter_listed

        return iter_listed(self, project, where, shot_ids)

    def ordered_take_ids(self, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None = None) -> list[str]:
        """The ids of every take matching `where` (its `shot` given as `shot_ids`), in edit order.

        Short keys only, read through the same indexes as the listings, so a caller can count,
        page and find a take's position without loading a single take record."""
        with self.read() as conn:
            return self._all_ids(conn, project, where, shot_ids)

    def _all_ids(
        self, conn: sa.Connection, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None
    ) -> list[str]:
        batches = self._ordered_id_batches(conn, project, where, shot_ids, None, None, 5000)
        return [take_id for batch in batches for take_id in batch]

    def take_id_page(
        self,
        project: Project,
        where: TakeFilter,
        shot_ids: Sequence[int] | None,
        *,
        after: str | None,
        offset: int,
        limit: int,
    ) -> TakeIdPage:
        """Up to `limit` matching take ids in edit order after take `after`, with where they start and
        how many match in all: what a paged list needs, read without listing every matching id.

        A take's place in edit order is its shot's place, then its number, so the page starts right
        after `after`'s place even when `after` no longer matches (deleted, re-rated); a take purged
        meanwhile has no place left, so its page starts at `offset`, the position the cursor noted."""
        with self.read() as conn:
            shot_order = self._shot_order(conn, project, where, shot_ids)
            position = {shot_id: i for i, shot_id in enumerate(shot_order)}
            mark = None
            if after is not None:
                found = conn.execute(_TAKE_PLACE, {"id": after}).first()
                if found is not None and found[0] in position:
                    mark = (position[found[0]], found[1])
            if _few_matches(where):
                # A few matches (stars, a search): all of them, placed in Python.
                query = self._matching_ids(project, where, shot_ids, None, None, None, base=_TAKE_PLACES_ORDERED)
                rows = conn.execute(query).all()
                places = [(position.get(shot_id, -1), number) for _id, shot_id, number in rows]
                start = 0 if after is None else bisect.bisect_right(places, mark) if mark else min(offset, len(rows))
                return TakeIdPage([r[0] for r in rows[start : start + limit]], start, len(rows))
            # Without a section filter the count needs no sections row: joining one per take would
            # cost a primary-key lookup for each of a whole vault's takes on every page.
            if self.dialect == "postgresql" and where.section is None and where.starred is None:
                # Every condition left is on the take row: PostgreSQL counts from the (shot_id, deleted)
                # index alone for the project's shots given as one array, where the join hashed them.
                count = self._matching_ids(project, where, shot_ids, None, None, None, base=_TAKE_COUNT_ALONE)
            else:
                count_base = _TAKE_COUNT if where.section is not None else _TAKE_COUNT_NO_SECTIONS
                count = self._matching_ids(project, where, shot_ids, None, None, None, base=count_base)
            total = conn.execute(count).scalar_one()
            if after is None:
                return TakeIdPage(self._ids_from(conn, project, where, shot_order, 0, limit), 0, total)
            if mark is None:  # purged: only the position the cursor noted is left
                start = min(offset, total)
                return TakeIdPage(self._all_ids(conn, project, where, shot_ids)[start : start + limit], start, total)
            at_or_before = sa.or_(
                takes.c.shot_id.in_(shot_order[: mark[0]]),
                sa.and_(takes.c.shot_id == shot_order[mark[0]], takes.c.number <= mark[1]),
            )
            start = conn.execute(count.where(at_or_before)).scalar_one()
            return TakeIdPage(self._ids_from(conn, project, where, shot_order[mark[0] :], mark[1], limit), start, total)

    def _shot_order(
        self, conn: sa.Connection, project: Project, where: TakeFilter, shot_ids: Sequence[int] | None
    ) -> list[int]:
        """The ids of the shots a listing walks, in edit order."""
        shots_query = shots_in_scope(_SHOT_ORDER, project.id, shot_ids, where.section)
        return list(conn.execute(shots_query).scalars().all())

    def _ids_from(
        self,
        conn: sa.Connection,
        project: Project,
        where: TakeFilter,
        shot_order: list[int],
        after_number: int,
        limit: int,
    ) -> list[str]:
        """Up to `limit` matching ids from the shots of `shot_order` on (the first after `after_number`),
        reading one shot, then two, four… at a time, so a page reads about as many rows as it shows."""
        query = self._matching_ids(project, where, None, None, None, None, base=_TAKE_IDS_BY_NUMBER)
        found: list[str] = []
        group, at = 1, 0
        while at < len(shot_order) and len(found) < limit:
            shot_group = shot_order[at : at + group]
            of_shot: dict[int, list[str]] = {shot_id: [] for shot_id in shot_group}
            step = query.where(takes.c.shot_id.in_(shot_group))
            if at == 0 and after_number:
                step = step.where(sa.or_(takes.c.shot_id != shot_group[0], takes.c.number > after_number))
            for take_id, shot_id in conn.execute(step).all():
                of_shot[shot_id].append(take_id)
            for shot_id in shot_group:
                found += of_shot[shot_id]
            at, group = at + group, min(group * 2, SHOTS_PER_READ * 4)
        return found[:limit]

    def _ordered_id_batches(
        self,
        conn: sa.Connection,
        project: Project,
        where: TakeFilter,
        shot_ids: Sequence[int] | None,
        take_ids: Sequence[str] | None,
        name: str | None,
        batch: int,
    ) -> Iterator[list[str]]:
        """Matching take ids in edit order, `batch` at a time.

        A selective filter (ids, star, search) sorts its few matches at once. Anything else walks
        the shots in edit order and reads their takes through the (shot_id, number) index a few
        shots at a time, so the first rows come at once and nothing sorts the whole project. The
        database orders each shot's takes by number only: the shots' order is already known here,
        and sorting many rows on the section and shot codes (text, under a collation) is what
        made whole listings slow on PostgreSQL."""
        if take_ids is not None or where.starred is True or where.search is not None:
            ids_query = self._matching_ids(project, where, shot_ids, take_ids, None, name)
            yield from (list(c) for c in _chunks(conn.execute(ids_query).scalars().all(), batch))
            return
        shots_query = shots_in_scope(_SHOT_ORDER, project.id, shot_ids, where.section)
        by_shot_query = self._matching_ids(project, where, None, None, None, name, base=_TAKE_IDS_BY_NUMBER)
        pending: list[str] = []
        for shot_group in _chunks(conn.execute(shots_query).scalars().all(), SHOTS_PER_READ):
            of_shot: dict[int, list[str]] = {shot_id: [] for shot_id in shot_group}
            for take_id, shot_id in conn.execute(by_shot_query.where(takes.c.shot_id.in_(list(shot_group)))):
                of_shot[shot_id].append(take_id)
            for shot_id in shot_group:
                pending += of_shot[shot_id]
            while len(pending) >= batch:
                yield pending[:batch]
                pending = pending[batch:]
        if pending:
            yield pending

    def _whole(self, project: Project, statement: sa.Executable, params: dict[str, Any]) -> Iterator[Take]:
        """The takes of a few rows of `_LINKED_ROWS_ORDERED` read at once; links only for rows that have some.

        Each row becomes its take as it is fetched, so a list of 1,000 starred takes never holds the
        rows and the records at once: fewer live objects for the garbage collector to walk, which
        on a large list came to more time than building the records."""
        made: list[Take] = []
        linked: list[int] = []
        with self._lookup() as conn:
            for rows in conn.execute(statement, params).partitions(_ROWS_PER_FETCH):
                for row in rows:
                    if row[_HAS_LINKS_AT]:
                        linked.append(len(made))
                    made.append(_take_record(row, project.name, ()))
                del rows
            if linked:
                links = self._links(conn, [made[i].id for i in linked])
                for i in linked:
                    made[i] = dataclasses.replace(made[i], links=links.get(made[i].id, ()))
        yield from made

    def take_at(self, project: Project, section: str | None, code: str, number: int) -> Take | None:
        """The take `[SECTION/]CODE/video_NN` names (deleted or not), read in one statement, when that
        statement settles which shot the reference means; None otherwise (no such shot or take, or a
        code in several sections and none without one), for the step-by-step lookup to explain."""
        params: dict[str, Any] = {"project_id": project.id, "code": code, "number": number}
        statement = _TAKES_BY_CODE_NUMBER
        if section is not None:
            statement, params = _TAKES_BY_SECTION_CODE_NUMBER, {**params, "section": section}
        with self._lookup() as conn:
            row = _settled_take_row(self._rows(conn, statement, params), by_section=section is not None)
            if row is None:
                return None
            links = self._links(conn, [row[0]]).get(row[0], ()) if row[_HAS_LINKS_AT] else ()
        return _take_record(row, project.name, links)

    def take_by_id(self, project: Project, take_id: str) -> Take | None:
        """The take with this id in the project (deleted or not), in one statement; None if there is none."""
        with self._lookup() as conn:
            by_id = _TAKE_BY_ID_PG if self.dialect == "postgresql" else _TAKE_BY_ID
            found = self._rows(conn, by_id, {"project_id": project.id, "id": take_id})
            if not found:
                return None
            row = found[0]
            links = self._links(conn, [row[0]]).get(row[0], ()) if row[_HAS_LINKS_AT] else ()
        return _take_record(row, project.name, links)

    def _rows(self, conn: sa.Connection, statement: sa.Select, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        driver = self._driver.get(id(statement))
        if driver is not None:
            return driver.rows(conn, params)
        return conn.execute(statement, params).all()

    def _has_links(self, conn: sa.Connection) -> bool:
        return conn.execute(_ANY_LINK).first() is not None

    def query_takes(
        self,
        project: Project,
        where: TakeFilter | None = None,
        *,
        shot_ids: Sequence[int] | None = None,
        take_ids: Sequence[str] | None = None,
        number: int | None = None,
        name: str | None = None,
    ) -> list[Take]:
        return list(self.iter_takes(project, where, shot_ids=shot_ids, take_ids=take_ids, number=number, name=name))

    def _links(self, conn: sa.Connection, take_ids: Sequence[str]) -> dict[str, tuple]:
        """Links of each take, both the ones made from it and the ones made to it, so a link shows on both."""
        found = (
            (incoming, row)
            for incoming, statement in ((False, _LINKS_FROM_TAKE), (True, _LINKS_TO_TAKE))
            for chunk in _chunks(list(take_ids), 500)
            for row in conn.execute(statement, {"ids": list(chunk)}).mappings()
        )
        return records.links_by_take(found)

    def versions(self, take_id: str) -> list[TakeVersion]:
        """Every version of a take, newest first."""
        with self.read() as conn:
            rows = conn.execute(_VERSIONS_OF_TAKE, {"take_id": take_id}).mappings().all()
        return [records.version(r, is_current=i == 0) for i, r in enumerate(rows)]

    def all_versions(self, project: Project) -> list[tuple[str, TakeVersion]]:
        """(take ref, version) for every version in the project, for fsck."""
        with self.read() as conn:
            rows = (
                conn.execute(
                    sa.select(
                        take_versions,
                        takes.c.name.label("take_name"),
                        shots.c.code.label("shot_code"),
                        sections.c.code.label("section_code"),
                    )
                    .select_from(
                        take_versions.join(takes, takes.c.id == take_versions.c.take_id)
                        .join(shots, shots.c.id == takes.c.shot_id)
                        .outerjoin(sections, sections.c.id == shots.c.section_id)
                    )
                    .where(shots.c.project_id == project.id)
                    .order_by(take_versions.c.take_id, take_versions.c.number)
                )
                .mappings()
                .all()
            )
        out = []
        for r in rows:
            shot = f"{r['section_code']}/{r['shot_code']}" if r["section_code"] else r["shot_code"]
            out.append((f"{shot}/{r['take_name']}", records.version(r, is_current=False)))
        return out

    def takes_with_sha256(self, project: Project, sha256: str) -> list[str]:
        """Ids of takes (deleted ones too) that hold a version with these bytes."""
        with self.read() as conn:
            rows = conn.execute(
                sa.select(takes.c.id)
                .select_from(
                    take_versions.join(takes, takes.c.id == take_versions.c.take_id).join(
                        shots, shots.c.id == takes.c.shot_id
                    )
                )
                .where(take_versions.c.sha256 == sha256, shots.c.project_id == project.id)
                .distinct()
            ).all()
        return [r[0] for r in rows]

    def take_ids(self) -> set[str]:
        with self.read() as conn:
            return {r[0] for r in conn.execute(sa.select(takes.c.id)).all()}

    # -- events ---------------------------------------------------------------
    def events(
        self,
        project: Project,
        *,
        take_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actions: Iterable[str] | None = None,
    ) -> list[Event]:
        return list(self.iter_events(project, take_id=take_id, since=since, until=until, actions=actions))

    def iter_events(
        self,
        project: Project,
        *,
        take_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        actions: Iterable[str] | None = None,
    ) -> Iterator[Event]:
        """The project's log lines, oldest first, streamed 1,000 at a time."""
        query = events_select(project.id, take_id=take_id, since=since, until=until, actions=actions)
        with self.read() as conn:
            for r in conn.execution_options(yield_per=1000).execute(query).mappings():
                yield records.event(r)

    # -- rebuild ----------------------------------------------------------------
    def insert_versions(self, take_id: str, versions: Sequence[tuple[int, NewVersion]]) -> None:
        """Versions of one take with the numbers they had (a rebuild restoring history), one transaction."""
        if versions:
            with self.write() as conn:
                conn.execute(sa.insert(take_versions), [v.columns(take_id, n) for n, v in versions])

    def insert_events(self, log: Sequence[NewEvent]) -> None:
        """Log lines as they are, with their own times (a rebuild or a report writing history)."""
        if log:
            with self.write() as conn:
                conn.execute(sa.insert(events), [e.columns() for e in log])

    def bulk_insert_takes(
        self, new_takes: Sequence[NewTake], versions: Sequence[tuple[str, int, NewVersion]], *, batch: int = 2000
    ) -> None:
        """Many takes and their versions by executemany, `batch` takes (with their versions) per transaction,
        for imports and rebuilds at scale: each transaction is one journal entry of bounded size.

        `versions` are (take id, number, version); a failure keeps the batches committed before it.
        Each shot's take counter is raised past the highest number given, so later adds never reuse one."""
        # executemany takes its columns from the first row: give every row the same keys.
        take_rows = _same_keys([t.columns() for t in new_takes])
        version_rows = _same_keys([v.columns(take_id, number) for take_id, number, v in versions])
        postgres = self.dialect == "postgresql"
        versions_of: dict[str, list[dict[str, Any]]] = {}
        for row in version_rows:
            versions_of.setdefault(row["take_id"], []).append(row)
        for start in range(0, len(take_rows), batch):
            chunk = list(take_rows[start : start + batch])
            rows = [v for t in chunk for v in versions_of.get(t["id"], ())]
            with self.write() as conn:
                if postgres:
                    conn.execute(sa.text(search.PG_DEFER_ON))
                conn.execute(sa.insert(takes), chunk)
                if rows:
                    # Ids given up front: the journal must learn the key of every inserted row, and
                    # executemany does not report generated ones.
                    ids = _reserve_ids(conn, take_versions, len(rows))
                    conn.execute(sa.insert(take_versions), [{**v, "id": i} for v, i in zip(rows, ids, strict=True)])
                top: dict[int, int] = {}
                for row in chunk:
                    top[row["shot_id"]] = max(top.get(row["shot_id"], 0), int(row["number"]))
                for shot_id, number in top.items():
                    conn.execute(
                        sa.update(shots)
                        .where(shots.c.id == shot_id, shots.c.next_take_number <= number)
                        .values(next_take_number=number + 1)
                    )
                if postgres:
                    # The batch's documents at once (the row triggers stood aside, see catalog/search.py).
                    conn.execute(sa.text(search.PG_DEFER_OFF))
                    conn.execute(sa.text(search.PG_REFRESH_MANY), {"ids": [row["id"] for row in chunk]})
        if postgres and take_rows:
            # Fresh statistics, so the planner does not plan for the empty tables it saw before the load,
            # and the visibility map, without which every index-only scan (a shot's take count, a take's
            # version count) visits the table rows too. A server without autovacuum would keep both stale
            # for good. VACUUM cannot run inside a transaction block.
            with self._translate(), self._writer.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(sa.text("VACUUM (ANALYZE) takes, take_versions, shots, take_search"))

    def raise_take_counter(self, shot_id: int, at_least: int) -> None:
        with self.write() as conn:
            conn.execute(
                sa.update(shots)
                .where(shots.c.id == shot_id, shots.c.next_take_number < at_least)
                .values(next_take_number=at_least)
            )

    # -- workflow PNGs ----------------------------------------------------------
    def update_png(self, take_id: str, version_number: int, png: PngRecord, event: NewEvent | None = None) -> None:
        """Point one take version at another workflow PNG, with an optional log line."""
        with self.write() as conn:
            done = conn.execute(
                sa.update(take_versions)
                .where(take_versions.c.take_id == take_id, take_versions.c.number == version_number)
                .values(**records.png_columns(png))
            )
            if done.rowcount == 0:
                raise NotFoundError(
                    f"Take {take_id} has no version v{version_number}; list its versions with 'takevault history'."
                )
            if event is not None:
                _log(conn, event)


class TakeWriter:
    """What a use case may read and write while it holds one take's lock (see `Catalog.lock_take`)."""

    def __init__(self, row: Any, reads: Callable[[], Any], writes: Callable[[], Any]) -> None:
        self._reads = reads
        self._writes = writes
        self.take_id: str = row["id"]
        self.shot_id: int = row["shot_id"]
        self.deleted: bool = bool(row["deleted"])

    def versions(self) -> list[TakeVersion]:
        """Every version, newest first."""
        with self._reads() as conn:
            rows = (
                conn.execute(
                    sa.select(take_versions)
                    .where(take_versions.c.take_id == self.take_id)
                    .order_by(take_versions.c.number.desc())
                )
                .mappings()
                .all()
            )
        return [records.version(r, is_current=i == 0) for i, r in enumerate(rows)]

    @property
    def next_number(self) -> int:
        """The number the next version gets; reserved for this writer while it holds the lock."""
        with self._reads() as conn:
            top = conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(take_versions.c.number), 0)).where(
                    take_versions.c.take_id == self.take_id
                )
            ).scalar_one()
        return int(top) + 1

    def add_version(self, number: int, version: NewVersion, event: NewEvent, changes: TakeChanges | None = None) -> int:
        """Append version `number` (the reserved one) and its log line."""
        with self._writes() as conn:
            conn.execute(sa.insert(take_versions).values(**version.columns(self.take_id, number)))
            if changes:
                conn.execute(sa.update(takes).where(takes.c.id == self.take_id).values(**changes.columns()))
            _log(conn, event.with_details(version=number))
        return number

    def update_png(self, version_number: int, png: PngRecord, event: NewEvent | None = None) -> None:
        with self._writes() as conn:
            conn.execute(
                sa.update(take_versions)
                .where(take_versions.c.take_id == self.take_id, take_versions.c.number == version_number)
                .values(**records.png_columns(png))
            )
            if event is not None:
                _log(conn, event)

    def mark_deleted(self, event: NewEvent) -> bool:
        """Flag the take deleted and clear the shot's star if it pointed here; True if it was starred."""
        with self._writes() as conn:
            return _mark_deleted(conn, self.take_id, self.shot_id, event)


_LOCK_SLOTS = 1 << 16
_lock_fds: dict[str, int] = {}
_thread_locks: dict[tuple[str, int], threading.Lock] = {}
_lock_guard = threading.Lock()


def _fcntl() -> Any:
    try:
        import fcntl
    except ImportError:  # not POSIX: the database lock is used instead
        return None
    return fcntl


@contextlib.contextmanager
def _take_file_lock(path: Path, take_id: str) -> Iterator[None]:
    """An exclusive lock on one byte (the take's slot) of `path`, across processes and threads.

    POSIX record locks belong to the process and all of them on a file drop when any descriptor of
    it is closed, so each process keeps one descriptor per lock file open, and threads of one
    process take a threading lock per slot first. Two takes sharing a slot just wait for each other."""
    fcntl = _fcntl()
    slot = zlib.crc32(take_id.encode("utf-8")) % _LOCK_SLOTS
    key = str(path)
    with _lock_guard:
        fd = _lock_fds.get(key)
        if fd is None:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise CatalogError(
                    f"The catalog's lock file {path} cannot be opened ({exc.strerror}); "
                    "check that the catalog's folder is writable."
                ) from None
            _lock_fds[key] = fd
        thread_lock = _thread_locks.setdefault((key, slot), threading.Lock())
    with thread_lock:
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, slot)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, slot)


def _set_star(conn: sa.Connection, shot_id: int, take_id: str | None, event: NewEvent) -> str | None:
    before = conn.execute(sa.select(shots.c.starred_take_id).where(shots.c.id == shot_id).with_for_update()).scalar()
    if before == take_id:
        return before
    details: dict[str, Any] = {"previous": before}
    if take_id is not None:
        # Whether the take is alive and its current version, in one statement.
        found = conn.execute(_TAKE_ALIVE_AND_CURRENT, {"take_id": take_id, "shot_id": shot_id}).first()
        if found is None or found[0]:
            raise ConflictError("That take was deleted meanwhile; restore it first, then star it.")
        details["version"] = found[1]
    conn.execute(sa.update(shots).where(shots.c.id == shot_id).values(starred_take_id=take_id))
    _log(conn, event.with_details(**details))
    return before


def _mark_deleted(conn: sa.Connection, take_id: str, shot_id: int, event: NewEvent) -> bool:
    was_starred = conn.execute(
        sa.update(shots).where(shots.c.id == shot_id, shots.c.starred_take_id == take_id).values(starred_take_id=None)
    ).rowcount
    conn.execute(sa.update(takes).where(takes.c.id == take_id).values(deleted=True, deleted_at=now()))
    _log(conn, event.with_details(was_starred=bool(was_starred)))
    if was_starred:
        _log(conn, _implied_unstar(event, take_id, "deleted"))
    return bool(was_starred)


def _settled_take_row(rows: Sequence[Sequence[Any]], *, by_section: bool) -> Sequence[Any] | None:
    """The row of `_TAKES_BY_CODE_NUMBER` a reference means, as `shots_named` and `one_shot` in
    vault/lookup.py pick its shot: the shot of the code in the section given, else the code's one
    shot, else its shot in no section; None when the rows cannot tell."""
    if by_section or not rows:
        return rows[0] if len(rows) == 1 else None
    shots_with_code, loose_with_code = rows[0][_SHOTS_WITH_CODE_AT], rows[0][_SHOTS_WITH_CODE_AT + 1]
    if loose_with_code == 1:
        loose = [r for r in rows if r[_SECTION_CODE_AT] is None]
        return loose[0] if loose else None
    return rows[0] if shots_with_code == 1 and len(rows) == 1 else None


def _few_matches(where: TakeFilter) -> bool:
    """Whether a filter matches few takes whatever the vault's size (stars, a text search)."""
    return where.starred is True or where.search is not None


# Statements built once: SQLAlchemy's construction of a select with aliases costs more than
# running it on an indexed lookup, so per-call code only adds its WHERE clauses.
def _build_take_select() -> sa.Select:
    """Takes with their shot, section and current version in one row each.

    The current version is found per take through the (take_id, number) index, so
    reading one take never touches another take's versions."""
    current = take_versions.alias("current")
    newest = (
        sa.select(sa.func.max(take_versions.c.number))
        .where(take_versions.c.take_id == takes.c.id)
        .correlate(takes)
        .scalar_subquery()
    )
    count = sa.select(sa.func.count()).where(take_versions.c.take_id == takes.c.id).correlate(takes).scalar_subquery()
    return sa.select(
        *(_fast(c) for c in takes.c),
        shots.c.code.label("shot_code"),
        shots.c.sort_order.label("shot_order"),
        shots.c.starred_take_id,
        sections.c.code.label("section_code"),
        count.label("versions_count"),
        *(_fast(c).label(f"v_{c.name}") for c in current.c),
    ).select_from(
        takes.join(shots, takes.c.shot_id == shots.c.id)
        .outerjoin(sections, shots.c.section_id == sections.c.id)
        .join(current, sa.and_(current.c.take_id == takes.c.id, current.c.number == newest))
    )


def _build_shot_order() -> sa.Select:
    return (
        sa.select(shots.c.id)
        .select_from(shots.outerjoin(sections, shots.c.section_id == sections.c.id))
        .order_by(sa.func.coalesce(sections.c.sort_order, -1), sections.c.code, shots.c.sort_order, shots.c.code)
    )


class _IsoDateTime(sa.types.TypeDecorator):
    """Reads timestamps with `datetime.fromisoformat` (C) where SQLite hands back text; SQLAlchemy's
    own SQLite reader parses each with a regex, a large share of a 100,000-row listing's time."""

    impl = sa.String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return datetime.fromisoformat(value) if isinstance(value, str) else value


_JSON_CONSTANTS: dict[str, Any] = {"null": None, "[]": [], "{}": {}}


class _JsonText(sa.types.TypeDecorator):
    """Reads SQLite's JSON columns with a shortcut for the empty values most rows hold (`null`, `[]`,
    `{}`); on PostgreSQL the driver decodes them (see catalog/pg_json.py)."""

    impl = sa.String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value in _JSON_CONSTANTS:
            constant = _JSON_CONSTANTS[value]
            return type(constant)() if constant is not None else None
        return json.loads(value)


def _fast(column: sa.ColumnElement) -> sa.ColumnElement:
    # PostgreSQL keeps the column's own type: psycopg hands back datetimes and decoded JSON
    # (see catalog/pg_json.py), so a reader there would only cost a Python call per value.
    if isinstance(column.type, sa.DateTime):
        return sa.type_coerce(column, _IsoDateTime().with_variant(column.type, "postgresql")).label(column.name)
    if isinstance(column.type, sa.JSON):
        return sa.type_coerce(column, _JsonText().with_variant(column.type, "postgresql")).label(column.name)
    return column


def _build_take_order() -> sa.Select:
    return (
        sa.select(takes.c.id)
        .select_from(
            takes.join(shots, takes.c.shot_id == shots.c.id).outerjoin(sections, shots.c.section_id == sections.c.id)
        )
        .order_by(
            sa.func.coalesce(sections.c.sort_order, -1),
            sections.c.code,
            shots.c.sort_order,
            shots.c.code,
            takes.c.number,
        )
    )


def _build_links_select(incoming: bool) -> sa.Select:
    """Links made from (or, `incoming`, to) the takes given as the `ids` parameter, with the other take's path."""
    here, there = (
        (take_links.c.other_id, take_links.c.take_id) if incoming else (take_links.c.take_id, take_links.c.other_id)
    )
    other = takes.alias("other")
    other_shot = shots.alias("other_shot")
    other_section = sections.alias("other_section")
    return (
        sa.select(
            take_links.c.id,
            take_links.c.take_id,
            take_links.c.other_id,
            take_links.c.kind,
            other.c.name,
            other_shot.c.code.label("shot_code"),
            other_section.c.code.label("section_code"),
        )
        .select_from(
            take_links.join(other, other.c.id == there)
            .join(other_shot, other_shot.c.id == other.c.shot_id)
            .outerjoin(other_section, other_section.c.id == other_shot.c.section_id)
        )
        .where(here.in_(sa.bindparam("ids", expanding=True)))
        .order_by(take_links.c.id)
    )


def _build_shot_select() -> sa.Select:
    count = (
        sa.select(sa.func.count()).where(takes.c.shot_id == shots.c.id, takes.c.deleted == sa.false()).scalar_subquery()
    )
    return (
        sa.select(shots, sections.c.code.label("section_code"), count.label("takes_count"))
        .select_from(shots.outerjoin(sections, shots.c.section_id == sections.c.id))
        .order_by(sa.func.coalesce(sections.c.sort_order, -1), sections.c.code, shots.c.sort_order, shots.c.code)
    )


def _column_keys(select: sa.Select) -> tuple[str, ...]:
    """The names of a select's columns, in order; every one must be named for rows to be read by name."""
    keys = []
    for column in select.selected_columns:
        if column.key is None:
            raise TypeError(f"unnamed column {column!r} in a catalog select")
        keys.append(column.key)
    return tuple(keys)


_TAKE_ROWS = _build_take_select()
_TAKE_ROWS_ORDERED = _TAKE_ROWS.order_by(*_build_take_order()._order_by_clauses)
# The rows of a few takes read whole, with whether each has links (an index probe each way), so
# a lookup asks for links only when its take has some instead of asking the table first.
_LINKED_ROWS_ORDERED = _TAKE_ROWS_ORDERED.add_columns(
    sa.or_(
        sa.exists().where(take_links.c.take_id == takes.c.id),
        sa.exists().where(take_links.c.other_id == takes.c.id),
    ).label("has_links")
)
_HAS_LINKS_AT = len(_TAKE_ROWS.selected_columns)
# Prepared once: SQLAlchemy keys a statement object it has seen for free, a freshly built one costs.
_TAKES_BY_ID = _LINKED_ROWS_ORDERED.where(
    shots.c.project_id + 0 == sa.bindparam("project_id"), takes.c.id.in_(sa.bindparam("ids", expanding=True))
)
_TAKES_BY_ID_PG = _LINKED_ROWS_ORDERED.where(
    shots.c.project_id == sa.bindparam("project_id"), takes.c.id.in_(sa.bindparam("ids", expanding=True))
)
# One take by id; on SQLite `+ 0` keeps SQLite's planner on the take's primary key (see `_matching_ids`).
_TAKE_BY_ID = _LINKED_ROWS_ORDERED.where(
    shots.c.project_id + 0 == sa.bindparam("project_id"), takes.c.id == sa.bindparam("id")
)
_TAKE_BY_ID_PG = _LINKED_ROWS_ORDERED.where(
    shots.c.project_id == sa.bindparam("project_id"), takes.c.id == sa.bindparam("id")
)
_TAKES_BY_SHOT_NUMBER = _LINKED_ROWS_ORDERED.where(
    shots.c.project_id == sa.bindparam("project_id"),
    takes.c.shot_id.in_(sa.bindparam("shot_ids", expanding=True)),
    takes.c.number == sa.bindparam("number"),
)
# A reference's take in one statement: the shots of its code (in its section, when it names one)
# joined to their take of its number, with how many shots of the project have that code and how
# many of those are in no section, which is all `take_at` needs to pick the shot a reference means.
_SAME_CODE = shots.alias("same_code")
_SHOTS_WITH_CODE = sa.select(sa.func.count()).where(
    _SAME_CODE.c.project_id == sa.bindparam("project_id"), _SAME_CODE.c.code == sa.bindparam("code")
)
_TAKES_BY_CODE_NUMBER = _LINKED_ROWS_ORDERED.add_columns(
    _SHOTS_WITH_CODE.scalar_subquery().label("shots_with_code"),
    _SHOTS_WITH_CODE.where(_SAME_CODE.c.section_id.is_(None)).scalar_subquery().label("loose_with_code"),
).where(
    shots.c.project_id == sa.bindparam("project_id"),
    shots.c.code == sa.bindparam("code"),
    takes.c.number == sa.bindparam("number"),
)
_TAKES_BY_SECTION_CODE_NUMBER = _TAKES_BY_CODE_NUMBER.where(sections.c.code == sa.bindparam("section"))
_SHOTS_WITH_CODE_AT = _HAS_LINKS_AT + 1
_TAKES_ROWS_BY_ID = _TAKE_ROWS.where(takes.c.id.in_(sa.bindparam("ids", expanding=True)))
_SHOT_ORDER = _build_shot_order()
SHOTS_PER_READ = 20
_STATEMENTS_KEPT = 64
_ROWS_PER_FETCH = 100
_TAKE_ORDER = _build_take_order()
_TAKE_PLACE = sa.select(takes.c.shot_id, takes.c.number).where(takes.c.id == sa.bindparam("id"))
_TAKE_PLACES_ORDERED = (
    sa.select(takes.c.id, takes.c.shot_id, takes.c.number)
    .select_from(
        takes.join(shots, takes.c.shot_id == shots.c.id).outerjoin(sections, shots.c.section_id == sections.c.id)
    )
    .order_by(*_TAKE_ORDER._order_by_clauses)
)
_TAKE_COUNT = sa.select(sa.func.count()).select_from(
    takes.join(shots, takes.c.shot_id == shots.c.id).outerjoin(sections, shots.c.section_id == sections.c.id)
)
_TAKE_COUNT_NO_SECTIONS = sa.select(sa.func.count()).select_from(takes.join(shots, takes.c.shot_id == shots.c.id))
_TAKE_COUNT_ALONE = sa.select(sa.func.count()).select_from(takes)
# A few shots' matching takes, each shot's in number order (the caller knows the shots' order).
_TAKE_IDS_BY_NUMBER = (
    sa.select(takes.c.id, takes.c.shot_id)
    .select_from(
        takes.join(shots, takes.c.shot_id == shots.c.id).outerjoin(sections, shots.c.section_id == sections.c.id)
    )
    .order_by(takes.c.number)
)
# Built once: building a select with a LIMIT costs more than SQLite needs to answer it.
_ANY_LINK = sa.select(take_links.c.id).limit(1)
_TAKE_ALIVE_AND_CURRENT = sa.select(
    takes.c.deleted,
    sa.select(sa.func.max(take_versions.c.number))
    .where(take_versions.c.take_id == takes.c.id)
    .correlate(takes)
    .scalar_subquery(),
).where(takes.c.id == sa.bindparam("take_id"), takes.c.shot_id == sa.bindparam("shot_id"))
_TAKE_KEYS = _column_keys(_TAKE_ROWS)
_SECTION_CODE_AT = _TAKE_KEYS.index("section_code")
_TAKE_READER = records.TakeRowReader(_TAKE_KEYS)


def _take_record(row: Sequence[Any], project: str, links: Sequence[Any]) -> Take:
    """One row of `_TAKE_ROWS` (take, shot, section, current version) as a `Take`."""
    return _TAKE_READER.take(row, project, links)


_EVENT_ROWS = sa.select(*(_fast(c) for c in events.c))
_LINKS_FROM_TAKE = _build_links_select(incoming=False)
_LINKS_TO_TAKE = _build_links_select(incoming=True)
_SHOT_SELECT = _build_shot_select()
_SHOTS_BY_CODE = _SHOT_SELECT.where(
    shots.c.project_id == sa.bindparam("project_id"), shots.c.code == sa.bindparam("code")
)
_SHOTS_BY_SECTION_CODE = _SHOTS_BY_CODE.where(sections.c.code == sa.bindparam("section"))


_SCHEMA_REVISION = sa.text("SELECT version_num FROM alembic_version")
_PROJECT_BY_NAME = sa.select(projects).where(projects.c.name == sa.bindparam("name"))
_ANY_LINK = sa.select(take_links.c.id).limit(1)
_VERSIONS_OF_TAKE = (
    sa.select(take_versions)
    .where(take_versions.c.take_id == sa.bindparam("take_id"))
    .order_by(take_versions.c.number.desc())
)


def events_select(
    project_id: Any,
    *,
    take_id: Any = None,
    since: datetime | None = None,
    until: datetime | None = None,
    actions: Iterable[str] | None = None,
) -> sa.Select:
    """The project's log lines, oldest first, narrowed by the filters given (values or bind parameters)."""
    # Timestamps and details read by the fast readers: SQLAlchemy's SQLite one is a regex a line.
    query = _EVENT_ROWS.where(events.c.project_id == project_id).order_by(events.c.at, events.c.id)
    if take_id is not None:
        query = query.where(events.c.take_id == take_id)
    if since is not None:
        query = query.where(events.c.at >= since)
    if until is not None:
        query = query.where(events.c.at <= until)
    if actions is not None:
        query = query.where(events.c.action.in_(list(actions)))
    return query


def _log(conn: sa.Connection, event: NewEvent) -> None:
    """Stamp the event inside the transaction, after the lock: log order is commit order."""
    conn.execute(sa.insert(events).values(**{**event.columns(), "at": now()}))


def _implied_unstar(event: NewEvent, take_id: str, why: str) -> NewEvent:
    """Deleting a starred take clears the star; the log says so, so star history replays stay true."""
    details = event.details
    return dataclasses.replace(
        event,
        action="unstar",
        details={"take_id": take_id, "version": details.get("version"), "ref": details.get("ref"), "reason": why},
    )


def _refuse_ambiguous_code(conn: sa.Connection, project: Project, code: str, section: str | None) -> None:
    """A shot code lives either without a section or in sections, never both: a loose SH010's takes are
    `SH010/video_01`, so adding one beside SEQ01/SH010 would silently change what `SH010/video_01` means."""
    others = conn.execute(
        sa.select(sections.c.code)
        .select_from(shots.outerjoin(sections, shots.c.section_id == sections.c.id))
        .where(shots.c.project_id == project.id, shots.c.code == code)
        .order_by(sections.c.code)
    ).all()
    in_sections = [r[0] for r in others if r[0] is not None]
    if section is None and in_sections:
        where = ", ".join(f"{s}/{code}" for s in in_sections)
        raise ConflictError(
            f"Shot code {code} is already used by {where}, whose takes are also called {code}/video_NN; "
            f"a shot {code} without a section would take that name over. Put the new shot in a section, "
            "or give it another code."
        )
    if section is not None and len(in_sections) < len(others):
        raise ConflictError(
            f"Shot code {code} is already used by a shot without a section, whose takes are {code}/video_NN; "
            f"a {section}/{code} would make {code} mean two shots. Give the new shot another code, "
            "or put it in the existing shot."
        )


def _next_order(conn: sa.Connection, table: sa.Table, where: Any) -> int:
    top = conn.execute(sa.select(sa.func.max(table.c.sort_order)).where(where)).scalar()
    return 10 if top is None else (top // 10 + 1) * 10


def _reserve_ids(conn: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """`count` fresh integer ids for `table`: from its sequence on PostgreSQL, after the highest id on
    SQLite (safe there: the write transaction holds the database's write lock)."""
    if conn.dialect.name == "postgresql":
        return list(
            conn.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                {"table": table.name, "n": count},
            ).scalars()
        )
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + count))


def _same_keys(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = {k for row in rows for k in row}
    return [row if len(row) == len(keys) else {**dict.fromkeys(keys), **row} for row in rows]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__).rstrip(".")
